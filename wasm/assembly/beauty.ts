// Skin smoothing for camera frames (I420, NV12 or RGBA, up to 4096 x 2304), luma only.
//
// Per frame, everything but the last step on cells of 4x4 pixels (quarter resolution, 16x cheaper than
// full; 2x2 cells for frames below about 320 lines):
//   1. Y is averaged over each cell into a f32 plane I; Cb and Cr (4:2:0) over 2x2 for 4x4 cells.
//   2. Guided filter with I as its own guide (He, Sun & Tang 2010), coefficients subsampled as in
//      He & Sun's "fast guided filter" (2015):
//        a = var / (var + eps),  b = mean * (1 - a),  both box-averaged again (A, B); eps = (10 + 30 smooth)^2.
//      Flat, low-variance texture (skin pores) gets a -> 0 (replaced by the local mean); edges, whose
//      variance is far above eps, keep a -> 1 and stay sharp.
//   3. Skin weight from the chroma: a softened box Cb 77-127, Cr 133-173 (ramps over the 8 levels
//      inside each bound, so neutral grey stays out), gated by luma, then averaged over time (0.6 old,
//      0.4 new) so the mask does not flicker; below 1/256 it is 0, so a mask that left a place ends.
//   4. Full resolution, per pixel, with the maps bilinearly upsampled (kernels/upsample.ts):
//        q   = A * Y + B                          guided filter output
//        out = Y + w * (q - Y)                    smoothing on skin only, w = smooth * skin
//            = Y - E * Y + O,  E = w (1 - A),  O = w B    (E and O formed per cell)
//            + sharpen * (1 - skin) * (Y - M)     light unsharp mask off skin, M = I upsampled
//        out = out + brighten * 0.6 * out * (255 - out) / 255   lifts midtones, keeps black and white
//      in i16 fixed point (kernels/shade.ts). Columns no map reaches (E = O = 0) get only the lift.
// RGBA frames are converted to the same planes and get the luma change added to R, G and B.
// The scalar path is the reference for the maths; the SIMD path computes the same values.

import { BoxScratch, boxMeans } from './kernels/box';
import { addLumaChange, rgbaToPlanes, splitChroma } from './kernels/colour';
import { halveBytes, lumaHalf, lumaQuarter } from './kernels/downsample';
import { allocF32 } from './kernels/fft';
import { brightenRange, liftFactor, shadeRange } from './kernels/shade';
import { ROW_SLACK, blendRows, expandRow } from './kernels/upsample';
import { skinMaps } from './beauty-maps';

export const FORMAT_I420: i32 = 0;
export const FORMAT_NV12: i32 = 1;
export const FORMAT_RGBA: i32 = 2;

export const BEAUTY_OK: i32 = 0;
export const BEAUTY_BAD_SIZE: i32 = -1;
export const BEAUTY_TOO_LARGE: i32 = -2;
export const BEAUTY_BAD_FORMAT: i32 = -3;
export const BEAUTY_NOT_CONFIGURED: i32 = -4;

const MAX_WIDTH: i32 = 4096;
const MAX_HEIGHT: i32 = 2304;

let width: i32 = 0;
let height: i32 = 0;
let chromaWidth: i32 = 0;
let chromaHeight: i32 = 0;
let mapWidth: i32 = 0;
let mapHeight: i32 = 0;
let scale: i32 = 4; // full-resolution pixels per map cell, across and down: 4, or 2 for small frames
let shift: i32 = 2;
let format: i32 = -1;
let radius: i32 = 1;
let smooth: f32 = 0.7;
let brighten: f32 = 0.2;
let sharpen: f32 = 0.0;
let useSimd: bool = true;
let skinValid: bool = false;

let frameCapacity: usize = 0;
let frameBuffer: usize = 0;
let planeCapacity: usize = 0; // full-resolution u8 planes (RGBA luma in and out)
let lumaIn: usize = 0;
let lumaOut: usize = 0;
let chromaCapacity: usize = 0; // half-resolution chroma (NV12 split, RGBA converted)
let chromaB: usize = 0;
let chromaR: usize = 0;
let mapCapacity: usize = 0; // planes at the maps' resolution
let cbMap: usize = 0;
let crMap: usize = 0;
let coarse: usize = 0; // I: luma averaged over each cell, i32 in quarter grey levels
let meanI: usize = 0;
let meanII: usize = 0;
let meanA: usize = 0;
let meanB: usize = 0;
let skin: usize = 0;
let mapGain: usize = 0;
let mapOffset: usize = 0;
let mapSharp: usize = 0;
let mapMean: usize = 0;
let spanFirst: usize = 0; // per map row: first and last column with skin, -1 when none
let spanLast: usize = 0;
let rowCapacity: i32 = 0; // blended map rows (padded) and their full-resolution expansions
let rowGain: usize = 0;
let rowOffset: usize = 0;
let rowSharp: usize = 0;
let rowMean: usize = 0;
let fullGain: usize = 0;
let fullOffset: usize = 0;
let fullSharp: usize = 0;
let fullMean: usize = 0;
const scratch = new BoxScratch();

