import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FramePacer } from '../../wasm/host/frame-pacer.ts';
import { MediaCoreError, type MediaCoreExports } from '../../wasm/host/media-core.ts';
import { loadMediaCore } from '../../wasm/node/load.ts';
import { makeTrace, pacedBy, pacingMetrics, presentOnArrival } from '../../wasm/pacing/trace.ts';

describe('pacing', () => {
  let core: MediaCoreExports;
  before(async () => {
    core = await loadMediaCore();
  });

  it('shows every frame of a steady 30 fps source for exactly two 60 Hz ticks', () => {
    const trace = makeTrace({ name: 'steady', fps: 30, tickHz: 60, seconds: 20, jitterMs: 0 });
    const shown = pacedBy(core)(trace);
    const m = pacingMetrics(trace, shown);
    assert.equal(m.repeatsPerMin, 0);
    assert.equal(m.dropsPerMin, 0);
    assert.ok(m.intervalStdMs < 0.01, `interval std-dev ${m.intervalStdMs}`);
    assert.equal(Math.max(...shown), trace.frames.length - 1, 'the last frame is reached');
  });

  for (const [jitterMs, tickHz] of [[20, 60], [40, 60], [40, 120], [20, 30]]) {
    it(`keeps cadence under +-${jitterMs} ms jitter at ${tickHz} Hz: <= 1 glitch per 8 s, fewer than on arrival`, () => {
      const trace = makeTrace({ name: 'jitter', fps: 30, tickHz, seconds: 60, jitterMs, seed: jitterMs + tickHz });
      const paced = pacingMetrics(trace, pacedBy(core)(trace));
      const naive = pacingMetrics(trace, presentOnArrival(trace));
      assert.ok(paced.glitchesPer8s <= 1, `paced: ${paced.glitchesPer8s.toFixed(2)} glitches per 8 s`);
      assert.ok(paced.glitchesPer8s < naive.glitchesPer8s / 10, `paced ${paced.glitchesPer8s} vs on arrival ${naive.glitchesPer8s}`);
      assert.ok(paced.intervalStdMs < naive.intervalStdMs, 'steadier intervals');
      assert.ok(paced.addedDelayMs < 2 * jitterMs + 20, `added delay ${paced.addedDelayMs.toFixed(1)} ms is bounded by the jitter`);
    });
  }

  it('rides out delivery bursts without dropping frames', () => {
    const trace = makeTrace({ name: 'bursts', fps: 30, tickHz: 60, seconds: 60, jitterMs: 5, burstEveryMs: 1000, burstStallMs: 120 });
    const paced = pacingMetrics(trace, pacedBy(core)(trace));
    const naive = pacingMetrics(trace, presentOnArrival(trace));
    assert.ok(naive.dropsPerMin > 30, 'the trace does hurt a naive renderer');
    assert.ok(paced.dropsPerMin < 2, `paced drops ${paced.dropsPerMin}/min`);
    assert.ok(paced.glitchesPer8s <= 1);
  });

  it('answers -1 before any frame is due and rejects a tick of 0 ms', () => {
    const pacer = new FramePacer(core, 1000 / 60);
    assert.equal(pacer.select(0), -1);
    pacer.push(0, 10);
    assert.ok(pacer.select(100) === 0);
    assert.throws(() => new FramePacer(core, 0), (e: unknown) => e instanceof MediaCoreError && e.code === 'invalid-option' && /tick/.test(e.message));
  });
});
