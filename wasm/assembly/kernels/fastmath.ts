// Cheap log2 / exp2 for per-bin gain rules, where 1e-4 relative error is far below what the ear hears
// and the std library's exact versions would dominate the cost of a hop.

/** log2(x) for x > 0: exponent bits plus a least-squares quintic in (mantissa - 1) (abs error 3e-5). */
// @ts-ignore: decorator
@inline export function fastLog2(x: f32): f32 {
  const bits = reinterpret<i32>(x);
  const exponent = <f32>((bits >> 23) - 127);
  const t = reinterpret<f32>((bits & 0x007fffff) | 0x3f800000) - 1.0;
  const mantissaLog: f32 = 0.0000316815 + t * (1.44127084 + t * (-0.705719484 + t * (0.408749668 + t * (-0.187743998 + t * 0.0434343346))));
  return exponent + mantissaLog;
}

/** 2^x, clamped to the normal f32 range: a least-squares quartic on the fraction (relative error 7e-6). */
// @ts-ignore: decorator
@inline export function fastExp2(x: f32): f32 {
  const clamped = min<f32>(max<f32>(x, -126.0), 126.0);
  const whole = Mathf.floor(clamped);
  const f = clamped - whole;
  const fractionPow: f32 = 1.00000725 + f * (0.692931571 + f * (0.241709642 + f * (0.0516672168 + f * 0.013676598)));
  return reinterpret<f32>((<i32>whole + 127) << 23) * fractionPow;
}

/** fastLog2 on four lanes, the same operations in the same order (so the same results as the scalar). */
// @ts-ignore: decorator
@inline export function fastLog2x4(x: v128): v128 {
  const exponent = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_s(x, 23), i32x4.splat(127)));
  const t = f32x4.sub(v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000)), f32x4.splat(1.0));
  let p = f32x4.add(f32x4.splat(-0.187743998), f32x4.mul(t, f32x4.splat(0.0434343346)));
  p = f32x4.add(f32x4.splat(0.408749668), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(-0.705719484), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(1.44127084), f32x4.mul(t, p));
  p = f32x4.add(f32x4.splat(0.0000316815), f32x4.mul(t, p));
  return f32x4.add(exponent, p);
}

/** fastExp2 on four lanes, the same operations in the same order as the scalar. */
// @ts-ignore: decorator
@inline export function fastExp2x4(x: v128): v128 {
  const clamped = f32x4.min(f32x4.max(x, f32x4.splat(-126.0)), f32x4.splat(126.0));
  const whole = f32x4.floor(clamped);
  const f = f32x4.sub(clamped, whole);
  let p = f32x4.add(f32x4.splat(0.0516672168), f32x4.mul(f, f32x4.splat(0.013676598)));
  p = f32x4.add(f32x4.splat(0.241709642), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(0.692931571), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(1.00000725), f32x4.mul(f, p));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(whole), i32x4.splat(127)), 23);
  return f32x4.mul(scale, p);
}
