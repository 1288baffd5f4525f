// The beauty filter's per-pixel step at full resolution, in i16 fixed point (eight pixels per v128).
// The scalar functions are the reference: each line is the exact integer operation the SIMD lane does
// (q15mulr_sat_s, add_sat_s, narrow_u), so both paths write the same bytes.
//
//   y7   = Y << 7                                   luma in Q7
//   acc  = y7 - y7 * E / 2^15 + O                   E = w (1 - A) in Q15, O = w B in Q7 (w = smooth * skin)
//        + (y7 - M) * K / 2^15                      optional unsharp mask: K = sharpen (1 - skin) in Q15, M = local mean in Q7
//   v    = clamp((acc + 64) >> 7, 0, 255)
//   out  = v + (((v (255 - v)) >> 4) * L) / 2^15   midtone lift, L = brighten * 0.6 / 255 * 2^19
// Where E = O = 0 (no skin) acc is y7 and out is the lift of Y alone: `brightenRange`.

// @ts-ignore: decorator
@inline function q15(a: i32, b: i32): i32 {
  return min(max((a * b + 0x4000) >> 15, -32768), 32767);
}

// @ts-ignore: decorator
@inline function addSat(a: i32, b: i32): i32 {
  return min(max(a + b, -32768), 32767);
}

// @ts-ignore: decorator
@inline function liftScalar(v: i32, lift: i32): i32 {
  return min(v + q15((v * (255 - v)) >> 4, lift), 255);
}

// @ts-ignore: decorator
@inline function liftVector(v: v128, lift: v128): v128 {
  const spread = i16x8.shr_u(i16x8.mul(v, i16x8.sub(i16x8.splat(255), v)), 4);
  return i16x8.add(v, i16x8.q15mulr_sat_s(spread, lift));
}

/** The fixed-point lift for a brightening strength in [0, 1]. */
export function liftFactor(brighten: f32): i32 {
  return <i32>(brighten * (0.6 / 255.0 * 524288.0) + 0.5);
}

/** out = lift(Y) on [from, to) of a row (the pixels no skin map reaches). */
export function brightenRange(input: usize, output: usize, from: i32, to: i32, lift: i32, simd: bool): void {
  let x = from;
  if (lift == 0) {
    if (input != output) memory.copy(output + <usize>from, input + <usize>from, <usize>(to - from));
    return;
  }
  if (simd) {
    const liftV = i16x8.splat(<i16>lift);
    for (; x + 16 <= to; x += 16) {
      const bytes = v128.load(input + <usize>x);
      const low = liftVector(i16x8.extend_low_i8x16_u(bytes), liftV);
      const high = liftVector(i16x8.extend_high_i8x16_u(bytes), liftV);
      v128.store(output + <usize>x, i8x16.narrow_i16x8_u(low, high));
    }
  }
  for (; x < to; x++) store<u8>(output + <usize>x, <u8>liftScalar(<i32>load<u8>(input + <usize>x), lift));
}

function shadeScalar(
  input: usize, output: usize, from: i32, to: i32,
  gainRow: usize, offsetRow: usize, sharpRow: usize, meanRow: usize, withSharpen: bool, lift: i32,
): void {
  for (let x = from; x < to; x++) {
    const o = <usize>x << 1;
    const y7 = <i32>load<u8>(input + <usize>x) << 7;
    let acc = addSat(y7, q15(y7, -<i32>load<u16>(gainRow + o)));
    acc = addSat(acc, <i32>load<u16>(offsetRow + o));
    if (withSharpen) acc = addSat(acc, q15(y7 - <i32>load<u16>(meanRow + o), <i32>load<u16>(sharpRow + o)));
    const v = min(max(addSat(acc, 64) >> 7, 0), 255);
    store<u8>(output + <usize>x, <u8>liftScalar(v, lift));
  }
}

// @ts-ignore: decorator
@inline function shadeVector(luma: v128, gain: v128, offset: v128, sharp: v128, mean: v128, withSharpen: bool, lift: v128): v128 {
  const y7 = i16x8.shl(luma, 7);
  // E = 32768 (w = 1, A = 0) wraps to -32768 in 0 - E: exactly -1.0 in Q15, as in the scalar -E.
  let acc = i16x8.add_sat_s(y7, i16x8.q15mulr_sat_s(y7, i16x8.sub(i16x8.splat(0), gain)));
  acc = i16x8.add_sat_s(acc, offset);
  if (withSharpen) acc = i16x8.add_sat_s(acc, i16x8.q15mulr_sat_s(i16x8.sub(y7, mean), sharp));
  const v = i16x8.min_s(i16x8.max_s(i16x8.shr_s(i16x8.add_sat_s(acc, i16x8.splat(64)), 7), i16x8.splat(0)), i16x8.splat(255));
  return liftVector(v, lift);
}

/**
 * Shades [from, to) of a row from full-resolution u16 map rows (indexed by x): the gain E and offset
 * O, and with `withSharpen` the sharpening weight K and local mean M.
 */
export function shadeRange(
  input: usize, output: usize, from: i32, to: i32,
  gainRow: usize, offsetRow: usize, sharpRow: usize, meanRow: usize, withSharpen: bool, lift: i32, simd: bool,
): void {
  let x = from;
  if (simd) {
    const liftV = i16x8.splat(<i16>lift);
    const none = i16x8.splat(0);
    for (; x + 16 <= to; x += 16) {
      const o = <usize>x << 1;
      const bytes = v128.load(input + <usize>x);
      const low = shadeVector(
        i16x8.extend_low_i8x16_u(bytes), v128.load(gainRow + o), v128.load(offsetRow + o),
        withSharpen ? v128.load(sharpRow + o) : none, withSharpen ? v128.load(meanRow + o) : none, withSharpen, liftV,
      );
      const high = shadeVector(
        i16x8.extend_high_i8x16_u(bytes), v128.load(gainRow + o, 16), v128.load(offsetRow + o, 16),
        withSharpen ? v128.load(sharpRow + o, 16) : none, withSharpen ? v128.load(meanRow + o, 16) : none, withSharpen, liftV,
      );
      v128.store(output + <usize>x, i8x16.narrow_i16x8_u(low, high));
    }
  }
  shadeScalar(input, output, x, to, gainRow, offsetRow, sharpRow, meanRow, withSharpen, lift);
}
