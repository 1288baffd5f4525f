// Speech denoiser for 48 kHz mono, one 128-sample AudioWorklet quantum per call.
//
// STFT: 1024-point transforms, 128-sample hop, with the low-delay asymmetric window pair of Mauler & Martin
// (2007, "A low delay, variable resolution, perfect reconstruction spectral analysis-synthesis system for
// speech enhancement"): a 768-sample analysis window (zero-padded in front) rises slowly over its first 512
// samples and falls over the last 256 (half a sqrt-Hann of SYNTHESIS), so the bins are 46.9 Hz apart and
// separate the harmonics of most voices; the synthesis window is zero but on the last SYNTHESIS samples, where
// analysis x synthesis is a Hann of SYNTHESIS samples. Four of those at a 128-sample hop sum to 2, so the
// algorithmic delay is SYNTHESIS - 128 = 384 samples (8 ms), as with the symmetric 512-point frames before,
// and a gain of 1 reproduces the input exactly.
// Per bin:
//   noise power   denoise-noise.ts: MCRA (Cohen & Berdugo 2002) with a 1.5 s minimum, bounded by a
//                 ~70 ms running minimum so that it follows noise that stops or starts (bursts);
//   gain          denoise-gain.ts: decision-directed a-priori SNR with speexdsp's adaptive weight (smooth
//                 in noise, against musical noise), averaged in part over ~2 ERB; log-spectral-amplitude
//                 gain (Ephraim & Malah 1985) with a floor set by the strength;
//   pitch filter  denoise-pitch.ts: the frame one pitch period earlier is added per band where it
//                 correlates (a comb: noise between the harmonics goes down), band energy kept; the gain
//                 rule then sees half of the filtered spectrum's power.
// Per hop: the gate (denoise-gain.ts) takes the whole hop under the floor while no band has held speech for
// a while; its evidence is also the voice-activity output.

import { RealFft, allocF32 } from './kernels/fft';
import { fastExp2 } from './kernels/fastmath';
import { gainApply, gainLayout, gainReset, gateOpen } from './denoise-gain';
import { PITCH_MAX_PERIOD, pitchFilter, pitchLayout, pitchReset, pitchSearch, pitchTransform } from './denoise-pitch';
import { noiseLayout, noisePower, noiseReset, noiseTrack } from './denoise-noise';

export const DENOISE_HOP: i32 = 128;
const FRAME: i32 = 1024;
const SYNTHESIS: i32 = 512; // the synthesis window's non-zero span: the delay is SYNTHESIS - DENOISE_HOP
// Leading zeros of the analysis window, so it spans 768 samples: on white noise STOI +0.0005 where 1024 samples
// gave -0.0001 (pink pause attenuation 0.7 dB under 1024's); see docs/media.md.
const ANALYSIS_ZEROS: i32 = 256;
// The rise is a Hann; the paper's sqrt-Hann rise measured STOI -0.001 on white and pink and PESQ -0.005 to -0.007.
const RISE_POWER: f64 = 1.0;
const BINS: i32 = FRAME / 2 + 1;
const VECTOR_BINS: i32 = (BINS + 3) & ~3;
const BIN_HZ: f32 = 48000.0 / <f32>FRAME;
const HISTORY: i32 = PITCH_MAX_PERIOD + FRAME; // the frame and, before it, the longest pitch period

const WARMUP_HOPS: i32 = (FRAME - ANALYSIS_ZEROS) / DENOISE_HOP; // until the first frame is full, everything is noise
const VOICE_LOW_BIN: i32 = <i32>(300.0 / BIN_HZ);
const VOICE_HIGH_BIN: i32 = <i32>(4000.0 / BIN_HZ);
const MAX_ATTENUATION_DB: f32 = 40.0;
// The gate (denoise-gain.ts) closes this much further (times the strength), under the floor, in hops with no
// speech: 10 dB at the default 0.8. Deeper cost PESQ (14 dB at 0.8: -0.016 / -0.011 on white / pink).
const GATE_DB: f32 = 12.5;
// The gain rule sees this share of |X|^2 and the rest of the comb-filtered |Y|^2 (more at the harmonics,
// less between): 0.5 gained 0.02-0.03 PESQ on white and pink; |X|^2 alone (the filter after the gain) or
// 0.75 less, |Y|^2 alone 0.01 less. The noise tracker still sees |X|^2 alone.
const PITCH_MIX: f32 = 0.5;

let fft: RealFft | null = null;
let analysisWindow: usize = 0;
let synthesisWindow: usize = 0; // its last SYNTHESIS samples, the rest is zero
let history: usize = 0;
let frame: usize = 0; // the last FRAME samples of history
let windowed: usize = 0;
let spectrum: usize = 0;
let synthesis: usize = 0;
let overlap: usize = 0;
let inputBuffer: usize = 0;
let outputBuffer: usize = 0;

