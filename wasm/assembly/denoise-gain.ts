// The denoiser's gain rule (wasm/assembly/denoise.ts), one call per hop, given |Y|^2, the noise power
// and the noise tracker's speech presence per bin.
//
//   a-priori SNR   decision-directed with an adaptive weight (as speexdsp's preprocessor): the weight of
//                  this hop's SNR grows with the previous clean-power estimate, so in speech the SNR
//                  follows the signal at once and in noise it stays smooth (no musical noise without a
//                  separate gain smoothing; smoother still above 2 kHz); then 0.7 of it is the mean over about 2 ERB around the bin,
//                  so a weak speech bin among stronger neighbours (a formant, a fricative) is not cut;
//   gain           the log-spectral-amplitude gain (Ephraim & Malah 1985), lowered further in hops whose
//                  voice band holds little speech (pauses), except in bins whose own a-priori SNR is high
//                  (a fricative above the voice band, a harmonic), bounded below by the floor; in a pause
//                  that has lasted 200 ms, 20 dB lower still above 5 kHz (and in the DC bin), released at once;
//   gate           the whole hop lower (10 dB at the default strength, under the floor) while no band of it
//                  has held speech for a while: a generalised likelihood ratio per bin, averaged over
//                  200 Hz-3 kHz and over 3-8 kHz, the larger of the two held with a slow decay.
// Measured on the bench (docs/media.md) and left out, each costing STOI: OM-LSA's weighting of the gain
// by the conditional speech presence (-0.006 to -0.01; even gated by the voice activity), Cohen's
// a-priori absence from the averaged a-priori SNR (-0.03 on pink), a time smoothing of the gain where no
// speech is likely (-0.002 to -0.003), a much deeper gain over the whole band after 50 ms (or 200 ms) of hops that look noise-only (-0.003
// on white, and PESQ fell too: weak speech has the same voice-band SNR as a pause). The gate's evidence is also the
// voice-activity output.

import { allocF32 } from './kernels/fft';
import { fastExp2, fastExp2x4, fastLog2, fastLog2x4 } from './kernels/fastmath';

