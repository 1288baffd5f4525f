// Noise power tracking for the denoiser (wasm/assembly/denoise.ts), one call per 128-sample hop.
//
// Per bin, MCRA (Cohen & Berdugo 2002): where the smoothed power stands well above its minimum over
// ~1.5 s (Martin 2001), speech is present and the noise estimate holds; elsewhere it follows the
// periodogram. That keeps weak speech out of the noise but cannot follow a noise level that changes
// faster than the 1.5 s window, so two bounds from a short (~60-80 ms) running minimum of the same
// smoothed power make it follow level steps:
//   fall  the noise can never be much above that minimum: when a noise stops, the estimate drops
//         within ~50 ms instead of the ~0.5 s the recursion needs for 26 dB;
//   rise  when the short minimum of most bins of the whole band stands well above the estimate, the
//         noise floor itself rose (a fan, a burst of noise). Speech raises a few bands (harmonics, a
//         fricative), not the whole spectrum, so only then is the estimate lifted, and only partly
//         (to 0.7x the minimum): a full lift also follows babble and then eats the talker's speech.
// Time constants of the papers (8 ms hops) are rescaled to this 2.67 ms hop: a = a0^(hop/hop0).

import { allocF32 } from './kernels/fft';
import { fastExp2, fastLog2x4 } from './kernels/fastmath';

const POWER_SMOOTH: f32 = 0.928; // 0.8 at 8 ms
const PRESENCE_SMOOTH: f32 = 0.585; // 0.2 at 8 ms
const NOISE_SMOOTH: f32 = 0.983; // 0.95 at 8 ms
const PRESENCE_RATIO: f32 = 3.0; // S / Smin above this means speech (MCRA's delta; 5 lost weak speech)
const LONG_SUBWINDOW: i32 = 72; // hops (192 ms)
const LONG_SUBWINDOWS: i32 = 8; // about 1.5 s, as Martin (2001)
const SHORT_SUBWINDOW: i32 = 8; // hops (21 ms)
const SHORT_SUBWINDOWS: i32 = 3; // the short minimum spans 3-4 sub-windows: 64-85 ms
const FALL_BOUND: f32 = 2.0; // noise <= 2 x the short minimum (its bias in stationary noise is ~1.3, p95 1.7)
const RISE_LIFT: f32 = 0.7; // after a rise, noise >= 0.7 x the short minimum
const RISE_RATIO: f32 = 30.0; // a bin's floor rose when 0.7 x its short minimum exceeds 30 x (15 dB) the estimate
const RISE_FRACTION: f32 = 0.7; // ... in this fraction of the band (4 x in 60%: babble's own swings lifted
// the estimate under the talker's speech, -0.006 STOI on babble; a burst of noise is a 20-30 dB step)
const RUNNING_MEAN_HOPS: i32 = 94; // 250 ms: at the start the estimate is a running mean
const PRESENCE_FLUSH: f32 = 1e-30; // presence below it is 0 (it never matters; subnormals would be slow)

/** Minimum of a value per bin over the last `count` to `count + 1` sub-windows of `length` hops (Martin 2001). */
class RunningMinimum {
  private current: usize;
  private stored: usize; // count rows of `stride` bins, the newest sub-window's minima first
  private ofStored: usize;

  constructor(private stride: i32, readonly length: i32, readonly count: i32) {
    this.current = allocF32(stride);
    this.stored = allocF32(stride * count);
    this.ofStored = allocF32(stride);
  }

  start(k: i32, value: f32): void {
    const o = <usize>k << 2;
    store<f32>(this.current + o, value);
    store<f32>(this.ofStored + o, value);
    for (let u = 0; u < this.count; u++) store<f32>(this.stored + ((<usize>(u * this.stride + k)) << 2), value);
  }

  /** Takes this hop's values of bins k to k + 3 and returns their minima; `rotate` at the end of each sub-window. */
  // @ts-ignore: decorator
  @inline update(k: i32, value: v128, rotate: bool): v128 {
    const o = <usize>k << 2;
    const nowMin = f32x4.min(v128.load(this.current + o), value);
    if (!rotate) {
      v128.store(this.current + o, nowMin);
      return f32x4.min(nowMin, v128.load(this.ofStored + o));
    }
    // Drop the oldest sub-window minimum, keep this one, restart the current minimum.
    const row = <usize>this.stride << 2;
    let best = nowMin;
    for (let u = this.count - 1; u > 0; u--) {
      const older = v128.load(this.stored + o + <usize>(u - 1) * row);
      v128.store(this.stored + o + <usize>u * row, older);
      best = f32x4.min(best, older);
    }
    v128.store(this.stored + o, nowMin);
    v128.store(this.ofStored + o, best);
    v128.store(this.current + o, value);
    return best;
  }
}

