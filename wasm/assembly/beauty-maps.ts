// The beauty filter's step 3 and the maps step 4 upsamples (see beauty.ts): per map cell
// pixel the temporal skin weight s, then, in the fixed point kernels/shade.ts works in,
//   E = w (1 - A) in Q15 (at most 1.0 = 32768),  O = w B in Q7,  w = smooth * s,
//   and with sharpening K = sharpen (1 - s) in Q15 (at most 32767),  M = I in Q7.
// Each row also records the first and last column where s > 0, so the shading can give the rest of
// the frame the midtone lift alone. The SIMD path's spans may be wider (whole vectors); only what they
// select is cheaper, never different.

const SKIN_MARGIN: f32 = 8.0;
const SKIN_MEMORY: f32 = 0.6;
const SKIN_FLOOR: f32 = 1.0 / 256.0; // below this the mask is 0: a face that left stops costing work

// The box's ramps are 8 levels wide and its sides 40-50 apart, so at most one side's ramp is below 1:
// rise * fall = clamp(min(rise, fall)). Same for the luma gate (30-60 and 230-250).
// @ts-ignore: decorator
@inline function ramp(value: f32, low: f32, high: f32): f32 {
  return min<f32>(max<f32>(min<f32>(value - low, high - value) * (1.0 / SKIN_MARGIN), 0.0), 1.0);
}

// @ts-ignore: decorator
@inline function rampVector(value: v128, low: f32, high: f32): v128 {
  const nearest = f32x4.pmin(f32x4.sub(value, f32x4.splat(low)), f32x4.sub(f32x4.splat(high), value));
  return f32x4.pmin(f32x4.pmax(f32x4.mul(nearest, f32x4.splat(1.0 / SKIN_MARGIN)), f32x4.splat(0.0)), f32x4.splat(1.0));
}

// @ts-ignore: decorator
@inline function lumaGate(y: f32): f32 {
  return min<f32>(max<f32>(min<f32>((y - 30.0) * (1.0 / 30.0), (250.0 - y) * (1.0 / 20.0)), 0.0), 1.0);
}

// @ts-ignore: decorator
@inline function lumaGateVector(y: v128): v128 {
  const nearest = f32x4.pmin(f32x4.mul(f32x4.sub(y, f32x4.splat(30.0)), f32x4.splat(1.0 / 30.0)), f32x4.mul(f32x4.sub(f32x4.splat(250.0), y), f32x4.splat(1.0 / 20.0)));
  return f32x4.pmin(f32x4.pmax(nearest, f32x4.splat(0.0)), f32x4.splat(1.0));
}

// Signed conversions and pmin/pmax throughout: x86 has single instructions for those, while the
// unsigned conversions and NaN-propagating f32x4.min/max cost V8 sequences of several. The values
// are small, non-negative and never NaN, where both give the same numbers.
// @ts-ignore: decorator
@inline function bytesToFloats(p: usize): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
}

// @ts-ignore: decorator
@inline function fixedPoint(value: f32, scale: f32, limit: f32): u16 {
  return <u16><i32>min<f32>(max<f32>(value * scale + 0.5, 0.0), limit);
}

// @ts-ignore: decorator
@inline function fixedPointVector(value: v128, scale: f32, limit: f32): v128 {
  const scaled = f32x4.add(f32x4.mul(value, f32x4.splat(scale)), f32x4.splat(0.5));
  return i32x4.trunc_sat_f32x4_s(f32x4.pmin(f32x4.pmax(scaled, f32x4.splat(0.0)), f32x4.splat(limit)));
}

/**
 * Updates the skin plane (`previous`: whether it holds last frame's mask; `luma`: I as i32 in
 * quarter grey levels) and writes the u16 maps and the per-row skin spans (i32, -1 when a row has no skin).
 */
