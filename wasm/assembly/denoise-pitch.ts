// Pitch (comb) filtering of voiced speech for the denoiser (wasm/assembly/denoise.ts), one call per hop.
//
// Even the 46.9 Hz bins of the 1024-point transform hardly resolve the harmonics of most voices (100-250 Hz
// apart; the 768-sample analysis window's main lobe spans several bins), so the gain alone lets the noise
// between them pass. As in Valin (2018, "A hybrid DSP/deep learning approach to real-time full-band
// speech enhancement", pitch filtering), the frame one pitch period T earlier (already in the
// past: no extra delay) is windowed and transformed (P) and, per band below 6.4 kHz, r_b P is added to
// the frame X: harmonics add in phase, noise does not; each band's energy is then set back to X's, so the
// noise estimate (of X) still holds for it. r_b is the one that maximises the band's SNR after the filter
// (derived below); Valin's formula did as well here (within 0.0001 STOI), r = 1 everywhere does not
// (-0.003 to -0.004 STOI), nor does 1.5x r. Above 6.4 kHz the filter gained nothing (STOI does not see
// it, PESQ was unchanged), so it stops there.
// The period: normalised autocorrelation of the frame on a 4x decimated signal (12 kHz, 60-500 Hz), the
// best lag divided by 2-4 where that sub-multiple correlates almost as well (octave errors pick a multiple
// of the period), refined at full rate around 4x the decimated lag. Two taps (P from the mean of the
// frames T and 2T back) gained 0.0004 STOI on pink and lost 0.006 PESQ there, 0.0002 STOI on white.
// The voicing (the full-rate normalised correlation at the period, ~0.1 in white noise) gates the filter:
// ungated, it ran in noise-only hops too, where a band's speech share is ~0 and chance correlation then
// drives r to 1; that spreads the band's noise unevenly over its bins, raises the a-priori SNR and keeps
// the deep pause (denoise-gain.ts) from starting (3 dB less late in a pause). The gate costs 0.012 PESQ
// on white. A gate on the band's speech share instead cost more (0.017 PESQ, 0.0002-0.0003 STOI).

import { RealFft, allocF32 } from './kernels/fft';

const FRAME: i32 = 512;
export const PITCH_MAX_PERIOD: i32 = 800; // 60 Hz
const MIN_PERIOD: i32 = 96; // 500 Hz
const DECIMATION: i32 = 4;
const DECIMATED_FRAME: i32 = FRAME / DECIMATION;
const DECIMATED_MIN: i32 = MIN_PERIOD / DECIMATION;
const DECIMATED_MAX: i32 = PITCH_MAX_PERIOD / DECIMATION;
const DECIMATED_LENGTH: i32 = DECIMATED_FRAME + DECIMATED_MAX;
const REFINE_SPAN: i32 = 3; // full-rate lags 4L-3..4L+3 around the decimated lag L
const OCTAVE_SHARE: f32 = 0.85; // a sub-multiple of the best lag that correlates this well is the period
const MAX_DIVISOR: i32 = 4;
const SEARCH_EVERY: i32 = 2;
// Band edges in bins of a 512-point transform (93.75 Hz; scaled to the denoiser's transform): 3 bins wide
// below 2.25 kHz, wider above, as RNNoise's bands grow.
// 1 bin: the correlation is too noisy (-0.003 STOI); 2 bins: -0.0005 STOI on pink at 0 dB, -0.005 PESQ;
// 4 bins: -0.0008 there; each bin its own sliding band of 3: -0.0007 STOI on white.
const BAND_COUNT: i32 = 14; // up to 6.4 kHz
const EPSILON: f32 = 1e-9;
const VOICING_LOW: f32 = 0.1; // the filter is off below this voicing ...
const VOICING_HIGH: f32 = 0.4; // ... and at full strength above this
const MIN_SHARE: f32 = 0.001;
const MAX_SNR: f32 = 1000.0;

let bandEdges: usize = 0; // i32[BAND_COUNT + 1]
let decimated: usize = 0; // f32[DECIMATED_LENGTH]: the 12 kHz signal, newest last
let delayedFrame: usize = 0; // f32[transformLength]
let delayedSpectrum: usize = 0; // (re, im)[bins]
let bins: i32 = 0;
let transformLength: i32 = 0; // the denoiser's transform (the pitch search looks at its last FRAME samples)
let period: i32 = MIN_PERIOD;
let coarseLag: i32 = DECIMATED_MIN;
let searchHops: i32 = 0;
let gate: f32 = 0.0; // 0-1 from the voicing (the full-rate normalised correlation at the period)

