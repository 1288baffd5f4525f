// Denoise quality and speed: real recorded speech (Debian alsa-utils) and synthetic speech (espeak-ng)
// mixed with stationary (white, pink) and non-stationary (babble, bursts) noise at 0/5/10/15 dB SNR,
// through our WASM denoiser, RNNoise (npm WASM build) and speexdsp (Debian, C harness).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Denoiser } from '../../wasm/host/denoiser.ts';
import type { MediaCoreExports } from '../../wasm/host/media-core.ts';
import { formatTable } from '../../wasm/node/table.ts';
import { decodeWav, encodeWav, resample } from '../../wasm/node/wav.ts';
import { BENCH_DIR, SPEEX_HARNESS, python } from './media-setup.ts';

const RATE = 48000;
const AUDIO = join(BENCH_DIR, 'audio');
const SNRS = [0, 5, 10, 15];
const NOISES = ['white', 'pink', 'babble', 'bursts'] as const;
const METHODS = ['noisy', 'ours', 'rnnoise', 'speex'] as const;
type Method = (typeof METHODS)[number];
type Scores = Record<Method, { sisdr: number; stoi: number; pesq: number; pauseDb: number }>;

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function readWav48(path: string): Float32Array {
  const audio = decodeWav(readFileSync(path));
  return resample(audio.samples, audio.sampleRate, RATE);
}

function withGaps(parts: Float32Array[], gapS: number): Float32Array {
  const gap = Math.round(gapS * RATE);
  const out = new Float32Array(gap + parts.reduce((n, p) => n + p.length + gap, 0));
  let at = gap;
  for (const part of parts) {
    out.set(part, at);
    at += part.length + gap;
  }
  return out;
}

