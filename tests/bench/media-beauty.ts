// Beauty speed (720p / 1080p: WASM SIMD, WASM scalar, plain JS) and quality on a real face
// (scikit-image's "astronaut", a public-domain NASA portrait): SSIM of luma off skin, where nothing
// should change, and the drop in fine-texture variance on skin. Writes the before/after picture to docs/.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { BeautyFilter } from '../../wasm/host/beauty-filter.ts';
import type { MediaCoreExports } from '../../wasm/host/media-core.ts';
import { formatTable } from '../../wasm/node/table.ts';
import { PlainJsBeauty } from './media-beauty-js.ts';
import { BENCH_DIR, python } from './media-setup.ts';

const PORTRAIT = join(BENCH_DIR, 'astronaut.png');
export const BEFORE_AFTER = 'docs/media-beauty-before-after.png';

/** The portrait scaled to `width` x `height` (`crop`: an ffmpeg crop filter applied first). */
function i420Frame(width: number, height: number, crop = ''): Uint8Array {
  // A copy: Buffer.slice() would share memory, and each timed frame must start from the original.
  return new Uint8Array(execFileSync('ffmpeg', ['-loglevel', 'error', '-i', PORTRAIT, '-vf', `${crop}scale=${width}:${height},format=yuv420p`, '-f', 'rawvideo', '-'], { maxBuffer: 64 * 1024 * 1024 }));
}

/** Share of 2x2 blocks inside the plain YCbCr skin box (the judge the quality table uses too). */
function skinShare(frame: Uint8Array, width: number, height: number): number {
  const [cw, ch] = [width >> 1, height >> 1];
  let skin = 0;
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const p = 2 * j * width + 2 * i;
      const y = (frame[p] + frame[p + 1] + frame[p + width] + frame[p + width + 1]) / 4;
      const cb = frame[width * height + j * cw + i];
      const cr = frame[width * height + cw * ch + j * cw + i];
      if (cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173 && y > 40 && y < 240) skin++;
    }
  }
  return skin / (cw * ch);
}

/** Median time per frame: robust to other processes on a shared machine. */
function timeFrames(count: number, prepare: () => void, process: () => void): number {
  for (let i = 0; i < 3; i++) {
    prepare();
    process(); // warm-up (JIT, first-frame allocation)
  }
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    prepare();
    const started = performance.now();
    process();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[count >> 1];
}

// The camera frame: the portrait (a person filling the frame as on a webcam, with a warm background
// part of which the YCbCr box counts as skin) stretched to 16:9; and the worst case, a close-up of the
// face (cheeks, eyes, nose) filling the frame, so nearly every row takes the full shading path.
const FRAMES = [
  ['720p', 1280, 720, ''], ['1080p', 1920, 1080, ''], ['1080p face close-up', 1920, 1080, 'crop=160:90:180:90,'],
] as const;

function speedTable(core: MediaCoreExports): string {
  const rows: (string | number)[][] = [];
  for (const [label, w, h, crop] of FRAMES) {
    const frame = i420Frame(w, h, crop);
    const filter = new BeautyFilter(core);
    const work = frame.slice();
    const wasm = (simd: boolean, copies: boolean) => {
      filter.setSimd(simd);
      filter.reset();
      const view = filter.frameView(w, h, 'I420');
      // In place: the frame is already in WASM memory, as the studio's worker has it (VideoFrame.copyTo
      // writes there). With copies: copied in from a JS array and back out, as process() does.
      return copies
        ? timeFrames(40, () => work.set(frame), () => filter.process(work, w, h, 'I420'))
        : timeFrames(40, () => view.set(frame), () => filter.processInPlace());
    };
    const inPlace = wasm(true, false);
    const withCopies = wasm(true, true);
    const scalar = wasm(false, false);
    filter.setSimd(true);
    const js = new PlainJsBeauty();
    const plain = timeFrames(10, () => work.set(frame), () => js.process(work, w, h));
    rows.push([label, `${(skinShare(frame, w, h) * 100).toFixed(0)}%`, inPlace, withCopies, scalar, plain, scalar / inPlace, plain / inPlace]);
  }
  return `Beauty speed (I420, one thread, median ms per frame of 40; skin share by the plain YCbCr box)\n${formatTable(
    ['frame', 'skin', 'WASM SIMD', 'SIMD + copies in/out', 'WASM scalar', 'plain JS', 'scalar / SIMD', 'JS / SIMD'], rows)}`;
}