let hops: i32 = 0;
let strength: f32 = 0.8;
let gainFloor: f32 = 0.0;
let gateFloorLog2: f32 = 0.0;

function setStrengthInternal(value: f32): void {
  strength = min<f32>(max<f32>(value, 0.0), 1.0);
  gainFloor = fastExp2((-MAX_ATTENUATION_DB * strength / 20.0) * 3.321928);
  gateFloorLog2 = (-GATE_DB * strength / 20.0) * 3.321928;
}

/** Lays out every buffer once; later calls only reset the state. Returns the hop size (128). */
export function denoiseInit(): i32 {
  if (fft == null) {
    fft = new RealFft(FRAME);
    analysisWindow = allocF32(FRAME);
    synthesisWindow = allocF32(SYNTHESIS);
    layOutWindows();
    history = allocF32(HISTORY);
    frame = history + (<usize>PITCH_MAX_PERIOD << 2);
    windowed = allocF32(FRAME);
    spectrum = allocF32(BINS * 2);
    synthesis = allocF32(FRAME);
    overlap = allocF32(SYNTHESIS);
    inputBuffer = allocF32(DENOISE_HOP);
    outputBuffer = allocF32(DENOISE_HOP);
    noiseLayout(BINS);
    gainLayout(BINS);
    pitchLayout(BINS, FRAME);
  }
  noiseReset();
  gainReset();
  pitchReset();
  memory.fill(history, 0, <usize>HISTORY << 2);
  memory.fill(overlap, 0, <usize>SYNTHESIS << 2);
  hops = 0;
  setStrengthInternal(strength);
  return DENOISE_HOP;
}

// @ts-ignore: decorator
@inline function hann(i: i32, length: i32): f64 {
  return 0.5 - 0.5 * Math.cos((2.0 * Math.PI * <f64>i) / <f64>length);
}

/**
 * Mauler & Martin (2007): analysis = Hann of 2 (FRAME - M - zeros) (to RISE_POWER) rising, then sqrt(Hann of
 * 2M) falling (M = SYNTHESIS / 2); synthesis = Hann of 2M / analysis on the last 2M samples.
 */
function layOutWindows(): void {
  const m = SYNTHESIS / 2;
  const riseLength = 2 * (FRAME - m - ANALYSIS_ZEROS);
  const synthesisStart = FRAME - SYNTHESIS;
  for (let i = 0; i < FRAME; i++) {
    let analysis = 0.0;
    if (i >= FRAME - m) analysis = Math.sqrt(hann(i - synthesisStart, SYNTHESIS));
    else if (i >= ANALYSIS_ZEROS) analysis = Math.pow(hann(i - ANALYSIS_ZEROS, riseLength), RISE_POWER);
    store<f32>(analysisWindow + (<usize>i << 2), <f32>analysis);
    if (i >= synthesisStart) {
      const product = hann(i - synthesisStart, SYNTHESIS);
      store<f32>(synthesisWindow + (<usize>(i - synthesisStart) << 2), analysis > 0.0 ? <f32>(product / analysis) : 0.0);
    }
  }
}

/** Where the caller writes the next 128 input samples. */
export function denoiseInputPtr(): usize {
  return inputBuffer;
}

/** Where `denoiseProcess` leaves the 128 output samples (input delayed by 384 samples). */
export function denoiseOutputPtr(): usize {
  return outputBuffer;
}

/** 0 = pass through unchanged (delayed), 1 = a 40 dB floor, and 12.5 dB more where no speech has been for a while. */
export function denoiseSetStrength(value: f32): void {
  setStrengthInternal(value);
}

/** 1 while the gate (denoise-gain.ts) hears speech: it opens at once and stays open for a speech sound's tail. */
export function denoiseVoiceActive(): i32 {
  return gateOpen() ? 1 : 0;
}

function periodogram(): void {
  // windowed[] is free after the FFT. Four bins a step, the last (BINS is 4n + 1) alone.
  for (let k = 0; k < BINS - 1; k += 4) {
    const bin = spectrum + (<usize>k << 3);
    const low = v128.load(bin);
    const high = v128.load(bin, 16);
    const re = v128.shuffle<f32>(low, high, 0, 2, 4, 6);
    const im = v128.shuffle<f32>(low, high, 1, 3, 5, 7);
    v128.store(windowed + (<usize>k << 2), f32x4.add(f32x4.mul(re, re), f32x4.mul(im, im)));
  }
  // The per-bin loops run on whole v128s: the padding lanes repeat the last bin, so they hold ordinary values.
  const last = squaredMagnitude(BINS - 1);
  for (let k = BINS - 1; k < VECTOR_BINS; k++) store<f32>(windowed + (<usize>k << 2), last);
}