function frameBytes(w: i32, h: i32, f: i32): usize {
  if (f == FORMAT_RGBA) return <usize>w * <usize>h * 4;
  const cw = <usize>((w + 1) >> 1);
  const ch = <usize>((h + 1) >> 1);
  return <usize>w * <usize>h + 2 * cw * ch;
}

function allocU16(count: i32): usize {
  const bytes = <usize>count << 1;
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

function ensureMapPlanes(count: usize): void {
  if (count <= mapCapacity) return;
  mapCapacity = count;
  cbMap = heap.alloc(count + 16);
  crMap = heap.alloc(count + 16);
  const floats = <i32>count + 4;
  coarse = allocF32(floats);
  meanI = allocF32(floats);
  meanII = allocF32(floats);
  meanA = allocF32(floats);
  meanB = allocF32(floats);
  skin = allocF32(floats);
  mapGain = allocU16(floats + 8);
  mapOffset = allocU16(floats + 8);
  mapSharp = allocU16(floats + 8);
  mapMean = allocU16(floats + 8);
  // One entry per map row: count is at least the row count.
  spanFirst = heap.alloc(count << 2);
  spanLast = heap.alloc(count << 2);
}

function ensureRows(w: i32): void {
  if (w + 32 <= rowCapacity) return;
  rowCapacity = w + 32;
  const padded = ((w + 1) >> 1) + ROW_SLACK + 8; // the widest maps: cells of 2x2

  rowGain = allocU16(padded);
  rowOffset = allocU16(padded);
  rowSharp = allocU16(padded);
  rowMean = allocU16(padded);
  fullGain = allocU16(rowCapacity);
  fullOffset = allocU16(rowCapacity);
  fullSharp = allocU16(rowCapacity);
  fullMean = allocU16(rowCapacity);
}

/**
 * Sizes the processor for `w` x `h` frames of `f` (FORMAT_*). Buffers only grow, so switching
 * between sizes allocates nothing once the largest was seen. Resets the temporal skin mask.
 */
export function beautyConfigure(w: i32, h: i32, f: i32): i32 {
  if (f != FORMAT_I420 && f != FORMAT_NV12 && f != FORMAT_RGBA) return BEAUTY_BAD_FORMAT;
  if (w < 2 || h < 2) return BEAUTY_BAD_SIZE;
  if (w > MAX_WIDTH || h > MAX_HEIGHT) return BEAUTY_TOO_LARGE;
  width = w;
  height = h;
  format = f;
  chromaWidth = (w + 1) >> 1;
  chromaHeight = (h + 1) >> 1;
  // The box spans about 1/32 of the frame height (34 pixels at 1080p), whatever the resolution it runs
  // at. Small frames (below about 320 lines) keep the maps at half resolution: a box of one 4x4 cell
  // either side would be twice that span and soften thin edges there.
  const halfRadius = min(max((chromaHeight + 32) / 64, 1), 16);
  scale = halfRadius >= 3 ? 4 : 2;
  shift = scale == 4 ? 2 : 1;
  radius = scale == 4 ? (halfRadius + 1) >> 1 : halfRadius;
  mapWidth = (w + scale - 1) >> shift;
  mapHeight = (h + scale - 1) >> shift;
  const bytes = frameBytes(w, h, f);
  if (bytes > frameCapacity) {
    frameCapacity = bytes;
    frameBuffer = heap.alloc(bytes + 16);
  }
  const planeBytes = <usize>w * <usize>h;
  if (f == FORMAT_RGBA && planeBytes > planeCapacity) {
    planeCapacity = planeBytes;
    lumaIn = heap.alloc(planeBytes + 16);
    lumaOut = heap.alloc(planeBytes + 16);
  }
  const chromaCount = <usize>chromaWidth * <usize>chromaHeight;
  if (f != FORMAT_I420 && chromaCount > chromaCapacity) {
    chromaCapacity = chromaCount;
    chromaB = heap.alloc(chromaCount + 16);
    chromaR = heap.alloc(chromaCount + 16);
  }
  ensureMapPlanes(<usize>mapWidth * <usize>mapHeight);
  ensureRows(w);
  scratch.ensure(mapWidth, radius); // here, so that no frame allocates
  skinValid = false;
  return BEAUTY_OK;
}

/** Where the caller writes a frame (planes packed without padding) and reads the result back. */
export function beautyFramePtr(): usize {
  return frameBuffer;
}

export function beautyFrameBytes(): i32 {
  return format < 0 ? 0 : <i32>frameBytes(width, height, format);
}

/** Strengths in [0, 1]; out-of-range values are clamped. */
export function beautySetParams(smoothing: f32, brightening: f32, sharpening: f32): void {
  smooth = min<f32>(max<f32>(smoothing, 0.0), 1.0);
  brighten = min<f32>(max<f32>(brightening, 0.0), 1.0);
  sharpen = min<f32>(max<f32>(sharpening, 0.0), 1.0);
}

export function beautySetSimd(enabled: i32): void {
  useSimd = enabled != 0;
}

/** Forgets the temporal skin mask (after a cut or a camera switch). */
export function beautyReset(): void {
  skinValid = false;
}

/**
 * The guided filter's eps: texture whose deviation is below sqrt(eps) grey levels is smoothed away.
 * It grows with the smoothing strength, from 10 levels (pores) to 40 (blemishes; edges are stronger).
 */
// @ts-ignore: decorator
@inline function epsilon(): f32 {
  const deviation: f32 = 10.0 + 30.0 * smooth;
  return deviation * deviation;
}

/**
 * a and b of the guided filter, written over meanII and meanI as i32 for the integer box filter:
 * a in 1/4096 (Q12), b in 1/16 grey levels.
 */
function guidedCoefficients(): void {
  const count = mapWidth * mapHeight;
  let i = 0;
  if (useSimd) {
    const eps = f32x4.splat(epsilon());
    const one = f32x4.splat(1.0);
    const zero = f32x4.splat(0.0);
    const half = f32x4.splat(0.5);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const m = v128.load(meanI + o);
      const variance = f32x4.pmax(f32x4.sub(v128.load(meanII + o), f32x4.mul(m, m)), zero); // pmax: one instruction (no NaN here)
      const a = f32x4.div(variance, f32x4.add(variance, eps));
      v128.store(meanII + o, i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(a, f32x4.splat(4096.0)), half)));
      v128.store(meanI + o, i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(f32x4.mul(m, f32x4.sub(one, a)), f32x4.splat(16.0)), half)));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const m = load<f32>(meanI + o);
    const variance = max<f32>(load<f32>(meanII + o) - m * m, 0.0);
    const a = variance / (variance + epsilon());
    store<i32>(meanII + o, <i32>(a * 4096.0 + 0.5));
    store<i32>(meanI + o, <i32>(m * (1.0 - a) * 16.0 + 0.5));
  }
}

