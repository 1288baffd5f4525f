import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Denoiser } from '../../wasm/host/denoiser.ts';
import { MediaCoreError, type MediaCoreExports } from '../../wasm/host/media-core.ts';
import { loadMediaCore } from '../../wasm/node/load.ts';
import { decodeWav, encodeWav } from '../../wasm/node/wav.ts';
import { RATE, noise, vowel } from './signals.ts';

/** Two phrases of `vowel` (1.5-2.5 s and 3.5-4.2 s) in white noise of the given amplitude, 5 s in all. */
function phrasesInNoise(amplitude: number): { clean: Float32Array; background: Float32Array; noisy: Float32Array } {
  const length = 5 * RATE;
  const clean = vowel(length, [[1.5, 2.5], [3.5, 4.2]]);
  const background = noise(length, amplitude);
  return { clean, background, noisy: clean.map((v, i) => v + background[i]) };
}

function rmsDb(x: Float32Array, fromS: number, toS: number): number {
  const a = Math.floor(fromS * RATE);
  const b = Math.floor(toS * RATE);
  let sum = 0;
  for (let i = a; i < b; i++) sum += x[i] * x[i];
  return 10 * Math.log10(sum / (b - a) + 1e-20);
}

describe('denoise', () => {
  let core: MediaCoreExports;
  before(async () => {
    core = await loadMediaCore();
  });

  it('keeps silence exactly silent and reports no voice', () => {
    const denoiser = new Denoiser(core);
    const out = denoiser.processSignal(new Float32Array(RATE));
    assert.ok(out.every((v) => v === 0));
    assert.equal(denoiser.voiceActive, false);
  });

  it('at strength 0 passes the signal through, delay removed', () => {
    const input = noise(RATE, 0.5);
    const out = new Denoiser(core, 0).processSignal(input);
    let worst = 0;
    for (let i = 0; i < input.length; i++) worst = Math.max(worst, Math.abs(out[i] - input[i]));
    assert.ok(worst < 1e-5, `worst difference ${worst}`);
  });

  // The gain keeps weak speech rather than push uncertain bins to the floor (more intelligible, STOI; see
  // docs/media.md); the deep pause and the gate (the next two tests) take long pauses further down.
  it('removes at least 12 dB of white noise in pauses and keeps the voiced parts within 3 dB', () => {
    const { clean, background, noisy } = phrasesInNoise(0.03);
    const denoiser = new Denoiser(core, 0.8);
    const out = denoiser.processSignal(noisy);
    const pauseAttenuation = rmsDb(noisy, 2.8, 3.4) - rmsDb(out, 2.8, 3.4);
    assert.ok(pauseAttenuation >= 12, `pause attenuation ${pauseAttenuation.toFixed(1)} dB`);
    const speechChange = rmsDb(out, 1.6, 2.4) - rmsDb(clean, 1.6, 2.4);
    assert.ok(Math.abs(speechChange) <= 3, `speech level changed by ${speechChange.toFixed(1)} dB`);
    // The residual error on the voiced part is lower than the noise that was there.
    const error = out.subarray(1.6 * RATE, 2.4 * RATE).map((v, i) => v - clean[1.6 * RATE + i]);
    const errorDb = 10 * Math.log10(error.reduce((s, v) => s + v * v, 0) / error.length);
    assert.ok(errorDb < rmsDb(background, 1.6, 2.4), `error ${errorDb.toFixed(1)} dB not below the noise`);
  });

  // The deep pause (denoise-gain.ts): 200 ms into a pause, bins above 5 kHz (most of white noise's power at
  // 48 kHz) and the DC bin go 20 dB further down; the first syllable after the pause is released at once.
  it('lowers white noise further once a pause has lasted 200 ms, and lets the next syllable through', () => {
    const { clean, noisy } = phrasesInNoise(0.03);
    const out = new Denoiser(core, 0.8).processSignal(noisy);
    const early = rmsDb(noisy, 2.45, 2.6) - rmsDb(out, 2.45, 2.6); // the last syllable ended at 2.43 s
    const late = rmsDb(noisy, 3.0, 3.45) - rmsDb(out, 3.0, 3.45);
    assert.ok(late >= early + 4, `attenuation ${early.toFixed(1)} dB early in the pause, ${late.toFixed(1)} dB late`);
    const onsetChange = rmsDb(out, 3.5, 3.68) - rmsDb(clean, 3.5, 3.68);
    assert.ok(Math.abs(onsetChange) <= 3, `first syllable after the pause changed by ${onsetChange.toFixed(1)} dB`);
  });

  // The gate (denoise-gain.ts): once no band has held speech for a while, the whole hop goes 10 dB further down,
  // under the 32 dB floor (25 dB late in this pause without it); it opens at once for the next syllable.
  it('gates a long pause 10 dB under the floor and opens for the first syllable after it', () => {
    const { clean, noisy } = phrasesInNoise(0.1);
    const out = new Denoiser(core, 0.8).processSignal(noisy);
    const late = rmsDb(noisy, 3.0, 3.45) - rmsDb(out, 3.0, 3.45);
    assert.ok(late >= 33, `attenuation late in the pause ${late.toFixed(1)} dB`);
    const onsetChange = rmsDb(out, 3.5, 3.54) - rmsDb(clean, 3.5, 3.54);
    assert.ok(Math.abs(onsetChange) <= 1, `the next syllable's first 40 ms changed by ${onsetChange.toFixed(2)} dB`);
  });

  it('follows noise that starts: a 26 dB louder noise is already attenuated a quarter second in', () => {
    // MCRA's 1.5 s minimum alone leaves the louder noise untouched for 1.5 s (0.03 dB here); the lift
    // is partial on purpose (a full one also follows babble and eats speech), and the gain spares bins
    // of uncertain SNR (about 1.4 dB here, 4.6 dB a second later), hence the modest bound.
    const length = 4 * RATE;
    const quiet = noise(length, 0.003, 5);
    const loud = noise(length, 0.06, 7);
    const input = quiet.map((v, i) => (i >= 2 * RATE ? loud[i] : v));
    const out = new Denoiser(core, 0.8).processSignal(input);
    const attenuation = rmsDb(input, 2.25, 3) - rmsDb(out, 2.25, 3);
    assert.ok(attenuation >= 1, `attenuation 0.25-1 s after the noise started: ${attenuation.toFixed(1)} dB`);
  });

  it('follows noise that stops: speech right after loud noise keeps its level', () => {
    const length = 4 * RATE;
    const clean = vowel(length, [[2.1, 3]]);
    const loud = noise(length, 0.06, 7);
    const quiet = noise(length, 0.003, 5);
    const input = clean.map((v, i) => v + (i < 2 * RATE ? loud[i] : quiet[i]));
    const out = new Denoiser(core, 0.8).processSignal(input);
    const speechChange = rmsDb(out, 2.1, 2.6) - rmsDb(clean, 2.1, 2.6);
    assert.ok(Math.abs(speechChange) <= 3, `speech level changed by ${speechChange.toFixed(1)} dB`);
  });

  it('reports voice during speech and none in a long pause', () => {
    const length = 5 * RATE;
    const clean = vowel(length, [[1.5, 3]]);
    const background = noise(length, 0.01);
    const denoiser = new Denoiser(core);
    const block = new Float32Array(Denoiser.HOP);
    const seen: boolean[] = [];
    for (let b = 0; b + Denoiser.HOP <= length; b += Denoiser.HOP) {
      for (let i = 0; i < Denoiser.HOP; i++) block[i] = clean[b + i] + background[b + i];
      denoiser.processBlock(block, block);
      seen.push(denoiser.voiceActive);
    }
    const at = (s: number) => seen[Math.floor((s * RATE) / Denoiser.HOP)];
    assert.equal(at(2.5), true);
    assert.equal(at(4.5), false);
    assert.equal(at(1.0), false);
  });

  it('keeps clipped and out-of-range input bounded and recovers from non-finite samples', () => {
    const length = 3 * RATE;
    // Speech driven far past full scale: clipped at +-1.5, outside the [-1, 1] range of audio.
    const input = vowel(length, [[1, 3]]).map((v) => Math.max(-1.5, Math.min(1.5, v * 20)));
    input[1000] = Number.NaN;
    input[2000] = Number.POSITIVE_INFINITY;
    const out = new Denoiser(core).processSignal(input);
    assert.ok(out.every((v) => Number.isFinite(v) && v >= -1 && v <= 1));
    assert.ok(rmsDb(out, 1, 3) > rmsDb(input, 1, 3) - 6, 'the clipped speech is still there');
  });

  it('rejects blocks that are not 128 samples and strengths outside [0, 1]', () => {
    const denoiser = new Denoiser(core);
    assert.throws(() => denoiser.processBlock(new Float32Array(127), new Float32Array(127)),
      (e: unknown) => e instanceof MediaCoreError && e.code === 'invalid-size' && /128/.test(e.message));
    assert.throws(() => denoiser.setStrength(1.5), (e: unknown) => e instanceof MediaCoreError && e.code === 'invalid-option');
    assert.throws(() => denoiser.setStrength(Number.NaN), /strength/);
  });

  it('round-trips WAV files at 16-bit precision', () => {
    const samples = noise(1000, 0.9);
    const back = decodeWav(encodeWav({ sampleRate: RATE, samples }));
    assert.equal(back.sampleRate, RATE);
    assert.ok(back.samples.every((v, i) => Math.abs(v - samples[i]) < 1 / 16000));
  });
});
