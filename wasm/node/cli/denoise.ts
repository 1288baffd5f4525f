// npm run denoise -- in.wav out.wav [--strength 0.8]
// Any PCM/float WAV (mixed to mono, resampled to 48 kHz); writes 48 kHz mono 16-bit.
import { readFile, writeFile } from 'node:fs/promises';
import { Denoiser } from '../../host/denoiser.ts';
import { numberOption, parseArgs, runCli } from '../args.ts';
import { loadMediaCore } from '../load.ts';
import { decodeWav, encodeWav, resample } from '../wav.ts';

runCli(async () => {
  const { positional, options } = parseArgs(process.argv.slice(2), ['strength']);
  if (positional.length !== 2) throw new Error('usage: npm run denoise -- in.wav out.wav [--strength 0..1]');
  const [input, output] = positional;
  const audio = decodeWav(await readFile(input));
  const samples = resample(audio.samples, audio.sampleRate, 48000);
  const denoiser = new Denoiser(await loadMediaCore(), numberOption(options, 'strength', 0.8));
  const started = performance.now();
  const clean = denoiser.processSignal(samples);
  const elapsed = performance.now() - started;
  await writeFile(output, encodeWav({ sampleRate: 48000, samples: clean }));
  const seconds = samples.length / 48000;
  console.log(`${output}: ${seconds.toFixed(2)} s at 48 kHz, ${(elapsed / (seconds * 100)).toFixed(3)} ms per 10 ms of audio`);
});
