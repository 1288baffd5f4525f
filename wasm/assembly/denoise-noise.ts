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
import { fastExp2, fastLog2 } from './kernels/fastmath';

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

/** Minimum of a value per bin over the last `count` to `count + 1` sub-windows of `length` hops (Martin 2001). */
class RunningMinimum {
  private current: usize;
  private stored: usize;
  private ofStored: usize;

  constructor(private bins: i32, readonly length: i32, readonly count: i32) {
    this.current = allocF32(bins);
    this.stored = allocF32(bins * count);
    this.ofStored = allocF32(bins);
  }

  start(k: i32, value: f32): void {
    const o = <usize>k << 2;
    store<f32>(this.current + o, value);
    store<f32>(this.ofStored + o, value);
    for (let u = 0; u < this.count; u++) store<f32>(this.stored + ((<usize>(u * this.bins + k)) << 2), value);
  }

  /** Takes this hop's value of bin k and returns the minimum; `rotate` at the end of each sub-window. */
  // @ts-ignore: decorator
  @inline update(k: i32, value: f32, rotate: bool): f32 {
    const o = <usize>k << 2;
    const nowMin = min<f32>(load<f32>(this.current + o), value);
    if (!rotate) {
      store<f32>(this.current + o, nowMin);
      return min<f32>(nowMin, load<f32>(this.ofStored + o));
    }
    // Drop the oldest sub-window minimum, keep this one, restart the current minimum.
    let best = nowMin;
    for (let u = this.count - 1; u > 0; u--) {
      const older = load<f32>(this.stored + (<usize>((u - 1) * this.bins + k) << 2));
      store<f32>(this.stored + (<usize>(u * this.bins + k) << 2), older);
      best = min<f32>(best, older);
    }
    store<f32>(this.stored + o, nowMin);
    store<f32>(this.ofStored + o, best);
    store<f32>(this.current + o, value);
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
let noise: usize = 0;
let presence: usize = 0;
let smoothedPower: usize = 0;
let shortMinimum: RunningMinimum | null = null;
let longMinimum: RunningMinimum | null = null;
let hops: i32 = 0;
let floorRose = false;
let typicalRise: f32 = 1.0;

/** Lays out the per-bin state once (bins = frame / 2 + 1). */
export function noiseLayout(binCount: i32): void {
  if (noise != 0) return;
  bins = binCount;
  noise = allocF32(bins);
  presence = allocF32(bins);
  smoothedPower = allocF32(bins);
  shortMinimum = new RunningMinimum(bins, SHORT_SUBWINDOW, SHORT_SUBWINDOWS);
  longMinimum = new RunningMinimum(bins, LONG_SUBWINDOW, LONG_SUBWINDOWS);
}

/** Forgets everything: the next `noiseTrack` takes its frame as the noise. */
export function noiseReset(): void {
  hops = 0;
  floorRose = false;
  memory.fill(presence, 0, <usize>bins << 2);
}

/** Noise power per bin, updated by `noiseTrack`. */
export function noisePower(): usize {
  return noise;
}

/** Smoothed speech presence per bin (0-1), the gain rule's prior. */
export function noisePresence(): usize {
  return presence;
}

/** One hop: `power` holds |Y|^2 per bin of the current frame. */
export function noiseTrack(power: usize): void {
  const short = shortMinimum!;
  const long = longMinimum!;
  if (hops == 0) {
    // Smoothed over frequency from the first frame on: a single periodogram value is often far under the mean,
    // and as the minima's start it would hold them (and flag speech everywhere above them) for 1.5 s.
    for (let k = 0; k < bins; k++) {
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
  const lift = floorRose;
  const typicalRiseNow = typicalRise;
  let risen = 0;
  let riseLog2Sum: f32 = 0.0;
  for (let k = 0; k < bins; k++) {
    const o = <usize>k << 2;
    const y = load<f32>(power + o);
    // Smoothed power (over frequency, then time) and its running minima.
    const s: f32 = powerSmoothing * load<f32>(smoothedPower + o) + (1.0 - powerSmoothing) * acrossFrequency(power, k);
    store<f32>(smoothedPower + o, s);
    const shortFloor = short.update(k, s, shortEnds);
    const longFloor = long.update(k, s, longEnds);
    const speech: f32 = s > PRESENCE_RATIO * longFloor ? 1.0 : 0.0;
    const p: f32 = PRESENCE_SMOOTH * load<f32>(presence + o) + (1.0 - PRESENCE_SMOOTH) * speech;
    store<f32>(presence + o, p);
    const alpha: f32 = smoothing + (1.0 - smoothing) * p;
    let lambda = alpha * load<f32>(noise + o) + (1.0 - alpha) * y;
    if (boundsReady) {
      const lifted = RISE_LIFT * shortFloor;
      const ratio = lifted / max<f32>(lambda, 1e-20);
      if (ratio > RISE_RATIO) risen++;
      riseLog2Sum += fastLog2(max<f32>(ratio, 1.0));
      // A lift by at most the band's typical rise, so bins that speech raised are not lifted further.
      if (lift) lambda = max<f32>(lambda, min<f32>(lifted, lambda * typicalRiseNow));
      lambda = min<f32>(lambda, FALL_BOUND * shortFloor);
    }
    store<f32>(noise + o, max<f32>(lambda, 1e-12));
  }
  floorRose = <f32>risen > RISE_FRACTION * <f32>bins;
  typicalRise = fastExp2(riseLog2Sum / <f32>bins); // geometric mean over the band
  hops++;
}
