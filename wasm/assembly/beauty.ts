// Skin smoothing for camera frames (I420, NV12 or RGBA, up to 4096 x 2304), luma only.
//
// Per frame:
//   1. Y is averaged 2x2 into a half-resolution f32 plane I.
//   2. Guided filter with I as its own guide (He, Sun & Tang 2010), coefficients at half resolution:
//        a = var / (var + eps),  b = mean * (1 - a),  both box-averaged again; eps = (10 + 30 smooth)^2.
//      Flat, low-variance texture (skin pores) gets a -> 0 (replaced by the local mean); edges, whose
//      variance is far above eps, keep a -> 1 and stay sharp.
//   3. Skin weight from the chroma planes: a softened box Cb 77-127, Cr 133-173 (ramps over the 8
//      levels inside each bound, so neutral grey stays out), gated by luma, then averaged over time (0.6 old, 0.4 new) so the mask
//      does not flicker.
//   4. Full resolution, per pixel, with the half-resolution maps bilinearly upsampled:
//        q   = A * Y + B                          guided filter output
//        out = Y + w * (q - Y)                    smoothing on skin only, w = smooth * skin
//            = G * Y + O,  G = 1 + w (A - 1),  O = w B   (G and O formed at half resolution)
//            + sharpen * (1 - skin) * (Y - M)     light unsharp mask off skin, M = 2x2 mean
//        out = out + brighten * 0.6 * out * (255 - out) / 255   lifts midtones, keeps black and white
// RGBA frames are converted to the same planes and get the luma change added to R, G and B.
// The scalar path below is the reference for the maths; the SIMD path computes the same values.

import { BoxScratch, boxMeans } from './kernels/box';
import { addLumaChange, rgbaToPlanes, splitChroma } from './kernels/colour';
import { blendRows, evenColumns, oddColumns, upsampled } from './kernels/upsample';
import { allocF32 } from './kernels/fft';

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
const SKIN_MARGIN: f32 = 8.0;
const SKIN_MEMORY: f32 = 0.6;

let width: i32 = 0;
let height: i32 = 0;
let halfWidth: i32 = 0;
let halfHeight: i32 = 0;
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
let halfCapacity: usize = 0; // half-resolution planes
let chromaB: usize = 0;
let chromaR: usize = 0;
let half: usize = 0;
let meanI: usize = 0;
let meanII: usize = 0;
let meanA: usize = 0;
let meanB: usize = 0;
let skin: usize = 0;
let sharpWeight: usize = 0;
let rowCapacity: i32 = 0;
let rowA: usize = 0;
let rowB: usize = 0;
let rowSharp: usize = 0;
let rowMean: usize = 0;
const scratch = new BoxScratch();