function speak(text: string, voice: string, pitch: number, name: string): Float32Array {
  const file = join(AUDIO, `${name}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-p', String(pitch), '-s', '150', '-w', file, text]);
  return readWav48(file);
}

const SENTENCES = [
  'These trail shoes have a grippy outsole and a breathable mesh upper.',
  'Add them to your cart now, the spring drop ends tonight.',
  'The rain shell packs into its own pocket and weighs just two hundred grams.',
  'Ask me anything about sizing in the chat.',
];

function cleanCorpora(): Record<'real' | 'synthetic', Float32Array> {
  const alsa = ['Front_Center', 'Front_Left', 'Front_Right', 'Rear_Center', 'Rear_Left', 'Side_Right']
    .map((n) => readWav48(`/usr/share/sounds/alsa/${n}.wav`));
  const spoken = SENTENCES.map((t, i) => speak(t, i % 2 ? 'en-gb' : 'en-us', 45 + 10 * i, `sentence-${i}`));
  const normalise = (x: Float32Array) => {
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    return x.map((v) => (v / peak) * 0.5);
  };
  return { real: normalise(withGaps(alsa, 0.7)), synthetic: normalise(withGaps(spoken, 0.7)) };
}

function makeNoise(kind: (typeof NOISES)[number], length: number, babbleSource: Float32Array[]): Float32Array {
  const next = random(kind.length * 7919);
  const white = () => next() * 2 - 1;
  const out = new Float32Array(length);
  if (kind === 'white') return out.map(white);
  // Pink: Paul Kellet's economy filter on white noise.
  let b0 = 0, b1 = 0, b2 = 0;
  const pink = () => {
    const w = white();
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    return (b0 + b1 + b2 + w * 0.1848) * 0.2;
  };
  if (kind === 'pink') return out.map(pink);
  if (kind === 'bursts') {
    // Pink noise switched on and off in 150-800 ms segments with 20 ms ramps: non-stationary.
    let on = false;
    let left = 0;
    let gain = 0;
    return out.map(() => {
      if (--left <= 0) {
        on = !on;
        left = Math.round((0.15 + 0.65 * next()) * RATE);
      }
      gain += ((on ? 1 : 0.05) - gain) / (0.02 * RATE);
      return pink() * gain;
    });
  }
  // Babble: six talkers at different offsets, looped.
  babbleSource.forEach((talker, t) => {
    const offset = Math.floor(next() * talker.length);
    for (let i = 0; i < length; i++) out[i] += talker[(i + offset + t * 4801) % talker.length];
  });
  return out;
}

function activePower(clean: Float32Array): number {
  const frame = 960;
  const energies: number[] = [];
  for (let i = 0; i + frame <= clean.length; i += frame) {
    let e = 0;
    for (let k = 0; k < frame; k++) e += clean[i + k] ** 2;
    energies.push(e / frame);
  }
  const peak = Math.max(...energies);
  const active = energies.filter((e) => e > peak * 1e-4);
  return active.reduce((a, b) => a + b, 0) / active.length;
}

function power(x: Float32Array): number {
  return x.reduce((s, v) => s + v * v, 0) / x.length;
}

const writeWav = (path: string, samples: Float32Array) => writeFileSync(path, encodeWav({ sampleRate: RATE, samples }));

interface Rnnoise {
  createDenoiseState(): { processFrame(frame: Float32Array): number; destroy(): void };
}

async function loadRnnoise(): Promise<Rnnoise> {
  // The package is built for browsers and workers only; it checks for WorkerGlobalScope and then runs fine in Node.
  const scope = globalThis as { WorkerGlobalScope?: unknown; self?: unknown };
  scope.WorkerGlobalScope ??= class {};
  scope.self ??= globalThis;
  const { Rnnoise } = await import('@shiguredo/rnnoise-wasm');
  return Rnnoise.load();
}

function runRnnoise(rnnoise: Rnnoise, input: Float32Array): { out: Float32Array; ms: number } {
  const state = rnnoise.createDenoiseState();
  const out = new Float32Array(input.length);
  const frame = new Float32Array(480);
  let ms = 0;
  for (let i = 0; i + 480 <= input.length; i += 480) {
    for (let k = 0; k < 480; k++) frame[k] = input[i + k] * 32768;
    const started = performance.now();
    state.processFrame(frame);
    ms += performance.now() - started;
    for (let k = 0; k < 480; k++) out[i + k] = frame[k] / 32768;
  }
  state.destroy();
  return { out, ms };
}

function runSpeex(input: Float32Array, name: string): { out: Float32Array; msPer10: number } {
  const raw = new Int16Array(input.length);
  input.forEach((v, i) => (raw[i] = Math.round(Math.max(-1, Math.min(1, v)) * 32767)));
  const inPath = join(AUDIO, `${name}-in.raw`);
  const outPath = join(AUDIO, `${name}-speex.raw`);
  writeFileSync(inPath, raw);
  const msPer10 = Number(execFileSync(SPEEX_HARNESS, [inPath, outPath], { encoding: 'utf8' }).trim());
  const back = new Int16Array(readFileSync(outPath).buffer.slice(0));
  return { out: Float32Array.from(back, (v) => v / 32768), msPer10 };
}

export async function denoiseBench(core: MediaCoreExports, log: (line: string) => void): Promise<string> {
  mkdirSync(AUDIO, { recursive: true });
  const corpora = cleanCorpora();
  const babble = ['en-us', 'en-gb', 'en-gb-scotland', 'en-us', 'en-gb', 'en-us'].map((v, i) => speak(SENTENCES[(i + 1) % 4] + ' ' + SENTENCES[(i + 2) % 4], v, 20 + 15 * i, `babble-${i}`));
  const rnnoise = await loadRnnoise();
  const manifest: { id: string; clean: string; outputs: Record<Method, string> }[] = [];
  for (const [corpus, clean] of Object.entries(corpora)) {
    const speech = activePower(clean);
    for (const noiseKind of NOISES) {
      const noise = makeNoise(noiseKind, clean.length, babble);
      const noisePower = power(noise);
      for (const snr of SNRS) {
        const id = `${corpus}-${noiseKind}-${snr}dB`;
        const scale = Math.sqrt(speech / (noisePower * 10 ** (snr / 10)));
        let noisy = clean.map((v, i) => v + noise[i] * scale);
        const peak = noisy.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const headroom = peak > 0.99 ? 0.99 / peak : 1;
        noisy = noisy.map((v) => v * headroom);
        const reference = clean.map((v) => v * headroom);
        const ours = new Denoiser(core).processSignal(noisy);
        const rnn = runRnnoise(rnnoise, noisy);
        const speex = runSpeex(noisy, id);
        const paths = Object.fromEntries(METHODS.map((m) => [m, join(AUDIO, `${id}-${m}.wav`)])) as Record<Method, string>;
        writeWav(paths.noisy, noisy);
        writeWav(paths.ours, ours);
        writeWav(paths.rnnoise, rnn.out);
        writeWav(paths.speex, speex.out);
        writeWav(join(AUDIO, `${id}-clean.wav`), reference);
        manifest.push({ id, clean: join(AUDIO, `${id}-clean.wav`), outputs: paths });
      }
    }
  }
  log('timing the denoisers (best of 3 passes over one mixture)');
  const timing = timeDenoisers(core, rnnoise, decodeWav(readFileSync(manifest[0].outputs.noisy)).samples);
  log(`scoring ${manifest.length} mixtures x ${METHODS.length} (SI-SDR, STOI, PESQ-WB, pauses)`);
  const scores = JSON.parse(python(['tests/bench/media-quality.py'], JSON.stringify(manifest))) as Record<string, Scores>;
  return [qualityTables(scores), speedTable(timing)].join('\n\n');
}

function qualityTables(scores: Record<string, Scores>): string {
  const ids = Object.keys(scores);
  const mean = (pick: (s: Scores) => number, filter: (id: string) => boolean) => {
    const chosen = ids.filter(filter);
    return chosen.reduce((sum, id) => sum + pick(scores[id]), 0) / chosen.length;
  };
  const methods = ['ours', 'rnnoise', 'speex'] as const;
  // Decimals per metric: STOI and PESQ differ between the denoisers in the third decimal, where the
  // table's default two would show ties.
  const metrics = [
    ['SI-SDR improvement (dB)', (s: Scores, m: Method) => s[m].sisdr - s.noisy.sisdr, 2],
    ['STOI', (s: Scores, m: Method) => s[m].stoi, 4],
    ['PESQ wideband', (s: Scores, m: Method) => s[m].pesq, 3],
    ['noise attenuation in pauses (dB)', (s: Scores, m: Method) => s[m].pauseDb, 2],
  ] as const;
  const tables: string[] = [];
  for (const [title, metric, digits] of metrics) {
    const rows: (string | number)[][] = [];
    for (const corpus of ['real', 'synthetic']) {
      for (const noise of NOISES) {
        for (const snr of SNRS) {
          const id = `${corpus}-${noise}-${snr}dB`;
          rows.push([id, ...(['noisy', ...methods] as Method[]).map((m) => metric(scores[id], m).toFixed(digits))]);
        }
      }
    }
    tables.push(`Denoise: ${title}\n${formatTable(['mixture', 'noisy', 'ours', 'rnnoise', 'speexdsp'], rows)}`);
  }
  const summary = NOISES.map((noise) => [
    noise,
    ...metrics.flatMap(([, metric, digits]) => methods.map((m) => mean((s) => metric(s, m), (id) => id.includes(`-${noise}-`)).toFixed(digits))),
  ]);
  const header = ['noise (mean of 0-15 dB, both corpora)', ...metrics.flatMap(([title]) => methods.map((m) => `${title.split(' ')[0]} ${m}`))];
  tables.unshift(`Denoise summary (SI-SDR = improvement in dB; attenuation = in pauses, dB)\n${formatTable(header, summary)}`);
  return tables.join('\n\n');
}

/** Milliseconds per 10 ms of audio, best of three passes (other processes only ever slow a pass down). */
function timeDenoisers(core: MediaCoreExports, rnnoise: Rnnoise, noisy: Float32Array): { ours: number; rnnoise: number; speex: number } {
  const frames = noisy.length / 480;
  const best = (run: () => number) => Math.min(run(), run(), run());
  return {
    ours: best(() => {
      const started = performance.now();
      new Denoiser(core).processSignal(noisy);
      return (performance.now() - started) / frames;
    }),
    rnnoise: best(() => runRnnoise(rnnoise, noisy).ms / frames),
    speex: best(() => runSpeex(noisy, 'timing').msPer10),
  };
}

function speedTable(t: { ours: number; rnnoise: number; speex: number }): string {
  return `Denoise speed (one thread, ms per 10 ms of 48 kHz audio, best of 3)\n${formatTable(
    ['implementation', 'ms per 10 ms', 'x RNNoise time'],
    [
      ['ours (WASM, AssemblyScript)', t.ours, t.ours / t.rnnoise],
      ['RNNoise (@shiguredo/rnnoise-wasm)', t.rnnoise, 1],
      ['speexdsp (native C, -O2)', t.speex, t.speex / t.rnnoise],
    ],
  )}`;
}