const CLEAN_KEEP: f32 = 0.5; // the previous clean-power estimate's weight per hop (0.2 per 10 ms in speexdsp)
const BAND_WEIGHT: f32 = 0.7; // share of the a-priori SNR taken from the mean over the band around the bin
const BAND_ERBS: f32 = 2.0; // that band's width in ERB (Glasberg & Moore 1990: 24.7 (4.37 f/kHz + 1) Hz)
const PAUSE_SNR: f32 = 0.3; // mean a-priori SNR over 300 Hz-4 kHz (-5 dB) under which a hop counts as a pause
const PAUSE_SPARE: f32 = 2.0; // a bin keeps min(2 xi / (1 + xi), 1) of its gain from the pause gain: all of it from 0 dB
// The deep pause, on the bins that hold little or no speech intelligibility: after DEEP_AFTER_HOPS hops in a
// row that look like a pause (voice-band a-priori SNR under PAUSE_SNR, mean a-posteriori SNR under
// DEEP_RELEASE_GAMMA in the voice band and under DEEP_HIGH_RELEASE_GAMMA above it), bins above ~5 kHz fall a
// further DEEP_DB, DEEP_STEP_DB per hop, less in proportion to their own a-priori SNR as with the pause gain;
// the DC bins (up to 50 Hz, where pink noise's pause residue sits) do the same from the first such hop and
// unspared. A hop with evidence ends both at once. Over the whole band (or from 4 kHz) it cost STOI: speech
// 30-45 dB under its peak, around onsets and in real speech's inner pauses (which STOI counts), cannot be told
// from a pause in time. STOI does not see above 5 kHz; PESQ-WB does (to 8 kHz) and rises.
const DEEP_AFTER_HOPS: i32 = 75; // 200 ms: a real pause, not a weak syllable
const DEEP_LOW_HZ: f32 = 5000.0; // bins above it
const DC_HIGH_HZ: f32 = 50.0; // bins up to it (0 and 47 Hz at 1024 points) count as the DC bin: the pink residue sits under 50 Hz
const DEEP_DB: f32 = 20.0;
const DEEP_STEP_DB: f32 = 1.0; // 20 dB in 53 ms
const DEEP_RELEASE_GAMMA: f32 = 1.6; // over the mean of the voice band's bins: speech, not noise (set at 512 points)
const DEEP_HIGH_RELEASE_GAMMA: f32 = 1.3; // the same over the bins above 4 kHz (a fricative's onset)
const DB_TO_LOG2: f32 = 0.16609640; // log2(10) / 20
// The gate. Its evidence per bin is the generalised likelihood ratio of speech over noise with the a-priori SNR
// at its maximum-likelihood value gamma - 1: gamma - 1 - ln gamma where gamma > 1 (0.15 on average in noise,
// 6.7 at gamma 10), so a few strong bins (harmonics, a fricative) outweigh many noise bins. Averaged over two
// bands apart, voiced (low) and fricative (high) speech each show over their own band's noise; on the bench's
// white and pink mixtures the larger mean is under 0.37 in 99% of pause hops and over 0.4 in 95% of hops at 0-10
// dB local SNR on white (75% on pink). It is held with a decay of 0.97 per hop, so the gate stays open after
// loud speech for its tail (e.g. 30 -> 0.4 in 140 ms) and only briefly after a weak syllable.
// Measured against no gate (means over 0-15 dB, white / pink): pause attenuation +3.8 / +5.0 dB, STOI +0.0001 /
// -0.0008, PESQ -0.004 / +0.004, SI-SDR +0.12 / +0.13 dB; babble and bursts keep the gate open (their noise
// estimate sits under the noise). Deeper gates cost PESQ: 14 dB -0.016 / -0.011, 20 dB -0.05 / -0.07, because a
// causal gate clips the onsets of words (opening the same gate 21 ms earlier, which no causal rule can, turns
// 20 dB into PESQ +0.02); see docs/media.md.
const GATE_LOW_HZ: f32 = 200.0;
const GATE_SPLIT_HZ: f32 = 3000.0;
const GATE_HIGH_HZ: f32 = 8000.0;
const GATE_OPEN: f32 = 0.4; // held evidence over which the gate is open
const GATE_DECAY: f32 = 0.97; // the held evidence's fall per hop
const GATE_STEP_DB: f32 = 2.0; // the gate closes 2 dB per hop and opens at once
const LN_2: f32 = 0.6931472;
// The decision-directed weight's floor above SPLIT_HZ. speexdsp's 0.1 is per 10 ms; per 2.67 ms hop the same
// memory is 0.028. 0.1 per hop let the a-priori SNR follow each noise periodogram, which kept 10-15 dB of the
// noise in speech and pauses. Below SPLIT_HZ, where voiced speech's harmonics start and stop, 0.1 stays: there
// the smoother estimate cost both STOI and PESQ. Measured (means over 0-15 dB, white / pink, against 0.1 everywhere):
// 0.05 everywhere PESQ +0.086 / +0.042, STOI -0.0020 / -0.0027; 0.05 above 1 kHz PESQ +0.104 / +0.062, STOI
// -0.0016 / -0.0017; 0.03 above 2 kHz PESQ +0.140 / +0.066, STOI -0.0018 / -0.0017, SI-SDR +0.86 / +0.11 dB,
// pause attenuation +3.0 / +0.9 dB; 0.02 above 2 kHz PESQ +0.168, STOI -0.0024 (white).
const NOISE_WEIGHT: f32 = 0.03;
const SPLIT_HZ: f32 = 2000.0;
const ONSET_WEIGHT: f32 = 0.1;
const ONSET_GAMMA: f32 = 4.0; // 6 dB over the noise: a noise bin's periodogram is above it 1.8% of the time
const XI_MIN: f32 = 0.0032; // -25 dB
const GAMMA_MAX: f32 = 1000.0;

// exp(0.5 * E1(v)) tabulated over log2(v), the only transcendental part of the LSA gain.
const LSA_TABLE_SIZE: i32 = 512;
const LSA_LOG2_MIN: f32 = -20.0;
const LSA_LOG2_MAX: f32 = 6.0;