function frameBytes(w: i32, h: i32, f: i32): usize {
  if (f == FORMAT_RGBA) return <usize>w * <usize>h * 4;
  const cw = <usize>((w + 1) >> 1);
  const ch = <usize>((h + 1) >> 1);
  return <usize>w * <usize>h + 2 * cw * ch;
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
  halfWidth = (w + 1) >> 1;
  halfHeight = (h + 1) >> 1;
  radius = min(max((halfHeight + 32) / 64, 1), 16);
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
  const halfCount = <usize>halfWidth * <usize>halfHeight;
  if (halfCount > halfCapacity) {
    halfCapacity = halfCount;
    chromaB = heap.alloc(halfCount + 16);
    chromaR = heap.alloc(halfCount + 16);
    const floats = <i32>halfCount + 4;
    half = allocF32(floats);
    meanI = allocF32(floats);
    meanII = allocF32(floats);
    meanA = allocF32(floats);
    meanB = allocF32(floats);
    skin = allocF32(floats);
    sharpWeight = allocF32(floats);
  }
  if (halfWidth + 8 > rowCapacity) {
    rowCapacity = halfWidth + 8;
    rowA = allocF32(rowCapacity);
    rowB = allocF32(rowCapacity);
    rowSharp = allocF32(rowCapacity);
    rowMean = allocF32(rowCapacity);
  }
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

function downsampleLuma(luma: usize): void {
  for (let j = 0; j < halfHeight; j++) {
    const row0 = luma + <usize>(2 * j) * <usize>width;
    const row1 = luma + <usize>min(2 * j + 1, height - 1) * <usize>width;
    const out = half + (<usize>j * <usize>halfWidth << 2);
    let i = 0;
    if (useSimd) {
      const quarter = f32x4.splat(0.25);
      for (; 2 * i + 16 <= width; i += 8) {
        const x = <usize>(2 * i);
        const a = v128.load(row0 + x);
        const b = v128.load(row1 + x);
        const low = i16x8.add(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(b));
        const high = i16x8.add(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(b));
        v128.store(out + (<usize>i << 2), f32x4.mul(f32x4.convert_i32x4_u(i32x4.extadd_pairwise_i16x8_u(low)), quarter));
        v128.store(out + (<usize>i << 2), f32x4.mul(f32x4.convert_i32x4_u(i32x4.extadd_pairwise_i16x8_u(high)), quarter), 16);
      }
    }
    for (; i < halfWidth; i++) {
      const x0 = <usize>(2 * i);
      const x1 = <usize>min(2 * i + 1, width - 1);
      const sum = <u32>load<u8>(row0 + x0) + <u32>load<u8>(row0 + x1) + <u32>load<u8>(row1 + x0) + <u32>load<u8>(row1 + x1);
      store<f32>(out + (<usize>i << 2), <f32>sum * 0.25);
    }
  }
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

/** a and b of the guided filter, written over meanII and meanI. */
function guidedCoefficients(): void {
  const count = halfWidth * halfHeight;
  let i = 0;
  if (useSimd) {
    const eps = f32x4.splat(epsilon());
    const one = f32x4.splat(1.0);
    const zero = f32x4.splat(0.0);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const m = v128.load(meanI + o);
      const variance = f32x4.max(f32x4.sub(v128.load(meanII + o), f32x4.mul(m, m)), zero);
      const a = f32x4.div(variance, f32x4.add(variance, eps));
      v128.store(meanII + o, a);
      v128.store(meanI + o, f32x4.mul(m, f32x4.sub(one, a)));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const m = load<f32>(meanI + o);
    const variance = max<f32>(load<f32>(meanII + o) - m * m, 0.0);
    const a = variance / (variance + epsilon());
    store<f32>(meanII + o, a);
    store<f32>(meanI + o, m * (1.0 - a));
  }
}

// @ts-ignore: decorator
@inline function ramp(value: f32, low: f32, high: f32): f32 {
  const rise = min<f32>(max<f32>((value - low) / SKIN_MARGIN, 0.0), 1.0);
  const fall = min<f32>(max<f32>((high - value) / SKIN_MARGIN, 0.0), 1.0);
  return rise * fall;
}

// @ts-ignore: decorator
@inline function rampVector(value: v128, low: f32, high: f32): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  const scale = f32x4.splat(1.0 / SKIN_MARGIN);
  const rise = f32x4.min(f32x4.max(f32x4.mul(f32x4.sub(value, f32x4.splat(low)), scale), zero), one);
  const fall = f32x4.min(f32x4.max(f32x4.mul(f32x4.sub(f32x4.splat(high), value), scale), zero), one);
  return f32x4.mul(rise, fall);
}

// @ts-ignore: decorator
@inline function bytesToFloats(p: usize): v128 {
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
}

/**
 * Per half-resolution pixel: the skin mask, then the shading gain G (over meanA) and offset O (over
 * meanB), and the sharpening weight (off skin).
 */
function skinWeights(cb: usize, cr: usize): void {
  const count = halfWidth * halfHeight;
  const memoryWeight: f32 = skinValid ? SKIN_MEMORY : 0.0;
  const withSharpen = sharpen > 0.0; // the sharpening map is read only then: skip 4 bytes a pixel of stores
  let i = 0;
  if (useSimd) {
    const keep = f32x4.splat(memoryWeight);
    const take = f32x4.splat(1.0 - memoryWeight);
    const zero = f32x4.splat(0.0);
    const one = f32x4.splat(1.0);
    const smoothV = f32x4.splat(smooth);
    const sharpenV = f32x4.splat(sharpen);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const luma = v128.load(half + o);
      const gateLow = f32x4.min(f32x4.max(f32x4.mul(f32x4.sub(luma, f32x4.splat(30.0)), f32x4.splat(1.0 / 30.0)), zero), one);
      const gateHigh = f32x4.min(f32x4.max(f32x4.mul(f32x4.sub(f32x4.splat(250.0), luma), f32x4.splat(1.0 / 20.0)), zero), one);
      const now = f32x4.mul(f32x4.mul(rampVector(bytesToFloats(cb + <usize>i), 77.0, 127.0), rampVector(bytesToFloats(cr + <usize>i), 133.0, 173.0)), f32x4.mul(gateLow, gateHigh));
      const s = f32x4.add(f32x4.mul(keep, v128.load(skin + o)), f32x4.mul(take, now));
      v128.store(skin + o, s);
      const w = f32x4.mul(smoothV, s);
      v128.store(meanA + o, f32x4.add(one, f32x4.mul(w, f32x4.sub(v128.load(meanA + o), one))));
      v128.store(meanB + o, f32x4.mul(w, v128.load(meanB + o)));
      if (withSharpen) v128.store(sharpWeight + o, f32x4.mul(sharpenV, f32x4.sub(one, s)));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const luma = load<f32>(half + o);
    // Very dark or blown-out pixels carry no reliable chroma: keep them out of the mask.
    const lumaGate = min<f32>(max<f32>((luma - 30.0) / 30.0, 0.0), 1.0) * min<f32>(max<f32>((250.0 - luma) / 20.0, 0.0), 1.0);
    const now = ramp(<f32>load<u8>(cb + <usize>i), 77.0, 127.0) * ramp(<f32>load<u8>(cr + <usize>i), 133.0, 173.0) * lumaGate;
    const s = memoryWeight * load<f32>(skin + o) + (1.0 - memoryWeight) * now;
    store<f32>(skin + o, s);
    const w = smooth * s;
    store<f32>(meanA + o, 1.0 + w * (load<f32>(meanA + o) - 1.0));
    store<f32>(meanB + o, w * load<f32>(meanB + o));
    if (withSharpen) store<f32>(sharpWeight + o, sharpen * (1.0 - s));
  }
  skinValid = true;
}

/** The reference per-pixel maths (see the header). */
// @ts-ignore: decorator
@inline function shadePixel(y: f32, gain: f32, offset: f32, sharpW: f32, mean: f32, lift: f32): u8 {
  let out = gain * y + offset + sharpW * (y - mean);
  out = min<f32>(max<f32>(out, 0.0), 255.0);
  out = out + lift * out * (255.0 - out);
  return <u8>(<i32>(min<f32>(out, 255.0) + 0.5));
}

function shadeRowScalar(input: usize, output: usize, from: i32, lift: f32): void {
  for (let x = from; x < width; x++) {
    const y = <f32>load<u8>(input + <usize>x);
    const value = shadePixel(
      y, upsampled(rowA, x), upsampled(rowB, x),
      sharpen > 0.0 ? upsampled(rowSharp, x) : 0.0, sharpen > 0.0 ? upsampled(rowMean, x) : 0.0, lift,
    );
    store<u8>(output + <usize>x, value);
  }
}

// @ts-ignore: decorator
@inline function shadeVector(y: v128, gain: v128, offset: v128, sharpW: v128, mean: v128, lift: v128): v128 {
  let out = f32x4.add(f32x4.mul(gain, y), offset);
  out = f32x4.add(out, f32x4.mul(sharpW, f32x4.sub(y, mean)));
  out = f32x4.min(f32x4.max(out, f32x4.splat(0.0)), f32x4.splat(255.0));
  out = f32x4.add(out, f32x4.mul(f32x4.mul(lift, out), f32x4.sub(f32x4.splat(255.0), out)));
  return i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.min(out, f32x4.splat(255.0)), f32x4.splat(0.5)));
}

