// Speech denoiser for 48 kHz mono, one 128-sample AudioWorklet quantum per call.
//
// STFT: 512-point frames, sqrt-Hann analysis and synthesis windows, 128-sample hop (75% overlap),
// so the algorithmic delay is 512 - 128 = 384 samples (8 ms) and no buffering beyond the quantum.
// Per bin:
//   noise power   MCRA (Cohen & Berdugo 2002): minimum-statistics speech presence decides how fast the
//                 noise estimate follows the periodogram;
//   a-priori SNR  decision-directed (Ephraim & Malah 1984);
//   gain          OM-LSA (Cohen 2002): log-spectral-amplitude gain under speech presence, weighted
//                 geometrically with a floor by the conditional speech presence probability;
//   smoothing     the gain is smoothed over time when the frame holds no speech, against musical noise.
// Time constants of the papers (8-16 ms hops) are rescaled to this 2.67 ms hop: a = a0^(hop/hop0).

import { RealFft, allocF32 } from './kernels/fft';
import { LOG2_E, fastExp2, fastLog2 } from './kernels/fastmath';

export const DENOISE_HOP: i32 = 128;
const FRAME: i32 = 512;
const BINS: i32 = FRAME / 2 + 1;
const BIN_HZ: f32 = 48000.0 / <f32>FRAME;

const SMOOTH_POWER: f32 = 0.928; // 0.8 at 8 ms
const PRESENCE_SMOOTH: f32 = 0.585; // 0.2 at 8 ms
const NOISE_SMOOTH: f32 = 0.983; // 0.95 at 8 ms
const PRESENCE_RATIO: f32 = 3.0; // S / Smin above this means speech (MCRA's delta; 5 lost weak speech)
 // the MCRA recursion under-estimates noise power right after speech
const MIN_SUBWINDOW: i32 = 72; // hops per minimum-statistics sub-window (192 ms)
const MIN_SUBWINDOWS: i32 = 8; // about 1.5 s of minimum tracking, as Martin (2001)
const WARMUP_HOPS: i32 = FRAME / DENOISE_HOP; // until the first frame is full, everything is noise
const RUNNING_MEAN_HOPS: i32 = 94; // 250 ms
const DD_ALPHA: f32 = 0.95;
const XI_MIN: f32 = 0.0032; // -25 dB
const GAMMA_MAX: f32 = 1000.0;
const VOICE_LOW_BIN: i32 = <i32>(300.0 / BIN_HZ);
const VOICE_HIGH_BIN: i32 = <i32>(4000.0 / BIN_HZ);
const VOICE_HOLD_HOPS: i32 = 112; // 300 ms hangover
const MAX_ATTENUATION_DB: f32 = 40.0;

// exp(0.5 * E1(v)) tabulated over log2(v), the only transcendental part of the LSA gain.
const LSA_TABLE_SIZE: i32 = 512;
const LSA_LOG2_MIN: f32 = -20.0;
const LSA_LOG2_MAX: f32 = 6.0;

let fft: RealFft | null = null;
let window: usize = 0;
let frame: usize = 0;
let windowed: usize = 0;
let spectrum: usize = 0;
let synthesis: usize = 0;
let overlap: usize = 0;
let inputBuffer: usize = 0;
let outputBuffer: usize = 0;
let lsaTable: usize = 0;
// Per-bin state.
let smoothedPower: usize = 0;
let minimumNow: usize = 0;
let minimumSubwindows: usize = 0;
let minimumOfSubwindows: usize = 0;
let presence: usize = 0;
let noise: usize = 0;
let previousCleanSnr: usize = 0; // G^2 * gamma of the previous hop
let smoothedGain: usize = 0;

let hops: i32 = 0;
let strength: f32 = 0.8;
let gainFloor: f32 = 0.0;
let speechProbability: f32 = 0.0;
let voiceHold: i32 = 0;

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