function lumaOf(rgba: Uint8Array, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
}

/** Skin by the plain YCbCr box (no softening), to judge the filter by a mask it did not compute. */
function skinMask(rgba: Uint8Array, w: number, h: number): Uint8Array {
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    mask[i] = cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173 && y > 40 && y < 240 ? 1 : 0;
  }
  return mask;
}

/** 1 where any pixel within `radius` has `value` in `mask` (dilation of value). */
function near(mask: Uint8Array, w: number, h: number, radius: number, value: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      search: for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          if (mask[yy * w + xx] === value) {
            out[y * w + x] = 1;
            break search;
          }
        }
      }
    }
  }
  return out;
}

/** Mean SSIM (8x8 windows, stride 4) over windows entirely inside `region`; `edgesOnly` keeps windows with strong gradients. */
function ssim(a: Float64Array, b: Float64Array, w: number, h: number, region: Uint8Array, edgesOnly: boolean): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let sum = 0;
  let count = 0;
  for (let y = 0; y + 8 <= h; y += 4) {
    for (let x = 0; x + 8 <= w; x += 4) {
      let ma = 0, mb = 0, inside = true, gradient = 0;
      for (let j = 0; j < 8 && inside; j++) {
        for (let i = 0; i < 8; i++) {
          const k = (y + j) * w + x + i;
          if (!region[k]) inside = false;
          ma += a[k];
          mb += b[k];
          if (i > 0) gradient = Math.max(gradient, Math.abs(a[k] - a[k - 1]));
        }
      }
      if (!inside || (edgesOnly && gradient < 40)) continue;
      ma /= 64;
      mb /= 64;
      let va = 0, vb = 0, cov = 0;
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 8; i++) {
          const k = (y + j) * w + x + i;
          va += (a[k] - ma) ** 2;
          vb += (b[k] - mb) ** 2;
          cov += (a[k] - ma) * (b[k] - mb);
        }
      }
      va /= 63;
      vb /= 63;
      cov /= 63;
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return count ? sum / count : Number.NaN;
}

/** Variance of luma minus its 9x9 mean, over `region`: the fine texture smoothing should remove. */
function textureVariance(luma: Float64Array, w: number, h: number, region: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let y = 4; y < h - 4; y++) {
    for (let x = 4; x < w - 4; x++) {
      if (!region[y * w + x]) continue;
      let mean = 0;
      for (let j = -4; j <= 4; j++) for (let i = -4; i <= 4; i++) mean += luma[(y + j) * w + x + i];
      sum += (luma[y * w + x] - mean / 81) ** 2;
      n++;
    }
  }
  return sum / n;
}