let bins: i32 = 0;
let splitBin: i32 = 0; // the first bin above SPLIT_HZ (the vector loop switches at the next multiple of four)
let vectorBins: i32 = 0; // bins rounded up to whole v128s: per-bin buffers are padded to it, the padding lanes ignored
let deepLowBin: i32 = 0;
let dcHighBin: i32 = 0;
// exp(0.5 E1(v)) at the table's points i and i + 1, for i < LSA_TABLE_SIZE - 1: each lane interpolates from one
// 64-bit load.
let lsaPairs: usize = 0;
let previousClean: usize = 0; // recursively smoothed G^2 |Y|^2
let priorSnr: usize = 0; // this hop's a-priori SNR per bin, before the band mean (after it, once the gain is out)
let posteriorSnr: usize = 0; // this hop's a-posteriori SNR per bin (then v = xi / (1 + xi) gamma)
let priorSnrSum: usize = 0; // its prefix sums (bins + 1), for the band means
let bandLow: usize = 0; // i32 per bin: the first bin of its ERB band
let bandEnd: usize = 0; // i32 per bin: one past the last bin of its ERB band
let bandCount: usize = 0; // f32 per bin: the bins in its ERB band
let pauseHops: i32 = 0; // hops in a row that looked like a pause
let deepLog2: f32 = 0.0; // the deep pause's extra gain above 5 kHz, log2 (0 = none)
let dcLog2: f32 = 0.0; // the same for the DC bin
let gateLowBin: i32 = 0; // the gate's bands, in whole v128s: [gateLowBin, gateSplitBin) and [gateSplitBin, gateHighBin)
let gateSplitBin: i32 = 0;
let gateHighBin: i32 = 0;
let gateEvidence: f32 = 0.0; // the held evidence
let gateLog2: f32 = 0.0; // the gate's gain, log2 (0 = open)

function exponentialIntegral(x: f64): f64 {
  if (x < 1.0) {
    // E1(x) = -gamma - ln x - sum_{k>=1} (-x)^k / (k k!)
    let sum = 0.0;
    let term = 1.0;
    for (let k = 1; k < 40; k++) {
      term *= -x / <f64>k;
      sum += term / <f64>k;
    }
    return -0.5772156649015329 - Math.log(x) - sum;
  }
  // Continued fraction (Lentz), converges fast for x >= 1.
  let b = x + 1.0;
  let c = 1.0 / 1e-300;
  let d = 1.0 / b;
  let h = d;
  for (let i = 1; i < 200; i++) {
    const an = -<f64>(i * i);
    b += 2.0;
    d = 1.0 / (an * d + b);
    c = b + an / c;
    const delta = c * d;
    h *= delta;
    if (Math.abs(delta - 1.0) < 1e-12) break;
  }
  return h * Math.exp(-x);
}

/** exp(0.5 E1(v)) at table point i, v from 2^LSA_LOG2_MIN to 2^LSA_LOG2_MAX evenly in log2. */
function lsaPoint(i: i32): f32 {
  const log2v = LSA_LOG2_MIN + (LSA_LOG2_MAX - LSA_LOG2_MIN) * <f32>i / <f32>(LSA_TABLE_SIZE - 1);
  return <f32>Math.exp(0.5 * exponentialIntegral(Math.pow(2.0, <f64>log2v)));
}

/** Lays out the per-bin state once (bins = frame / 2 + 1, at 48 kHz). */
export function gainLayout(binCount: i32): void {
  if (lsaPairs != 0) return;
  bins = binCount;
  const binHz: f32 = 24000.0 / <f32>(bins - 1);
  deepLowBin = <i32>(DEEP_LOW_HZ / binHz);
  splitBin = <i32>(SPLIT_HZ / binHz);
  dcHighBin = <i32>(DC_HIGH_HZ / binHz);
  gateLowBin = <i32>(GATE_LOW_HZ / binHz) & ~3;
  gateSplitBin = <i32>(GATE_SPLIT_HZ / binHz) & ~3;
  gateHighBin = <i32>(GATE_HIGH_HZ / binHz) & ~3;
  lsaPairs = allocF32(2 * (LSA_TABLE_SIZE - 1));
  for (let i = 0; i < LSA_TABLE_SIZE - 1; i++) {
    store<f32>(lsaPairs + (<usize>i << 3), lsaPoint(i));
    store<f32>(lsaPairs + (<usize>i << 3), lsaPoint(i + 1), 4);
  }
  vectorBins = (bins + 3) & ~3;
  previousClean = allocF32(vectorBins);
  priorSnr = allocF32(vectorBins);
  posteriorSnr = allocF32(vectorBins);
  priorSnrSum = allocF32(bins + 1);
  bandLow = allocF32(vectorBins); // i32s, same size
  bandEnd = allocF32(vectorBins);
  bandCount = allocF32(vectorBins);
  for (let k = 0; k < vectorBins; k++) {
    const erbHz: f32 = 24.7 * (4.37 * (<f32>k * binHz) / 1000.0 + 1.0);
    const half = <i32>(BAND_ERBS * erbHz / binHz * 0.5);
    // The padding lanes get a valid band too, so that their loads stay inside priorSnrSum.
    const low = max<i32>(min<i32>(k, bins - 1) - half, 0);
    const high = min<i32>(k + half, bins - 1);
    store<i32>(bandLow + (<usize>k << 2), low);
    store<i32>(bandEnd + (<usize>k << 2), high + 1);
    store<f32>(bandCount + (<usize>k << 2), <f32>(high - low + 1));
  }
}