function setStrengthInternal(value: f32): void {
  strength = min<f32>(max<f32>(value, 0.0), 1.0);
  gainFloor = fastExp2((-MAX_ATTENUATION_DB * strength / 20.0) * 3.321928);
}

/** Lays out every buffer once; later calls only reset the state. Returns the hop size (128). */
export function denoiseInit(): i32 {
  if (fft == null) {
    fft = new RealFft(FRAME);
    window = allocF32(FRAME);
    for (let i = 0; i < FRAME; i++) {
      const hann = 0.5 - 0.5 * Math.cos((2.0 * Math.PI * <f64>i) / <f64>FRAME);
      store<f32>(window + (<usize>i << 2), <f32>Math.sqrt(hann));
    }
    frame = allocF32(FRAME);
    windowed = allocF32(FRAME);
    spectrum = allocF32(BINS * 2);
    synthesis = allocF32(FRAME);
    overlap = allocF32(FRAME);
    inputBuffer = allocF32(DENOISE_HOP);
    outputBuffer = allocF32(DENOISE_HOP);
    lsaTable = allocF32(LSA_TABLE_SIZE);
    for (let i = 0; i < LSA_TABLE_SIZE; i++) {
      const log2v = LSA_LOG2_MIN + (LSA_LOG2_MAX - LSA_LOG2_MIN) * <f32>i / <f32>(LSA_TABLE_SIZE - 1);
      const v = Math.pow(2.0, <f64>log2v);
      store<f32>(lsaTable + (<usize>i << 2), <f32>Math.exp(0.5 * exponentialIntegral(v)));
    }
    smoothedPower = allocF32(BINS);
    minimumNow = allocF32(BINS);
    minimumSubwindows = allocF32(BINS * MIN_SUBWINDOWS);
    minimumOfSubwindows = allocF32(BINS);
    presence = allocF32(BINS);
    noise = allocF32(BINS);
    previousCleanSnr = allocF32(BINS);
    smoothedGain = allocF32(BINS);
  }
  memory.fill(frame, 0, <usize>FRAME << 2);
  memory.fill(overlap, 0, <usize>FRAME << 2);
  memory.fill(presence, 0, <usize>BINS << 2);
  memory.fill(previousCleanSnr, 0, <usize>BINS << 2);
  for (let k = 0; k < BINS; k++) store<f32>(smoothedGain + (<usize>k << 2), 1.0);
  hops = 0;
  speechProbability = 0.0;
  voiceHold = 0;
  setStrengthInternal(strength);
  return DENOISE_HOP;
}

/** Where the caller writes the next 128 input samples. */
export function denoiseInputPtr(): usize {
  return inputBuffer;
}

/** Where `denoiseProcess` leaves the 128 output samples (input delayed by 384 samples). */
export function denoiseOutputPtr(): usize {
  return outputBuffer;
}

/** 0 = pass through unchanged (delayed), 1 = up to 40 dB of attenuation where there is no speech. */
export function denoiseSetStrength(value: f32): void {
  setStrengthInternal(value);
}

export function denoiseSpeechProbability(): f32 {
  return speechProbability;
}

export function denoiseVoiceActive(): i32 {
  return voiceHold > 0 ? 1 : 0;
}

// @ts-ignore: decorator
@inline function lsaGainFactor(v: f32): f32 {
  const position = (fastLog2(max<f32>(v, 1e-30)) - LSA_LOG2_MIN) * (<f32>(LSA_TABLE_SIZE - 1) / (LSA_LOG2_MAX - LSA_LOG2_MIN));
  if (position >= <f32>(LSA_TABLE_SIZE - 1)) return 1.0;
  const clamped = max<f32>(position, 0.0);
  const index = <i32>clamped;
  const t = clamped - <f32>index;
  const a = load<f32>(lsaTable + (<usize>index << 2));
  const b = load<f32>(lsaTable + (<usize>(index + 1) << 2));
  return a + (b - a) * t;
}