export function skinMaps(
  luma: usize, cb: usize, cr: usize, meanA: usize, meanB: usize, skin: usize, previous: bool,
  width: i32, height: i32, smooth: f32, sharpen: f32,
  mapGain: usize, mapOffset: usize, mapSharp: usize, mapMean: usize, spanFirst: usize, spanLast: usize, simd: bool,
): void {
  const memoryWeight: f32 = previous ? SKIN_MEMORY : 0.0;
  const withSharpen = sharpen > 0.0; // the sharpening maps are read only then
  for (let j = 0; j < height; j++) {
    let first = -1;
    let last = -1;
    const rowStart = j * width;
    let i = 0;
    if (simd) {
      const keep = f32x4.splat(memoryWeight);
      const take = f32x4.splat(1.0 - memoryWeight);
      const zero = f32x4.splat(0.0);
      const one = f32x4.splat(1.0);
      for (; i + 4 <= width; i += 4) {
        const p = rowStart + i;
        const o = <usize>p << 2;
        const y = f32x4.mul(f32x4.convert_i32x4_s(v128.load(luma + o)), f32x4.splat(0.25));
        const now = f32x4.mul(f32x4.mul(rampVector(bytesToFloats(cb + <usize>p), 77.0, 127.0), rampVector(bytesToFloats(cr + <usize>p), 133.0, 173.0)), lumaGateVector(y));
        const mixed = f32x4.add(f32x4.mul(keep, v128.load(skin + o)), f32x4.mul(take, now));
        const s = v128.and(mixed, f32x4.ge(mixed, f32x4.splat(SKIN_FLOOR)));
        v128.store(skin + o, s);
        if (v128.any_true(f32x4.gt(s, zero))) {
          if (first < 0) first = i;
          last = i + 3;
        }
        const w = f32x4.mul(f32x4.splat(smooth), s);
        const gain = fixedPointVector(f32x4.mul(w, f32x4.sub(one, v128.load(meanA + o))), 32768.0, 32768.0);
        const offset = fixedPointVector(f32x4.mul(w, v128.load(meanB + o)), 128.0, 32767.0);
        const pair = i16x8.narrow_i32x4_u(gain, offset);
        v128.store64_lane(mapGain + (<usize>p << 1), pair, 0);
        v128.store64_lane(mapOffset + (<usize>p << 1), pair, 1);
        if (withSharpen) {
          const sharp = fixedPointVector(f32x4.mul(f32x4.splat(sharpen), f32x4.sub(one, s)), 32768.0, 32767.0);
          const mean = fixedPointVector(y, 128.0, 32767.0);
          const both = i16x8.narrow_i32x4_u(sharp, mean);
          v128.store64_lane(mapSharp + (<usize>p << 1), both, 0);
          v128.store64_lane(mapMean + (<usize>p << 1), both, 1);
        }
      }
    }
    for (; i < width; i++) {
      const p = rowStart + i;
      const o = <usize>p << 2;
      const y = <f32>load<i32>(luma + o) * 0.25;
      // Very dark or blown-out pixels carry no reliable chroma: the luma gate keeps them out of the mask.
      const now = ramp(<f32>load<u8>(cb + <usize>p), 77.0, 127.0) * ramp(<f32>load<u8>(cr + <usize>p), 133.0, 173.0) * lumaGate(y);
      const mixed = memoryWeight * load<f32>(skin + o) + (1.0 - memoryWeight) * now;
      const s = mixed >= SKIN_FLOOR ? mixed : 0.0;
      store<f32>(skin + o, s);
      if (s > 0.0) {
        if (first < 0) first = i;
        last = i;
      }
      const w = smooth * s;
      store<u16>(mapGain + (<usize>p << 1), fixedPoint(w * (1.0 - load<f32>(meanA + o)), 32768.0, 32768.0));
      store<u16>(mapOffset + (<usize>p << 1), fixedPoint(w * load<f32>(meanB + o), 128.0, 32767.0));
      if (withSharpen) {
        store<u16>(mapSharp + (<usize>p << 1), fixedPoint(sharpen * (1.0 - s), 32768.0, 32767.0));
        store<u16>(mapMean + (<usize>p << 1), fixedPoint(y, 128.0, 32767.0));
      }
    }
    store<i32>(spanFirst + (<usize>j << 2), first);
    store<i32>(spanLast + (<usize>j << 2), min(last, width - 1));
  }
}