export function gainReset(): void {
  memory.fill(previousClean, 0, <usize>vectorBins << 2);
  pauseHops = 0;
  deepLog2 = 0.0;
  dcLog2 = 0.0;
  gateEvidence = 0.0;
  gateLog2 = 0.0;
}

/** base[index] for the four i32 lanes of `index`. */
// @ts-ignore: decorator
@inline function gatherF32(base: usize, index: v128): v128 {
  let r = f32x4.splat(load<f32>(base + (<usize>i32x4.extract_lane(index, 0) << 2)));
  r = f32x4.replace_lane(r, 1, load<f32>(base + (<usize>i32x4.extract_lane(index, 1) << 2)));
  r = f32x4.replace_lane(r, 2, load<f32>(base + (<usize>i32x4.extract_lane(index, 2) << 2)));
  return f32x4.replace_lane(r, 3, load<f32>(base + (<usize>i32x4.extract_lane(index, 3) << 2)));
}

/** The LSA gain's exp(0.5 E1(v)) on four lanes, interpolated in the table in log2(v); each lane reads its two points at once. */
// @ts-ignore: decorator
@inline function lsaGainFactorx4(v: v128): v128 {
  const position = f32x4.mul(
    f32x4.sub(fastLog2x4(f32x4.max(v, f32x4.splat(1e-30))), f32x4.splat(LSA_LOG2_MIN)),
    f32x4.splat(<f32>(LSA_TABLE_SIZE - 1) / (LSA_LOG2_MAX - LSA_LOG2_MIN)),
  );
  const beyond = f32x4.ge(position, f32x4.splat(<f32>(LSA_TABLE_SIZE - 1)));
  const clamped = f32x4.max(position, f32x4.splat(0.0));
  const index = i32x4.trunc_sat_f32x4_s(clamped);
  const t = f32x4.sub(clamped, f32x4.convert_i32x4_s(index));
  // Lanes beyond the table take 1.0 below; their index is clamped only so that the loads stay inside it.
  const safeIndex = i32x4.min_s(index, i32x4.splat(LSA_TABLE_SIZE - 2));
  let low = v128.load64_lane(lsaPairs + (<usize>i32x4.extract_lane(safeIndex, 0) << 3), f32x4.splat(0.0), 0);
  low = v128.load64_lane(lsaPairs + (<usize>i32x4.extract_lane(safeIndex, 1) << 3), low, 1);
  let high = v128.load64_lane(lsaPairs + (<usize>i32x4.extract_lane(safeIndex, 2) << 3), f32x4.splat(0.0), 0);
  high = v128.load64_lane(lsaPairs + (<usize>i32x4.extract_lane(safeIndex, 3) << 3), high, 1);
  const a = v128.shuffle<f32>(low, high, 0, 2, 4, 6);
  const b = v128.shuffle<f32>(low, high, 1, 3, 5, 7);
  return v128.bitselect(f32x4.splat(1.0), f32x4.add(a, f32x4.mul(f32x4.sub(b, a), t)), beyond);
}

// @ts-ignore: decorator
@inline function laneSum(x: v128): f32 {
  return f32x4.extract_lane(x, 0) + f32x4.extract_lane(x, 1) + f32x4.extract_lane(x, 2) + f32x4.extract_lane(x, 3);
}