export function pitchLayout(binCount: i32, frameLength: i32): void {
  if (bandEdges != 0) return;
  bins = binCount;
  transformLength = frameLength;
  const binsPer512 = frameLength / FRAME; // the edges below are in bins of a 512-point transform
  bandEdges = allocF32(BAND_COUNT + 1);
  const edges: StaticArray<i32> = [0, 3, 6, 9, 12, 15, 18, 21, 24, 28, 32, 40, 48, 56, 68];
  for (let b = 0; b <= BAND_COUNT; b++) store<i32>(bandEdges + (<usize>b << 2), edges[b] * binsPer512);
  decimated = allocF32(DECIMATED_LENGTH);
  delayedFrame = allocF32(transformLength);
  delayedSpectrum = allocF32(bins * 2);
}

export function pitchReset(): void {
  memory.fill(decimated, 0, <usize>DECIMATED_LENGTH << 2);
  period = MIN_PERIOD;
  coarseLag = DECIMATED_MIN;
  searchHops = 0;
  gate = 0.0;
}

/** Sum of a[i] b[i] over `count` samples (a multiple of 4), four at a time. */
function dot(a: usize, b: usize, count: i32): f32 {
  let acc = f32x4.splat(0.0);
  for (let i = 0; i < count; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
}

// @ts-ignore: decorator
@inline function normalised(cross: f32, a: f32, b: f32): f32 {
  return cross / Mathf.sqrt(a * b + EPSILON);
}

/** Normalised correlation of the decimated frame with itself `lag` samples earlier. */
function decimatedCorrelation(lag: i32, frameEnergy: f32): f32 {
  const current = decimated + (<usize>DECIMATED_MAX << 2);
  const past = current - (<usize>lag << 2);
  return normalised(dot(current, past, DECIMATED_FRAME), frameEnergy, dot(past, past, DECIMATED_FRAME));
}

/**
 * Estimates the pitch period of the FRAME samples at `frameStart` (preceded in memory by PITCH_MAX_PERIOD
 * samples of the past); `hop` new samples arrived at its end.
 */
export function pitchSearch(frameStart: usize, hop: i32): void {
  const newDecimated = hop / DECIMATION;
  memory.copy(decimated, decimated + (<usize>newDecimated << 2), <usize>(DECIMATED_LENGTH - newDecimated) << 2);
  const source = frameStart + (<usize>(FRAME - hop) << 2);
  for (let i = 0; i < newDecimated; i++) {
    const s = source + (<usize>(i * DECIMATION) << 2);
    // The mean of 4 samples: a coarse low-pass, enough to find the lag that the full rate then refines.
    const mean: f32 = 0.25 * (load<f32>(s) + load<f32>(s, 4) + load<f32>(s, 8) + load<f32>(s, 12));
    store<f32>(decimated + (<usize>(DECIMATED_LENGTH - newDecimated + i) << 2), mean);
  }
  // The coarse search every SEARCH_EVERY hops; the full-rate refinement around the last coarse lag every hop.
  searchHops++;
  if (searchHops >= SEARCH_EVERY) {
    searchHops = 0;
    coarseLag = coarseSearch();
  }
  refine(frameStart, coarseLag);
}

function coarseSearch(): i32 {
  const current = decimated + (<usize>DECIMATED_MAX << 2);
  const frameEnergy = dot(current, current, DECIMATED_FRAME);
  let best: i32 = DECIMATED_MIN;
  let bestCorrelation: f32 = -1.0;
  for (let lag = DECIMATED_MIN; lag <= DECIMATED_MAX; lag++) {
    const c = decimatedCorrelation(lag, frameEnergy);
    if (c > bestCorrelation) {
      bestCorrelation = c;
      best = lag;
    }
  }
  // Octave guard: the largest divisor whose sub-multiple (+-1) still correlates almost as well.
  for (let divisor = MAX_DIVISOR; divisor >= 2; divisor--) {
    const candidate = (best + (divisor >> 1)) / divisor;
    if (candidate - 1 < DECIMATED_MIN) continue;
    let found = false;
    for (let lag = candidate - 1; lag <= candidate + 1; lag++) {
      if (decimatedCorrelation(lag, frameEnergy) > OCTAVE_SHARE * bestCorrelation) {
        best = lag;
        found = true;
        break;
      }
    }
    if (found) break;
  }
  return best;
}

/** Full-rate refinement over the whole frame around 4x the decimated lag `best`; sets the period and the gate. */
function refine(frameStart: usize, best: i32): void {
  const fullEnergy = dot(frameStart, frameStart, FRAME);
  let bestPeriod = best * DECIMATION;
  let bestFull: f32 = -1.0;
  for (let lag = best * DECIMATION - REFINE_SPAN; lag <= best * DECIMATION + REFINE_SPAN; lag++) {
    if (lag < MIN_PERIOD || lag > PITCH_MAX_PERIOD) continue;
    const past = frameStart - (<usize>lag << 2);
    const c = normalised(dot(frameStart, past, FRAME), fullEnergy, dot(past, past, FRAME));
    if (c > bestFull) {
      bestFull = c;
      bestPeriod = lag;
    }
  }
  period = bestPeriod;
  gate = min<f32>(max<f32>((bestFull - VOICING_LOW) / (VOICING_HIGH - VOICING_LOW), 0.0), 1.0);
}

/** Windows the frame one period earlier and transforms it into the delayed spectrum. */
export function pitchTransform(frameStart: usize, window: usize, fft: RealFft): void {
  if (gate <= 0.0) return; // the filter is off this hop (unvoiced speech, noise): no transform
  const past = frameStart - (<usize>period << 2);
  for (let i = 0; i < transformLength; i++) {
    const o = <usize>i << 2;
    store<f32>(delayedFrame + o, load<f32>(past + o) * load<f32>(window + o));
  }
  fft.forward(delayedFrame, delayedSpectrum);
}

/**
 * Adds r_b P to X (`spectrum`) per band and restores each band's energy; `noise` holds the noise power
 * per bin (of X). Returns false, leaving X as it was, where the voicing gate is shut.
 */
export function pitchFilter(spectrum: usize, noise: usize): bool {
  if (gate <= 0.0) return false;
  for (let b = 0; b < BAND_COUNT; b++) {
    const low = load<i32>(bandEdges + (<usize>b << 2));
    const high = min<i32>(load<i32>(bandEdges + (<usize>(b + 1) << 2)), bins);
    let xEnergy: f32 = 0.0;
    let pEnergy: f32 = 0.0;
    let cross: f32 = 0.0;
    let noisePower: f32 = 0.0;
    for (let k = low; k < high; k++) {
      const o = <usize>k << 3;
      const xr = load<f32>(spectrum + o);
      const xi = load<f32>(spectrum + o, 4);
      const pr = load<f32>(delayedSpectrum + o);
      const pi = load<f32>(delayedSpectrum + o, 4);
      const e = xr * xr + xi * xi;
      xEnergy += e;
      pEnergy += pr * pr + pi * pi;
      cross += xr * pr + xi * pi;
      noisePower += load<f32>(noise + (<usize>k << 2));
    }
    if (xEnergy <= EPSILON || pEnergy <= EPSILON) continue;
    const correlation = max<f32>(normalised(cross, xEnergy, pEnergy), 0.0);
    // The band's share of speech power, g^2, by spectral subtraction on this hop. The gain rule's own g^2
    // (this hop's, before the filter) costs 0.0004-0.0005 STOI on white and pink once the gain rule sees
    // the filtered spectrum (it gains 0.0004-0.0006 on babble and bursts, where the noise is underestimated).
    const speech = max<f32>(1.0 - noisePower / xEnergy, 0.0);
    // With X = S + N and P scaled to X's energy = rho S + S' + N' (rho: the share of the speech that repeats
    // one period later; S', N, N' uncorrelated; noise power equal in X and P), the correlation is
    // c = rho g^2, and the SNR of X + r P against (1 + r rho) S is
    //   (1 + r rho)^2 a / (1 + r^2 (1 + (1 - rho^2) a)),   a = g^2 / (1 - g^2) the band's SNR,
    // largest at r = rho / (1 + (1 - rho^2) a): 1 for perfectly periodic speech, rho in deep noise.
    const periodic = min<f32>(correlation / max<f32>(speech, MIN_SHARE), 1.0);
    const snr = min<f32>(speech / max<f32>(1.0 - speech, MIN_SHARE), MAX_SNR);
    const r: f32 = gate * Mathf.sqrt(xEnergy / pEnergy) * periodic / (1.0 + (1.0 - periodic * periodic) * snr);
    let yEnergy: f32 = 0.0;
    for (let k = low; k < high; k++) {
      const o = <usize>k << 3;
      const yr = load<f32>(spectrum + o) + r * load<f32>(delayedSpectrum + o);
      const yi = load<f32>(spectrum + o, 4) + r * load<f32>(delayedSpectrum + o, 4);
      store<f32>(spectrum + o, yr);
      store<f32>(spectrum + o, yi, 4);
      yEnergy += yr * yr + yi * yi;
    }
    const norm = Mathf.sqrt(xEnergy / (yEnergy + EPSILON));
    for (let k = low; k < high; k++) {
      const o = <usize>k << 3;
      store<f32>(spectrum + o, load<f32>(spectrum + o) * norm);
      store<f32>(spectrum + o, load<f32>(spectrum + o, 4) * norm, 4);
    }
  }
  return true;
}
