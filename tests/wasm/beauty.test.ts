import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BeautyFilter } from '../../wasm/host/beauty-filter.ts';
import { MediaCoreError, type MediaCoreExports } from '../../wasm/host/media-core.ts';
import { loadMediaCore } from '../../wasm/node/load.ts';
import { testCard } from './signals.ts';

function regionStats(frame: Uint8Array, width: number, x0: number, x1: number, y0: number, y1: number) {
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const v = frame[y * width + x];
      sum += v;
      sq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

describe('beauty', () => {
  let core: MediaCoreExports;
  before(async () => {
    core = await loadMediaCore();
  });

  // 320x180 runs the maps on 2x2 cells, 1280x720 on 4x4 cells: both must keep the edge.
  for (const [w, h] of [[320, 180], [1280, 720]]) {
    it(`halves the texture variance on skin, keeps the edge on skin and leaves non-skin untouched (${w}x${h})`, () => {
      const k = w / 320; // the card's features scale with the frame
      const input = testCard(w, h);
      const filter = new BeautyFilter(core, { smooth: 0.7, brighten: 0, sharpen: 0 });
      const out = filter.process(input.slice(), w, h, 'I420');
      const skinBefore = regionStats(input, w, 8 * k, 70 * k, 20 * k, 160 * k);
      const skinAfter = regionStats(out, w, 8 * k, 70 * k, 20 * k, 160 * k);
      assert.ok(skinAfter.variance < skinBefore.variance / 2, `skin variance ${skinBefore.variance.toFixed(1)} -> ${skinAfter.variance.toFixed(1)}`);
      assert.ok(Math.abs(skinAfter.mean - skinBefore.mean) < 2, 'smoothing keeps the skin tone');
      const contrast = (f: Uint8Array) => regionStats(f, w, 82 * k, 86 * k, 20 * k, 160 * k).mean - regionStats(f, w, 70 * k, 76 * k, 20 * k, 160 * k).mean;
      const [edgeBefore, edgeAfter] = [contrast(input), contrast(out)];
      assert.ok(Math.abs(edgeAfter) > 0.8 * Math.abs(edgeBefore), `edge contrast ${edgeBefore.toFixed(0)} -> ${edgeAfter.toFixed(0)}`);
      for (let y = 0; y < h; y++) {
        for (let x = w / 2 + 8; x < w; x++) assert.equal(out[y * w + x], input[y * w + x], `non-skin pixel ${x},${y}`);
      }
      assert.deepEqual(out.subarray(w * h), input.subarray(w * h), 'chroma is not touched');
    });
  }

  it('stops smoothing a place within a dozen frames after the skin left it', () => {
    const [w, h] = [640, 360];
    const filter = new BeautyFilter(core, { smooth: 1, brighten: 0, sharpen: 0 });
    filter.process(testCard(w, h), w, h, 'I420');
    const grey = testCard(w, h, 9);
    grey.fill(128, w * h); // same texture, no skin colour anywhere
    const changed: number[] = [];
    for (let frame = 0; frame < 14; frame++) {
      const out = filter.process(grey.slice(), w, h, 'I420');
      changed.push(out.reduce((n, v, i) => n + (v !== grey[i] ? 1 : 0), 0));
    }
    assert.ok(changed[0] > 1000, `the first grey frame is still smoothed where the skin was (${changed[0]} pixels changed)`);
    assert.ok(changed.slice(0, 3).every((n, i) => i === 0 || n <= changed[i - 1]), `the smoothing fades: ${changed.join(' ')}`);
    assert.equal(changed.at(-1), 0, `after 14 frames nothing is changed: ${changed.join(' ')}`);
  });

  it('computes the same frame on the SIMD and the scalar path, odd sizes included, with and without sharpening', () => {
    // Sharpening off is the default: the shading then covers only the skin spans.
    for (const params of [{ smooth: 0.9, brighten: 0.5, sharpen: 0.5 }, { smooth: 0.7, brighten: 0.2, sharpen: 0 }]) {
      for (const [w, h] of [[320, 180], [37, 23], [2, 2], [17, 2], [640, 360], [645, 363], [1283, 723]]) {
        const input = testCard(w, h);
        const filter = new BeautyFilter(core, params);
        filter.setSimd(true);
        const simd = filter.process(input.slice(), w, h, 'I420');
        filter.setSimd(false);
        filter.reset();
        const scalar = filter.process(input.slice(), w, h, 'I420');
        filter.setSimd(true);
        let worst = 0;
        simd.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - scalar[i]))));
        assert.ok(worst <= 1, `${w}x${h} sharpen ${params.sharpen}: SIMD and scalar differ by ${worst}`);
        assert.ok(simd.some((v, i) => v !== input[i]) || w * h < 16, `${w}x${h}: the frame was processed`);
      }
    }
  });

  it('gives NV12 frames the same luma as the same picture in I420', () => {
    for (const [w, h] of [[640, 360], [37, 23]]) {
      const i420 = testCard(w, h);
      const quarter = ((w + 1) >> 1) * ((h + 1) >> 1);
      const nv12 = i420.slice();
      for (let i = 0; i < quarter; i++) {
        nv12[w * h + 2 * i] = i420[w * h + i];
        nv12[w * h + 2 * i + 1] = i420[w * h + quarter + i];
      }
      const params = { smooth: 0.8, brighten: 0.3, sharpen: 0 };
      const fromI420 = new BeautyFilter(core, params).process(i420.slice(), w, h, 'I420');
      const fromNv12 = new BeautyFilter(core, params).process(nv12.slice(), w, h, 'NV12');
      assert.deepEqual(fromNv12.subarray(0, w * h), fromI420.subarray(0, w * h), `${w}x${h}`);
      assert.ok(fromNv12.subarray(0, w * h).some((v, i) => v !== nv12[i]), 'the frame was processed');
      assert.deepEqual(fromNv12.subarray(w * h), nv12.subarray(w * h), 'chroma is not touched');
    }
  });

  it('brightens midtones and keeps black and white', () => {
    const [w, h] = [16, 8];
    const frame = new Uint8Array(w * h + 2 * 8 * 4).fill(128);
    frame.fill(0, 0, 16);
    frame.fill(255, 16, 32);
    const out = new BeautyFilter(core, { smooth: 0, brighten: 1, sharpen: 0 }).process(frame, w, h, 'I420');
    assert.ok(out.subarray(0, 16).every((v) => v === 0));
    assert.ok(out.subarray(16, 32).every((v) => v === 255));
    assert.ok(out[64] > 150, `mid grey became ${out[64]}`);
  });

  it('is stable: the same frame twice gives the same picture', () => {
    const [w, h] = [64, 48];
    const filter = new BeautyFilter(core);
    const first = filter.process(testCard(w, h), w, h, 'I420');
    const second = filter.process(testCard(w, h), w, h, 'I420');
    assert.deepEqual(second, first);
  });

  it('smooths RGBA skin through luma and leaves a grey background alone', () => {
    const [w, h] = [64, 32];
    const card = testCard(w, h);
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      const skin = i % w < w / 2;
      const y = card[i];
      rgba.set(skin ? [Math.min(255, y + 40), y - 10, Math.max(0, y - 30), 255] : [y, y, y, 255], i * 4);
    }
    const before = rgba.slice();
    new BeautyFilter(core, { smooth: 1, brighten: 0 }).process(rgba, w, h, 'RGBA');
    const green = (f: Uint8Array, x0: number, x1: number) => {
      const g = new Uint8Array(w * h);
      for (let i = 0; i < w * h; i++) g[i] = f[i * 4 + 1];
      return regionStats(g, w, x0, x1, 4, 28).variance;
    };
    assert.ok(green(rgba, 2, 14) < green(before, 2, 14) / 2, 'skin texture smoothed');
    assert.equal(green(rgba, 40, 62), green(before, 40, 62));
    assert.ok(rgba.every((v, i) => i % 4 !== 3 || v === 255), 'alpha is kept');
  });

  it('rejects sizes it cannot process, naming them', () => {
    const filter = new BeautyFilter(core);
    for (const [w, h, code] of [[0, 0, 'invalid-size'], [1, 5, 'invalid-size'], [5000, 100, 'too-large'], [10.5, 4, 'invalid-size']] as const) {
      assert.throws(() => filter.process(new Uint8Array(16), w, h, 'I420'),
        (e: unknown) => e instanceof MediaCoreError && e.code === code && e.message.includes(`${w}x${h}`));
    }
    assert.throws(() => filter.process(new Uint8Array(10), 4, 4, 'I420'), (e: unknown) => e instanceof MediaCoreError && /24 bytes/.test(e.message));
    assert.throws(() => filter.setParams({ smooth: 2 }), (e: unknown) => e instanceof MediaCoreError && e.code === 'invalid-option');
  });
});