/** Moves the gate (log2 gain, down to `gateFloorLog2`) by this hop's two band means of the likelihood ratio. */
function gateUpdate(lowSum: v128, highSum: v128, gateFloorLog2: f32): void {
  const low = laneSum(lowSum) / <f32>(gateSplitBin - gateLowBin);
  const high = laneSum(highSum) / <f32>(gateHighBin - gateSplitBin);
  gateEvidence = max<f32>(max<f32>(low, high), GATE_DECAY * gateEvidence);
  gateLog2 = gateEvidence > GATE_OPEN ? 0.0 : max<f32>(gateLog2 - GATE_STEP_DB * DB_TO_LOG2, gateFloorLog2);
}

/** Whether the gate's held evidence says speech (the voice-activity output; at any strength, 0 included). */
export function gateOpen(): bool {
  return gateEvidence > GATE_OPEN;
}

/**
 * Writes the gain per bin into `gains`: the floor to 1, times the gate (down to `gateFloorLog2`, log2). `power`
 * holds |Y|^2, `noise` the noise power; [voiceLow, voiceHigh] are the voice band's bins (for the pause gain).
 */
export function gainApply(
  power: usize, noise: usize, gains: usize, gainFloor: f32, gateFloorLog2: f32, voiceLow: i32, voiceHigh: i32,
): void {
  // Four bins at a time (the buffers are padded to vectorBins); the sums stay scalar, in bin order.
  let gateLow = f32x4.splat(0.0);
  let gateHigh = f32x4.splat(0.0);
  for (let k = 0; k < vectorBins; k += 4) {
    const o = <usize>k << 2;
    const lambda = v128.load(noise + o);
    const gamma = f32x4.min(f32x4.div(v128.load(power + o), lambda), f32x4.splat(GAMMA_MAX));
    if (k >= gateLowBin && k < gateHighBin) {
      const above = f32x4.max(gamma, f32x4.splat(1.0));
      const ratio = f32x4.sub(f32x4.sub(above, f32x4.splat(1.0)), f32x4.mul(fastLog2x4(above), f32x4.splat(LN_2)));
      if (k < gateSplitBin) gateLow = f32x4.add(gateLow, ratio);
      else gateHigh = f32x4.add(gateHigh, ratio);
    }
    const clean = v128.load(previousClean + o);
    // speexdsp's weight: low in noise (smooth), up to 0.99 where the clean estimate dominates (follows speech),
    // and at least ONSET_WEIGHT where this bin stands clearly above the noise (an onset follows at once).
    const share = f32x4.div(clean, f32x4.add(clean, lambda));
    const onset = f32x4.gt(gamma, f32x4.splat(ONSET_GAMMA));
    const floorHere: f32 = k < splitBin ? ONSET_WEIGHT : NOISE_WEIGHT;
    const base = v128.bitselect(f32x4.splat(ONSET_WEIGHT), f32x4.splat(floorHere), onset);
    const weight = f32x4.add(base, f32x4.mul(f32x4.mul(f32x4.splat(0.89), share), share));
    const fromGamma = f32x4.mul(weight, f32x4.max(f32x4.sub(gamma, f32x4.splat(1.0)), f32x4.splat(0.0)));
    const fromClean = f32x4.div(f32x4.mul(f32x4.sub(f32x4.splat(1.0), weight), clean), lambda);
    v128.store(priorSnr + o, f32x4.max(f32x4.add(fromGamma, fromClean), f32x4.splat(XI_MIN)));
    v128.store(posteriorSnr + o, gamma);
  }
  gateUpdate(gateLow, gateHigh, gateFloorLog2);
  const gate = f32x4.splat(fastExp2(gateLog2));
  let sum: f32 = 0.0;
  let voiceGamma: f32 = 0.0;
  let highGamma: f32 = 0.0;
  store<f32>(priorSnrSum, 0.0);
  for (let k = 0; k < bins; k++) {
    const o = <usize>k << 2;
    const gamma = load<f32>(posteriorSnr + o);
    if (k >= voiceLow && k <= voiceHigh) voiceGamma += gamma;
    else if (k > voiceHigh) highGamma += gamma;
    sum += load<f32>(priorSnr + o);
    store<f32>(priorSnrSum + o + 4, sum);
  }
  // Where the voice band as a whole holds little speech, the gain drops further, with the square root of
  // its mean a-priori SNR below PAUSE_SNR: noise in pauses goes down 2-3 dB more, and STOI rises with it.
  // Bins whose own a-priori SNR is high are spared in proportion (in the log domain): a fricative above the
  // voice band or a weak harmonic in a quiet hop is speech, not a pause. Sparing them is what lets the
  // threshold rise from -8 to -5 dB without the STOI cost it had (+0.04 PESQ on white and pink).
  const voiceSnr = (load<f32>(priorSnrSum + (<usize>(voiceHigh + 1) << 2)) - load<f32>(priorSnrSum + (<usize>voiceLow << 2))) / <f32>(voiceHigh - voiceLow + 1);
  const pauseGain: f32 = Mathf.sqrt(min<f32>(voiceSnr / PAUSE_SNR, 1.0));
  const pauseLog2: f32 = fastLog2(max<f32>(pauseGain, 1e-6));
  const inPause = pauseGain < 1.0;
  const voiceBins = <f32>(voiceHigh - voiceLow + 1);
  const quiet = voiceGamma < DEEP_RELEASE_GAMMA * voiceBins && highGamma < DEEP_HIGH_RELEASE_GAMMA * <f32>(bins - 1 - voiceHigh);
  if (inPause && quiet) pauseHops++;
  else pauseHops = 0;
  // Either is below 0 only if this hop is inPause.
  deepLog2 = pauseHops > DEEP_AFTER_HOPS ? max<f32>(deepLog2 - DEEP_STEP_DB * DB_TO_LOG2, -DEEP_DB * DB_TO_LOG2) : 0.0;
  dcLog2 = pauseHops > 0 ? max<f32>(dcLog2 - DEEP_STEP_DB * DB_TO_LOG2, -DEEP_DB * DB_TO_LOG2) : 0.0;
  const deepLog2V = f32x4.splat(deepLog2);
  const dcLog2V = f32x4.splat(dcLog2);
  const pauseLog2V = f32x4.splat(pauseLog2);
  const one = f32x4.splat(1.0);
  let lanes = i32x4(0, 1, 2, 3); // the bin of each lane
  for (let k = 0; k < vectorBins; k += 4) {
    const o = <usize>k << 2;
    const bandSums = gatherF32(priorSnrSum, v128.load(bandEnd + o));
    const bandMean = f32x4.div(f32x4.sub(bandSums, gatherF32(priorSnrSum, v128.load(bandLow + o))), v128.load(bandCount + o));
    const xi = f32x4.add(f32x4.mul(f32x4.splat(1.0 - BAND_WEIGHT), v128.load(priorSnr + o)), f32x4.mul(f32x4.splat(BAND_WEIGHT), bandMean));
    const y = v128.load(power + o);
    const ratio = f32x4.div(xi, f32x4.add(one, xi));
    const v = f32x4.mul(ratio, v128.load(posteriorSnr + o));
    const gain = f32x4.min(f32x4.mul(ratio, lsaGainFactorx4(v)), one);
    const cleanNow = f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(1.0 - CLEAN_KEEP), gain), gain), y);
    v128.store(previousClean + o, f32x4.add(f32x4.mul(f32x4.splat(CLEAN_KEEP), v128.load(previousClean + o)), cleanNow));
    let pauseShare = one;
    if (inPause) {
      const unspared = f32x4.sub(one, f32x4.min(f32x4.mul(f32x4.splat(PAUSE_SPARE), ratio), one));
      const deepShare = v128.bitselect(
        f32x4.mul(deepLog2V, unspared),
        v128.and(dcLog2V, i32x4.le_s(lanes, i32x4.splat(dcHighBin))),
        i32x4.gt_s(lanes, i32x4.splat(deepLowBin)),
      );
      pauseShare = fastExp2x4(f32x4.add(f32x4.mul(pauseLog2V, unspared), deepShare));
    }
    v128.store(gains + o, f32x4.mul(f32x4.max(f32x4.mul(gain, pauseShare), f32x4.splat(gainFloor)), gate));
    lanes = i32x4.add(lanes, i32x4.splat(4));
  }
}