/**
 * |Y|^2 of bin k smoothed over frequency, 1/8, 1/4, 1/4, 1/4, 1/8: +-94 Hz at 46.9 Hz per bin, as 1/4, 1/2, 1/4
 * was at 512 points. With 3 taps the smoothed power varies more in noise, the 1.5 s minimum sits lower under it,
 * speech presence is flagged in noise more often and the estimate ends 6% under the noise (2% with 5 taps).
 */
// @ts-ignore: decorator
@inline function acrossFrequency(power: usize, k: i32): f32 {
  const o = <usize>k << 2;
  const y = load<f32>(power + o);
  const below = k > 0 ? load<f32>(power + o - 4) : y;
  const above = k < bins - 1 ? load<f32>(power + o + 4) : y;
  const below2 = k > 1 ? load<f32>(power + o - 8) : below;
  const above2 = k < bins - 2 ? load<f32>(power + o + 8) : above;
  return 0.125 * (below2 + above2) + 0.25 * (below + y + above);
}

let bins: i32 = 0;
let vectorBins: i32 = 0; // bins rounded up to whole v128s: per-bin buffers are padded to it, the padding lanes ignored
let noise: usize = 0;
let presence: usize = 0;
let smoothedPower: usize = 0;
let acrossPower: usize = 0; // this hop's |Y|^2 smoothed over frequency
let shortMinimum: RunningMinimum | null = null;
let longMinimum: RunningMinimum | null = null;
let hops: i32 = 0;
let floorRose = false;
let typicalRise: f32 = 1.0;

/** Lays out the per-bin state once (bins = frame / 2 + 1). */
export function noiseLayout(binCount: i32): void {
  if (noise != 0) return;
  bins = binCount;
  vectorBins = (bins + 3) & ~3;
  noise = allocF32(vectorBins);
  presence = allocF32(vectorBins);
  smoothedPower = allocF32(vectorBins);
  acrossPower = allocF32(vectorBins);
  shortMinimum = new RunningMinimum(vectorBins, SHORT_SUBWINDOW, SHORT_SUBWINDOWS);
  longMinimum = new RunningMinimum(vectorBins, LONG_SUBWINDOW, LONG_SUBWINDOWS);
}

/** Forgets everything: the next `noiseTrack` takes its frame as the noise. */
export function noiseReset(): void {
  hops = 0;
  floorRose = false;
  memory.fill(presence, 0, <usize>vectorBins << 2);
}

/** Noise power per bin, updated by `noiseTrack`. */
export function noisePower(): usize {
  return noise;
}

