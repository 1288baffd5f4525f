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

export const LOG2_E: f32 = 1.4426950408889634;