/** The skin spans of map rows `near` and `far` as the full-resolution columns [from, to) they reach. */
function skinColumns(near: i32, far: i32): i64 {
  const firstNear = load<i32>(spanFirst + (<usize>near << 2));
  const firstFar = load<i32>(spanFirst + (<usize>far << 2));
  if (firstNear < 0 && firstFar < 0) return -1;
  const first = firstNear < 0 ? firstFar : firstFar < 0 ? firstNear : min(firstNear, firstFar);
  const last = max(load<i32>(spanLast + (<usize>near << 2)), load<i32>(spanLast + (<usize>far << 2)));
  // Pixel x reads cell x >> shift and one neighbour: cells [first, last] reach no x outside
  // [scale (first - 1), scale (last + 2)).
  const from = scale * max(first - 1, 0);
  const to = min(scale * (last + 2), width);
  return (<i64>from << 32) | <i64>to;
}

function shadeFrame(input: usize, output: usize): void {
  const lift = liftFactor(brighten);
  const withSharpen = sharpen > 0.0;
  for (let y = 0; y < height; y++) {
    const near = y >> shift;
    const phase = y & (scale - 1);
    const far = phase < scale >> 1 ? max(near - 1, 0) : min(near + 1, mapHeight - 1);
    const rowIn = input + <usize>y * <usize>width;
    const rowOut = output + <usize>y * <usize>width;
    let from = 0;
    let to = width;
    if (!withSharpen) {
      const columns = skinColumns(near, far);
      if (columns < 0) {
        brightenRange(rowIn, rowOut, 0, width, lift, useSimd);
        continue;
      }
      from = <i32>(columns >> 32);
      to = <i32>(columns & 0xffffffff);
    }
    // Columns [from, to) read the cells from (from >> shift) - 1 to ((to - 1) >> shift) + 1, and the
    // SIMD expansion up to to >> shift (see expandRow).
    const cellFrom = max((from >> shift) - 1, 0);
    const cellTo = min((to >> shift) + 2, mapWidth);
    blendRows(mapGain, mapWidth, near, far, phase, scale, rowGain, cellFrom, cellTo, useSimd);
    blendRows(mapOffset, mapWidth, near, far, phase, scale, rowOffset, cellFrom, cellTo, useSimd);
    expandRow(rowGain, from, to, scale, fullGain, useSimd);
    expandRow(rowOffset, from, to, scale, fullOffset, useSimd);
    if (withSharpen) {
      blendRows(mapSharp, mapWidth, near, far, phase, scale, rowSharp, cellFrom, cellTo, useSimd);
      blendRows(mapMean, mapWidth, near, far, phase, scale, rowMean, cellFrom, cellTo, useSimd);
      expandRow(rowSharp, from, to, scale, fullSharp, useSimd);
      expandRow(rowMean, from, to, scale, fullMean, useSimd);
    }
    brightenRange(rowIn, rowOut, 0, from, lift, useSimd);
    shadeRange(rowIn, rowOut, from, to, fullGain, fullOffset, fullSharp, fullMean, withSharpen, lift, useSimd);
    brightenRange(rowIn, rowOut, to, width, lift, useSimd);
  }
}