function trackNoise(): void {
  const subwindowEnds = hops % MIN_SUBWINDOW == 0;
  for (let k = 0; k < BINS; k++) {
    const o = <usize>k << 2;
    const power = load<f32>(spectrum + (<usize>k << 3)) * load<f32>(spectrum + (<usize>k << 3)) +
      load<f32>(spectrum + (<usize>k << 3), 4) * load<f32>(spectrum + (<usize>k << 3), 4);
    // Smoothed periodogram, over frequency (1/4, 1/2, 1/4) then time.
    const below = k > 0 ? load<f32>(windowed + o - 4) : power;
    store<f32>(windowed + o, power); // windowed[] is free after the FFT: keep |Y|^2 for the neighbour
    const above = k < BINS - 1 ? squaredMagnitude(k + 1) : power;
    const local: f32 = 0.25 * below + 0.5 * power + 0.25 * above;
    if (hops < WARMUP_HOPS) {
      store<f32>(smoothedPower + o, local);
      store<f32>(minimumNow + o, local);
      store<f32>(minimumOfSubwindows + o, local);
      for (let u = 0; u < MIN_SUBWINDOWS; u++) store<f32>(minimumSubwindows + ((<usize>(u * BINS + k)) << 2), local);
      store<f32>(noise + o, max<f32>(power, 1e-12));
      continue;
    }
    const s: f32 = SMOOTH_POWER * load<f32>(smoothedPower + o) + (1.0 - SMOOTH_POWER) * local;
    store<f32>(smoothedPower + o, s);
    const nowMin = min<f32>(load<f32>(minimumNow + o), s);
    let floorPower = min<f32>(nowMin, load<f32>(minimumOfSubwindows + o));
    if (subwindowEnds) {
      // Rotate: drop the oldest sub-window minimum, keep this one, restart the current minimum.
      let best = nowMin;
      for (let u = MIN_SUBWINDOWS - 1; u > 0; u--) {
        const value = load<f32>(minimumSubwindows + (<usize>((u - 1) * BINS + k) << 2));
        store<f32>(minimumSubwindows + (<usize>(u * BINS + k) << 2), value);
        best = min<f32>(best, value);
      }
      store<f32>(minimumSubwindows + o, nowMin);
      store<f32>(minimumOfSubwindows + o, best);
      store<f32>(minimumNow + o, s);
      floorPower = best;
    } else {
      store<f32>(minimumNow + o, nowMin);
    }
    const speech: f32 = s > PRESENCE_RATIO * floorPower ? 1.0 : 0.0;
    const p: f32 = PRESENCE_SMOOTH * load<f32>(presence + o) + (1.0 - PRESENCE_SMOOTH) * speech;
    store<f32>(presence + o, p);
    // Until the tracker has seen a quarter second, the noise estimate is a running mean (faster start).
    const smoothing: f32 = hops < WARMUP_HOPS + RUNNING_MEAN_HOPS ? min<f32>(NOISE_SMOOTH, 1.0 - 1.0 / <f32>(hops - WARMUP_HOPS + 2)) : NOISE_SMOOTH;
    const alpha: f32 = smoothing + (1.0 - smoothing) * p;
    store<f32>(noise + o, max<f32>(alpha * load<f32>(noise + o) + (1.0 - alpha) * power, 1e-12));
  }
}

// @ts-ignore: decorator
@inline function squaredMagnitude(k: i32): f32 {
  const re = load<f32>(spectrum + (<usize>k << 3));
  const im = load<f32>(spectrum + (<usize>k << 3), 4);
  return re * re + im * im;
}