/** One hop: `power` holds |Y|^2 per bin of the current frame, padded to whole v128s with ordinary values. */
export function noiseTrack(power: usize): void {
  const short = shortMinimum!;
  const long = longMinimum!;
  if (hops == 0) {
    // Smoothed over frequency from the first frame on: a single periodogram value is often far under the mean,
    // and as the minima's start it would hold them (and flag speech everywhere above them) for 1.5 s.
    for (let k = 0; k < vectorBins; k++) {
      const first = max<f32>(acrossFrequency(power, k), 1e-12);
      store<f32>(noise + (<usize>k << 2), first);
      store<f32>(smoothedPower + (<usize>k << 2), first);
      short.start(k, first);
      long.start(k, first);
    }
    hops = 1;
    return;
  }
  const shortEnds = hops % SHORT_SUBWINDOW == 0;
  const longEnds = hops % LONG_SUBWINDOW == 0;
  const boundsReady = hops >= SHORT_SUBWINDOW * (SHORT_SUBWINDOWS + 1);
  // Until the tracker has seen a quarter second, the estimate is (close to) a running mean.
  const smoothing: f32 = hops < RUNNING_MEAN_HOPS ? min<f32>(NOISE_SMOOTH, 1.0 - 1.0 / <f32>(hops + 1)) : NOISE_SMOOTH;
  const powerSmoothing: f32 = min<f32>(POWER_SMOOTH, 1.0 - 1.0 / <f32>(hops + 1)); // a running mean for the first hops, likewise
  // Over frequency: the vector body reads two bins either side, so the two edge bins at each end are redone
  // with their clamped neighbours (scalar). The padding lanes read past the end of `power`, into the frame.
  const eighth = f32x4.splat(0.125);
  const quarter = f32x4.splat(0.25);
  for (let k = 0; k < vectorBins; k += 4) {
    const at = power + (<usize>k << 2);
    const outer = f32x4.add(v128.load(at - 8), v128.load(at + 8));
    const inner = f32x4.add(f32x4.add(v128.load(at - 4), v128.load(at)), v128.load(at + 4));
    v128.store(acrossPower + (<usize>k << 2), f32x4.add(f32x4.mul(eighth, outer), f32x4.mul(quarter, inner)));
  }
  for (let k = 0; k < 2; k++) store<f32>(acrossPower + (<usize>k << 2), acrossFrequency(power, k));
  for (let k = bins - 2; k < bins; k++) store<f32>(acrossPower + (<usize>k << 2), acrossFrequency(power, k));
  const lift = floorRose;
  const keepPower = f32x4.splat(powerSmoothing);
  const takePower = f32x4.splat(1.0 - powerSmoothing);
  const keepNoise = f32x4.splat(smoothing);
  const takeNoise = f32x4.splat(1.0 - smoothing);
  const typicalRiseV = f32x4.splat(typicalRise);
  const one = f32x4.splat(1.0);
  let risenLanes = i32x4.splat(0);
  let riseLog2Sum: f32 = 0.0;
  let lanes = i32x4(0, 1, 2, 3); // the bin of each lane
  for (let k = 0; k < vectorBins; k += 4) {
    const o = <usize>k << 2;
    const y = v128.load(power + o);
    // Smoothed power (over frequency, then time) and its running minima.
    const s = f32x4.add(f32x4.mul(keepPower, v128.load(smoothedPower + o)), f32x4.mul(takePower, v128.load(acrossPower + o)));
    v128.store(smoothedPower + o, s);
    const shortFloor = short.update(k, s, shortEnds);
    const longFloor = long.update(k, s, longEnds);
    const speech = v128.and(one, f32x4.gt(s, f32x4.mul(f32x4.splat(PRESENCE_RATIO), longFloor)));
    let p = f32x4.add(f32x4.mul(f32x4.splat(PRESENCE_SMOOTH), v128.load(presence + o)), f32x4.mul(f32x4.splat(1.0 - PRESENCE_SMOOTH), speech));
    // Flushed to 0 before it decays into subnormals (0.585 per hop in noise), which cost ~100 cycles a multiply on x86.
    p = v128.andnot(p, f32x4.lt(p, f32x4.splat(PRESENCE_FLUSH)));
    v128.store(presence + o, p);
    const alpha = f32x4.add(keepNoise, f32x4.mul(takeNoise, p));
    let lambda = f32x4.add(f32x4.mul(alpha, v128.load(noise + o)), f32x4.mul(f32x4.sub(one, alpha), y));
    if (boundsReady) {
      const lifted = f32x4.mul(f32x4.splat(RISE_LIFT), shortFloor);
      const ratio = f32x4.div(lifted, f32x4.max(lambda, f32x4.splat(1e-20)));
      const inBand = i32x4.lt_s(lanes, i32x4.splat(bins));
      risenLanes = i32x4.sub(risenLanes, v128.and(f32x4.gt(ratio, f32x4.splat(RISE_RATIO)), inBand)); // true lanes are -1
      // Summed in bin order, as it always was, the chain of adds running alongside the vector work.
      const riseLog2 = v128.and(fastLog2x4(f32x4.max(ratio, one)), inBand);
      riseLog2Sum += f32x4.extract_lane(riseLog2, 0);
      riseLog2Sum += f32x4.extract_lane(riseLog2, 1);
      riseLog2Sum += f32x4.extract_lane(riseLog2, 2);
      riseLog2Sum += f32x4.extract_lane(riseLog2, 3);
      // A lift by at most the band's typical rise, so bins that speech raised are not lifted further.
      if (lift) lambda = f32x4.max(lambda, f32x4.min(lifted, f32x4.mul(lambda, typicalRiseV)));
      lambda = f32x4.min(lambda, f32x4.mul(f32x4.splat(FALL_BOUND), shortFloor));
    }
    v128.store(noise + o, f32x4.max(lambda, f32x4.splat(1e-12)));
    lanes = i32x4.add(lanes, i32x4.splat(4));
  }
  const risen = i32x4.extract_lane(risenLanes, 0) + i32x4.extract_lane(risenLanes, 1) + i32x4.extract_lane(risenLanes, 2) + i32x4.extract_lane(risenLanes, 3);
  floorRose = <f32>risen > RISE_FRACTION * <f32>bins;
  typicalRise = fastExp2(riseLog2Sum / <f32>bins); // geometric mean over the band
  hops++;
}