/** Processes the frame at `beautyFramePtr()` in place. Returns BEAUTY_OK or an error code. */
export function beautyProcess(): i32 {
  if (format < 0) return BEAUTY_NOT_CONFIGURED;
  const lumaBytes = <usize>width * <usize>height;
  const chromaBytes = <usize>chromaWidth * <usize>chromaHeight;
  let lumaSource = frameBuffer;
  let lumaTarget = frameBuffer;
  let cb = frameBuffer + lumaBytes;
  let cr = cb + chromaBytes;
  if (format == FORMAT_NV12) {
    splitChroma(frameBuffer + lumaBytes, chromaBytes, chromaB, chromaR);
    cb = chromaB;
    cr = chromaR;
  } else if (format == FORMAT_RGBA) {
    rgbaToPlanes(frameBuffer, width, height, lumaIn, chromaB, chromaR);
    lumaSource = lumaIn;
    lumaTarget = lumaOut;
    cb = chromaB;
    cr = chromaR;
  }
  if (scale == 4) {
    lumaQuarter(lumaSource, width, height, coarse, mapWidth, mapHeight, useSimd);
    halveBytes(cb, chromaWidth, chromaHeight, cbMap, mapWidth, mapHeight, useSimd);
    halveBytes(cr, chromaWidth, chromaHeight, crMap, mapWidth, mapHeight, useSimd);
    cb = cbMap;
    cr = crMap;
  } else {
    lumaHalf(lumaSource, width, height, coarse, mapWidth, mapHeight, useSimd);
  }
  // I is in quarter levels: its mean x 1/4, the mean of its square x 1/16, in grey levels.
  boxMeans(coarse, coarse, true, meanI, meanII, 0.25, 0.0625, mapWidth, mapHeight, radius, scratch, useSimd);
  guidedCoefficients();
  // meanII now holds a and meanI holds b; their box means are A and B.
  boxMeans(meanII, meanI, false, meanA, meanB, 1.0 / 4096.0, 1.0 / 16.0, mapWidth, mapHeight, radius, scratch, useSimd);
  skinMaps(
    coarse, cb, cr, meanA, meanB, skin, skinValid, mapWidth, mapHeight,
    smooth, sharpen, mapGain, mapOffset, mapSharp, mapMean, spanFirst, spanLast, useSimd,
  );
  skinValid = true;
  shadeFrame(lumaSource, lumaTarget);
  if (format == FORMAT_RGBA) addLumaChange(frameBuffer, lumaBytes, lumaIn, lumaOut);
  return BEAUTY_OK;
}
