// Golden outputs: each processor on a fixed input, compared with what it produced when the figures in
// docs/media.md were measured (tests/wasm/golden.json). A change to a processor that moves its output fails
// here even where the behavioural tests still pass; if the change is intended, `npm run golden:update` rewrites
// the file, and the commit says what moved and what it measured.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BeautyFilter } from '../../wasm/host/beauty-filter.ts';
import { Denoiser } from '../../wasm/host/denoiser.ts';
import type { MediaCoreExports } from '../../wasm/host/media-core.ts';
import { loadMediaCore } from '../../wasm/node/load.ts';
import { makeTrace, pacedBy } from '../../wasm/pacing/trace.ts';
import { RATE, noise, testCard, vowel } from './signals.ts';

const GOLDEN_FILE = new URL('./golden.json', import.meta.url);
const UPDATE = process.env.GOLDEN === 'update';
const BLOCK = RATE / 100; // 10 ms
// Levels are compared to 0.002 dB: last-bit differences of the host's Math.sin in the input stay under it.
const LEVEL_TOLERANCE_DB = 0.002;

interface Golden {
  /** Denoise: output level per 10 ms block, dB full scale. */
  denoiseBlockDb: number[];
  /** Beauty: the output frame, base64. */
  beautyFrame: string;
  /** Pacing: the frame shown at each tick. */
  pacingShown: number[];
}

/** Two syllables, then a pause long enough for the deep pause and the gate, in white noise: 1 s. */
function denoiseInput(): Float32Array {
  const clean = vowel(RATE, [[0.2, 0.45]]);
  const background = noise(RATE, 0.05, 11);
  return clean.map((v, i) => v + background[i]);
}

function blockLevels(x: Float32Array): number[] {
  const levels: number[] = [];
  for (let b = 0; b + BLOCK <= x.length; b += BLOCK) {
    let sum = 0;
    for (let i = b; i < b + BLOCK; i++) sum += x[i] * x[i];
    levels.push(Number((10 * Math.log10(sum / BLOCK + 1e-20)).toFixed(3)));
  }
  return levels;
}

describe('golden outputs', () => {
  let core: MediaCoreExports;
  let golden: Golden;
  const produced: Partial<Golden> = {};
  before(async () => {
    core = await loadMediaCore();
    golden = UPDATE ? ({} as Golden) : (JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Golden);
  });
  after(() => {
    // One line per processor, so a diff of the file shows which one moved.
    const lines = Object.entries(produced).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    if (UPDATE) writeFileSync(GOLDEN_FILE, `{\n${lines.join(',\n')}\n}\n`);
  });

  it('denoise: the same level in every 10 ms block', () => {
    const levels = blockLevels(new Denoiser(core, 0.8).processSignal(denoiseInput()));
    produced.denoiseBlockDb = levels;
    if (UPDATE) return;
    assert.equal(levels.length, golden.denoiseBlockDb.length);
    const first = levels.findIndex((v, i) => Math.abs(v - golden.denoiseBlockDb[i]) > LEVEL_TOLERANCE_DB);
    assert.equal(first, -1, `denoise output moved from ${first * 10} ms: ${levels[first]} dB, golden ${golden.denoiseBlockDb[first]} dB`);
  });

  it('beauty: the same frame, byte for byte', () => {
    const [width, height] = [64, 48];
    const out = new BeautyFilter(core).process(testCard(width, height), width, height, 'I420');
    produced.beautyFrame = Buffer.from(out).toString('base64');
    if (UPDATE) return;
    const expected = Buffer.from(golden.beautyFrame, 'base64');
    assert.equal(out.length, expected.length);
    let differing = 0;
    let worst = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== expected[i]) differing++;
      worst = Math.max(worst, Math.abs(out[i] - expected[i]));
    }
    assert.equal(differing, 0, `${differing} of ${out.length} bytes moved, by up to ${worst}`);
  });

  it('pacing: the same frame at every tick', () => {
    const trace = makeTrace({ name: 'golden', fps: 30, tickHz: 60, seconds: 4, jitterMs: 30, seed: 7, burstEveryMs: 1500, burstStallMs: 100 });
    const shown = Array.from(pacedBy(core)(trace));
    produced.pacingShown = shown;
    if (UPDATE) return;
    const first = shown.findIndex((v, i) => v !== golden.pacingShown[i]);
    assert.equal(first, -1, `pacing moved at tick ${first}: frame ${shown[first]}, golden ${golden.pacingShown[first]}`);
    assert.equal(shown.length, golden.pacingShown.length);
  });
});