function shadeRowSimd(input: usize, output: usize, lift: f32): void {
  const liftV = f32x4.splat(lift);
  const withSharpen = sharpen > 0.0;
  const zero = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= halfWidth && 2 * i + 8 <= width; i += 4) {
    const x = <usize>(2 * i);
    const bytes = i16x8.extend_low_i8x16_u(v128.load64_zero(input + x));
    const yLow = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(bytes));
    const yHigh = f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(bytes));
    const evenA = evenColumns(rowA, i);
    const oddA = oddColumns(rowA, i);
    const evenB = evenColumns(rowB, i);
    const oddB = oddColumns(rowB, i);
    let sharpLow = zero;
    let sharpHigh = zero;
    let meanLow = zero;
    let meanHigh = zero;
    if (withSharpen) {
      const evenK = evenColumns(rowSharp, i);
      const oddK = oddColumns(rowSharp, i);
      const evenM = evenColumns(rowMean, i);
      const oddM = oddColumns(rowMean, i);
      sharpLow = v128.shuffle<f32>(evenK, oddK, 0, 4, 1, 5);
      sharpHigh = v128.shuffle<f32>(evenK, oddK, 2, 6, 3, 7);
      meanLow = v128.shuffle<f32>(evenM, oddM, 0, 4, 1, 5);
      meanHigh = v128.shuffle<f32>(evenM, oddM, 2, 6, 3, 7);
    }
    const low = shadeVector(
      yLow, v128.shuffle<f32>(evenA, oddA, 0, 4, 1, 5), v128.shuffle<f32>(evenB, oddB, 0, 4, 1, 5),
      sharpLow, meanLow, liftV,
    );
    const high = shadeVector(
      yHigh, v128.shuffle<f32>(evenA, oddA, 2, 6, 3, 7), v128.shuffle<f32>(evenB, oddB, 2, 6, 3, 7),
      sharpHigh, meanHigh, liftV,
    );
    const packed = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(low, high), zero);
    v128.store64_lane(output + x, packed, 0);
  }
  shadeRowScalar(input, output, 2 * i, lift);
}