function qualityTable(core: MediaCoreExports): string {
  const png = PNG.sync.read(readFileSync(PORTRAIT));
  const { width: w, height: h } = png;
  const original = new Uint8Array(png.data);
  const skin = skinMask(original, w, h);
  const offSkin = near(skin, w, h, 6, 1).map((v) => 1 - v);
  const onSkin = near(skin, w, h, 3, 0).map((v) => 1 - v); // skin pixels away from its border
  const before = lumaOf(original, w * h);
  const rows: (string | number)[][] = [];
  let shown: Uint8Array | null = null;
  for (const [label, params] of [['smooth 0.7, brighten 0.2 (defaults)', { smooth: 0.7, brighten: 0.2, sharpen: 0 }], ['smooth 1.0, brighten 0', { smooth: 1, brighten: 0, sharpen: 0 }]] as const) {
    const frame = original.slice();
    new BeautyFilter(core, params).process(frame, w, h, 'RGBA');
    shown ??= frame;
    const after = lumaOf(frame, w * h);
    const varianceBefore = textureVariance(before, w, h, onSkin);
    const varianceAfter = textureVariance(after, w, h, onSkin);
    rows.push([label, ssim(before, after, w, h, offSkin, false).toFixed(3), ssim(before, after, w, h, offSkin, true).toFixed(3), varianceBefore, varianceAfter, `${((1 - varianceAfter / varianceBefore) * 100).toFixed(0)}%`]);
  }
  writeBeforeAfter(original, shown!, w);
  const skinShare = skin.reduce((a, b) => a + b, 0) / (w * h);
  return `Beauty quality on a ${w}x${h} portrait (${(skinShare * 100).toFixed(0)}% skin by the YCbCr box; before/after in ${BEFORE_AFTER})\n${formatTable(
    ['parameters', 'SSIM off skin', 'SSIM off-skin edges', 'skin texture var before', 'after', 'variance drop'], rows)}`;
}

/** The face, before and after, side by side at 2x. */
function writeBeforeAfter(before: Uint8Array, after: Uint8Array, width: number): void {
  const [x0, y0, size, zoom] = [150, 40, 200, 2];
  const out = new PNG({ width: 2 * size * zoom + 8, height: size * zoom });
  out.data.fill(255);
  for (const [source, offset] of [[before, 0], [after, size * zoom + 8]] as const) {
    for (let y = 0; y < size * zoom; y++) {
      for (let x = 0; x < size * zoom; x++) {
        const from = ((y0 + Math.floor(y / zoom)) * width + x0 + Math.floor(x / zoom)) * 4;
        const to = (y * out.width + offset + x) * 4;
        out.data.set(source.subarray(from, from + 4), to);
      }
    }
  }
  writeFileSync(BEFORE_AFTER, PNG.sync.write(out));
}

/**
 * Stability: 30 frames of the still 720p portrait, each with fresh sensor-like noise (uniform +-4
 * levels on luma, +-2 on chroma, so the skin mask's input varies too). Mean absolute change from one
 * frame to the next on skin, before and after the filter: flicker would make the output change more
 * than the input does.
 */
function stabilityLine(core: MediaCoreExports): string {
  const [w, h] = [1280, 720];
  const still = i420Frame(w, h);
  const filter = new BeautyFilter(core);
  let seed = 7;
  const noise = (amplitude: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return ((seed >>> 16) % (2 * amplitude + 1)) - amplitude;
  };
  const onSkin: number[] = [];
  const [cw, ch] = [w >> 1, h >> 1];
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const [cb, cr] = [still[w * h + j * cw + i], still[w * h + cw * ch + j * cw + i]];
      if (cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173) onSkin.push(2 * j * w + 2 * i);
    }
  }
  let previousIn: Uint8Array | null = null;
  let previousOut: Uint8Array | null = null;
  let [changeIn, changeOut, samples] = [0, 0, 0];
  for (let t = 0; t < 30; t++) {
    const frame = still.map((v, k) => Math.min(255, Math.max(0, v + noise(k < w * h ? 4 : 2))));
    const input = frame.slice();
    filter.process(frame, w, h, 'I420');
    if (previousIn && previousOut && t >= 10) { // after the mask settled
      for (const k of onSkin) {
        changeIn += Math.abs(input[k] - previousIn[k]);
        changeOut += Math.abs(frame[k] - previousOut[k]);
        samples++;
      }
    }
    [previousIn, previousOut] = [input, frame];
  }
  return `Stability (720p portrait, fresh noise every frame): mean change on skin from one frame to the next ${(changeIn / samples).toFixed(2)} levels in, ${(changeOut / samples).toFixed(2)} out`;
}

export function beautyBench(core: MediaCoreExports): string {
  python(['-c', `from skimage import data, io; io.imsave(${JSON.stringify(PORTRAIT)}, data.astronaut())`]);
  return [speedTable(core), qualityTable(core), stabilityLine(core)].join('\n\n');
}