// @ts-ignore: decorator
@inline function squaredMagnitude(k: i32): f32 {
  const re = load<f32>(spectrum + (<usize>k << 3));
  const im = load<f32>(spectrum + (<usize>k << 3), 4);
  return re * re + im * im;
}

function applyGain(): void {
  const gains = synthesis; // free until the inverse FFT
  const bypass = strength <= 0.0;
  // Where the filter ran, the gain rule sees PITCH_MIX of |X|^2 and the rest of the filtered power.
  if (!bypass && pitchFilter(spectrum, noisePower())) {
    for (let k = 0; k < BINS; k++) {
      const o = <usize>k << 2;
      store<f32>(windowed + o, PITCH_MIX * load<f32>(windowed + o) + (1.0 - PITCH_MIX) * squaredMagnitude(k));
    }
  }
  gainApply(windowed, noisePower(), gains, gainFloor, gateFloorLog2, VOICE_LOW_BIN, VOICE_HIGH_BIN);
  if (!bypass) {
    // Four bins a step: each gain scales a (re, im) pair. The last bin (BINS is 4n + 1) stays scalar.
    for (let k = 0; k < BINS - 1; k += 4) {
      const gain = v128.load(gains + (<usize>k << 2));
      const bin = spectrum + (<usize>k << 3);
      v128.store(bin, f32x4.mul(v128.load(bin), v128.shuffle<f32>(gain, gain, 0, 0, 1, 1)));
      v128.store(bin, f32x4.mul(v128.load(bin, 16), v128.shuffle<f32>(gain, gain, 2, 2, 3, 3)), 16);
    }
    const gain = load<f32>(gains + (<usize>(BINS - 1) << 2));
    const bin = spectrum + (<usize>(BINS - 1) << 3);
    store<f32>(bin, load<f32>(bin) * gain);
    store<f32>(bin, load<f32>(bin, 4) * gain, 4);
  }
}

/**
 * Denoises the 128 samples at `denoiseInputPtr()` into `denoiseOutputPtr()`. Non-finite input samples are
 * treated as silence so they cannot poison the state.
 */
export function denoiseProcess(): void {
  const tail = <usize>(FRAME - DENOISE_HOP) << 2;
  memory.copy(history, history + (<usize>DENOISE_HOP << 2), <usize>(HISTORY - DENOISE_HOP) << 2);
  for (let i = 0; i < DENOISE_HOP; i += 4) {
    const x = v128.load(inputBuffer + (<usize>i << 2));
    // x - x is 0 exactly when x is finite (NaN for NaN and the infinities), as in isFinite.
    const finite = f32x4.eq(f32x4.sub(x, x), f32x4.splat(0.0));
    v128.store(frame + tail + (<usize>i << 2), v128.and(x, finite));
  }
  for (let i = 0; i < FRAME; i += 4) {
    const o = <usize>i << 2;
    v128.store(windowed + o, f32x4.mul(v128.load(frame + o), v128.load(analysisWindow + o)));
  }
  const transform = fft!;
  transform.forward(windowed, spectrum);
  periodogram();
  pitchSearch(frame + (<usize>(FRAME - SYNTHESIS) << 2), DENOISE_HOP); // on the last 512 samples
  pitchTransform(frame, analysisWindow, transform);
  // Until the first frame is full (WARMUP_HOPS), everything is noise.
  if (hops < WARMUP_HOPS) noiseReset();
  noiseTrack(windowed);
  applyGain();
  hops++;
  transform.inverse(spectrum, synthesis);
  // Analysis x synthesis is a Hann window of SYNTHESIS samples; four of them at a quarter's hop sum to 2.
  const synthesisStart = synthesis + (<usize>(FRAME - SYNTHESIS) << 2);
  for (let i = 0; i < SYNTHESIS; i += 4) {
    const o = <usize>i << 2;
    const windowedOut = f32x4.mul(f32x4.mul(f32x4.splat(0.5), v128.load(synthesisStart + o)), v128.load(synthesisWindow + o));
    v128.store(overlap + o, f32x4.add(v128.load(overlap + o), windowedOut));
  }
  for (let i = 0; i < DENOISE_HOP; i += 4) {
    const o = <usize>i << 2;
    v128.store(outputBuffer + o, f32x4.min(f32x4.max(v128.load(overlap + o), f32x4.splat(-1.0)), f32x4.splat(1.0)));
  }
  const overlapTail = <usize>(SYNTHESIS - DENOISE_HOP) << 2;
  memory.copy(overlap, overlap + (<usize>DENOISE_HOP << 2), overlapTail);
  memory.fill(overlap + overlapTail, 0, <usize>DENOISE_HOP << 2);
}