function applyGain(): void {
  const bypass = strength <= 0.0;
  const logFloor = fastLog2(gainFloor);
  let voiceSum: f32 = 0.0;
  for (let k = 0; k < BINS; k++) {
    const o = <usize>k << 2;
    const power = load<f32>(windowed + o);
    const lambda = load<f32>(noise + o);
    const gamma = min<f32>(power / lambda, GAMMA_MAX);
    const xi = max<f32>(DD_ALPHA * load<f32>(previousCleanSnr + o) + (1.0 - DD_ALPHA) * max<f32>(gamma - 1.0, 0.0), XI_MIN);
    const ratio = xi / (1.0 + xi);
    const v = ratio * gamma;
    const gainSpeech = min<f32>(ratio * lsaGainFactor(v), 1.0);
    // Conditional speech presence: a-priori absence q from the MCRA presence estimate.
    const q = min<f32>(max<f32>(1.0 - load<f32>(presence + o), 0.05), 0.95);
    const likelihood: f32 = (q / (1.0 - q)) * (1.0 + xi) * fastExp2(-min<f32>(v, 80.0) * LOG2_E);
    const p: f32 = 1.0 / (1.0 + likelihood);
    if (k >= VOICE_LOW_BIN && k <= VOICE_HIGH_BIN) voiceSum += p;
    let gain = fastExp2(p * fastLog2(max<f32>(gainSpeech, 1e-6)) + (1.0 - p) * logFloor);
    gain = min<f32>(max<f32>(gain, gainFloor), 1.0);
    store<f32>(previousCleanSnr + o, gainSpeech * gainSpeech * gamma);
    // Against musical noise: where speech is unlikely, let the gain move only slowly.
    const previous = load<f32>(smoothedGain + o);
    const hold: f32 = 0.8 * (1.0 - speechProbability);
    gain = gain > previous ? gain : hold * previous + (1.0 - hold) * gain;
    store<f32>(smoothedGain + o, gain);
    if (bypass) gain = 1.0;
    const bin = spectrum + (<usize>k << 3);
    store<f32>(bin, load<f32>(bin) * gain);
    store<f32>(bin, load<f32>(bin, 4) * gain, 4);
  }
  const frameProbability = voiceSum / <f32>(VOICE_HIGH_BIN - VOICE_LOW_BIN + 1);
  speechProbability = 0.9 * speechProbability + 0.1 * frameProbability;
  if (speechProbability > 0.35) voiceHold = VOICE_HOLD_HOPS;
  else if (voiceHold > 0) voiceHold--;
}

/**
 * Denoises the 128 samples at `denoiseInputPtr()` into `denoiseOutputPtr()`; returns the smoothed
 * speech probability. Non-finite input samples are treated as silence so they cannot poison the state.
 */
export function denoiseProcess(): f32 {
  const tail = <usize>(FRAME - DENOISE_HOP) << 2;
  memory.copy(frame, frame + (<usize>DENOISE_HOP << 2), tail);
  for (let i = 0; i < DENOISE_HOP; i++) {
    let x = load<f32>(inputBuffer + (<usize>i << 2));
    if (!isFinite<f32>(x)) x = 0.0;
    store<f32>(frame + tail + (<usize>i << 2), x);
  }
  for (let i = 0; i < FRAME; i++) {
    const o = <usize>i << 2;
    store<f32>(windowed + o, load<f32>(frame + o) * load<f32>(window + o));
  }
  const transform = fft!;
  transform.forward(windowed, spectrum);
  trackNoise();
  applyGain();
  hops++;
  transform.inverse(spectrum, synthesis);
  // sqrt-Hann twice is Hann; four Hann windows at 75% overlap sum to 2.
  for (let i = 0; i < FRAME; i++) {
    const o = <usize>i << 2;
    store<f32>(overlap + o, load<f32>(overlap + o) + 0.5 * load<f32>(synthesis + o) * load<f32>(window + o));
  }
  for (let i = 0; i < DENOISE_HOP; i++) {
    const y = load<f32>(overlap + (<usize>i << 2));
    store<f32>(outputBuffer + (<usize>i << 2), min<f32>(max<f32>(y, -1.0), 1.0));
  }
  memory.copy(overlap, overlap + (<usize>DENOISE_HOP << 2), tail);
  memory.fill(overlap + tail, 0, <usize>DENOISE_HOP << 2);
  return speechProbability;
}


