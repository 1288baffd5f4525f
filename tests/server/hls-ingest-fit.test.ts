/**
 * Fitting the host's frames to the encoder's fixed input size (server/ingest/i420.ts): a lower
 * simulcast layer is scaled up plane by plane, an odd row or column is cropped, and shapes are
 * told apart within the rounding of simulcast layers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitI420, sameShape, type I420Frame } from '../../server/ingest/i420.ts';

/** An I420 frame whose every sample encodes its plane and position: plane*64 + y*8 + x (small frames). */
function labelled(width: number, height: number): I420Frame {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const data = new Uint8Array(width * height + 2 * cw * ch);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data[y * width + x] = y * 8 + x;
  for (const plane of [1, 2]) {
    const base = width * height + (plane - 1) * cw * ch;
    for (let y = 0; y < ch; y += 1) for (let x = 0; x < cw; x += 1) data[base + y * cw + x] = plane * 64 + y * 8 + x;
  }
  return { width, height, data };
}

describe('fitting host frames to the encoder input', () => {
  it('copies a frame of the right size unchanged', () => {
    const frame = labelled(4, 2);
    assert.deepEqual([...fitI420(frame, { width: 4, height: 2 })], [...frame.data]);
  });

  it('doubles a half-size layer: every sample repeated across and down, in every plane', () => {
    const out = fitI420(labelled(4, 2), { width: 8, height: 4 });
    assert.equal(out.length, 8 * 4 * 1.5);
    const luma = [...out.subarray(0, 32)];
    assert.deepEqual(luma.slice(0, 8), [0, 0, 1, 1, 2, 2, 3, 3]);
    assert.deepEqual(luma.slice(8, 16), [0, 0, 1, 1, 2, 2, 3, 3]);
    assert.deepEqual(luma.slice(16, 24), [8, 8, 9, 9, 10, 10, 11, 11]);
    assert.deepEqual([...out.subarray(32, 40)], [64, 64, 65, 65, 64, 64, 65, 65]);
    assert.deepEqual([...out.subarray(40, 48)], [128, 128, 129, 129, 128, 128, 129, 129]);
  });

  it('scales by an uneven factor (a 426x240 layer of a 1280x720 picture) within the frame', () => {
    const source = { width: 426, height: 240, data: new Uint8Array(426 * 240 + 2 * 213 * 120).fill(7) };
    source.data.fill(200, 426 * 240);
    const out = fitI420(source, { width: 1280, height: 720 });
    assert.equal(out.length, 1280 * 720 * 1.5);
    assert.ok(out.subarray(0, 1280 * 720).every((v) => v === 7), 'luma from luma only');
    assert.ok(out.subarray(1280 * 720).every((v) => v === 200), 'chroma from chroma only');
  });

  it('crops an odd last column and row', () => {
    const out = fitI420(labelled(5, 3), { width: 4, height: 2 });
    assert.deepEqual([...out.subarray(0, 8)], [0, 1, 2, 3, 8, 9, 10, 11]);
    assert.deepEqual([...out.subarray(8, 12)], [64, 65, 128, 129]);
  });

  it('tells a lower layer of the same shape from a turned phone', () => {
    assert.equal(sameShape({ width: 640, height: 360 }, { width: 1280, height: 720 }), true);
    assert.equal(sameShape({ width: 426, height: 240 }, { width: 1280, height: 720 }), true);
    assert.equal(sameShape({ width: 360, height: 640 }, { width: 1280, height: 720 }), false);
    assert.equal(sameShape({ width: 640, height: 480 }, { width: 1280, height: 720 }), false);
  });
});