function shadeFrame(input: usize, output: usize): void {
  const lift: f32 = brighten * 0.6 / 255.0;
  for (let y = 0; y < height; y++) {
    const j = y >> 1;
    const far = (y & 1) == 0 ? max(j - 1, 0) : min(j + 1, halfHeight - 1);
    blendRows(meanA, halfWidth, j, far, rowA, useSimd);
    blendRows(meanB, halfWidth, j, far, rowB, useSimd);
    if (sharpen > 0.0) {
      blendRows(sharpWeight, halfWidth, j, far, rowSharp, useSimd);
      blendRows(half, halfWidth, j, far, rowMean, useSimd);
    }
    const rowIn = input + <usize>y * <usize>width;
    const rowOut = output + <usize>y * <usize>width;
    if (useSimd) shadeRowSimd(rowIn, rowOut, lift);
    else shadeRowScalar(rowIn, rowOut, 0, lift);
  }
}

/** Processes the frame at `beautyFramePtr()` in place. Returns BEAUTY_OK or an error code. */
export function beautyProcess(): i32 {
  if (format < 0) return BEAUTY_NOT_CONFIGURED;
  const lumaBytes = <usize>width * <usize>height;
  const chromaBytes = <usize>halfWidth * <usize>halfHeight;
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
  downsampleLuma(lumaSource);
  boxMeans(half, half, true, meanI, meanII, halfWidth, halfHeight, radius, scratch, useSimd);
  guidedCoefficients();
  // meanII now holds a and meanI holds b; their box means are what the shading upsamples.
  boxMeans(meanII, meanI, false, meanA, meanB, halfWidth, halfHeight, radius, scratch, useSimd);
  skinWeights(cb, cr);
  shadeFrame(lumaSource, lumaTarget);
  if (format == FORMAT_RGBA) addLumaChange(frameBuffer, lumaBytes, lumaIn, lumaOut);
  return BEAUTY_OK;
}
