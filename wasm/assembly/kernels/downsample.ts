// The beauty filter's coarse planes: luma averaged over 4x4 blocks and chroma, already at half
// resolution in 4:2:0, averaged over 2x2 (u8), both at quarter resolution; or luma over 2x2 for maps
// at half resolution. Luma is kept as i32 in quarter grey levels (the box filter sums integers).
// Blocks cut by the frame's right or bottom edge repeat the last column or row. Exact integers on both paths.

/** Mean of each 4x4 block of a `width` x `height` u8 plane, x4 and rounded, into a `quarterWidth` x `quarterHeight` i32 plane. */
export function lumaQuarter(luma: usize, width: i32, height: i32, out: usize, quarterWidth: i32, quarterHeight: i32, simd: bool): void {
  const stride = <usize>width;
  for (let j = 0; j < quarterHeight; j++) {
    const row0 = luma + <usize>min(4 * j, height - 1) * stride;
    const row1 = luma + <usize>min(4 * j + 1, height - 1) * stride;
    const row2 = luma + <usize>min(4 * j + 2, height - 1) * stride;
    const row3 = luma + <usize>min(4 * j + 3, height - 1) * stride;
    const target = out + (<usize>j * <usize>quarterWidth << 2);
    let i = 0;
    if (simd) {
      const two = i32x4.splat(2);
      for (; 4 * i + 16 <= width; i += 4) {
        const x = <usize>(4 * i);
        // Pairs of bytes summed into u16 (at most 4 x 510), then pairs of those into the 16-pixel sums.
        let pairs = i16x8.extadd_pairwise_i8x16_u(v128.load(row0 + x));
        pairs = i16x8.add(pairs, i16x8.extadd_pairwise_i8x16_u(v128.load(row1 + x)));
        pairs = i16x8.add(pairs, i16x8.extadd_pairwise_i8x16_u(v128.load(row2 + x)));
        pairs = i16x8.add(pairs, i16x8.extadd_pairwise_i8x16_u(v128.load(row3 + x)));
        const sums = i32x4.extadd_pairwise_i16x8_u(pairs);
        v128.store(target + (<usize>i << 2), i32x4.shr_u(i32x4.add(sums, two), 2));
      }
    }
    for (; i < quarterWidth; i++) {
      let sum: u32 = 0;
      for (let dx = 0; dx < 4; dx++) {
        const x = <usize>min(4 * i + dx, width - 1);
        sum += <u32>load<u8>(row0 + x) + <u32>load<u8>(row1 + x) + <u32>load<u8>(row2 + x) + <u32>load<u8>(row3 + x);
      }
      store<u32>(target + (<usize>i << 2), (sum + 2) >> 2);
    }
  }
}

/** Rounded mean of each 2x2 block of a `width` x `height` u8 plane into a u8 plane of half the size (rounded up). */
export function halveBytes(plane: usize, width: i32, height: i32, out: usize, outWidth: i32, outHeight: i32, simd: bool): void {
  const stride = <usize>width;
  for (let j = 0; j < outHeight; j++) {
    const row0 = plane + <usize>min(2 * j, height - 1) * stride;
    const row1 = plane + <usize>min(2 * j + 1, height - 1) * stride;
    const target = out + <usize>j * <usize>outWidth;
    let i = 0;
    if (simd) {
      const two = i16x8.splat(2);
      for (; 2 * i + 16 <= width; i += 8) {
        const x = <usize>(2 * i);
        const sums = i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(row0 + x)), i16x8.extadd_pairwise_i8x16_u(v128.load(row1 + x)));
        const means = i16x8.shr_u(i16x8.add(sums, two), 2);
        v128.store64_lane(target + <usize>i, i8x16.narrow_i16x8_u(means, means), 0);
      }
    }
    for (; i < outWidth; i++) {
      const x0 = <usize>min(2 * i, width - 1);
      const x1 = <usize>min(2 * i + 1, width - 1);
      const sum = <u32>load<u8>(row0 + x0) + <u32>load<u8>(row0 + x1) + <u32>load<u8>(row1 + x0) + <u32>load<u8>(row1 + x1);
      store<u8>(target + <usize>i, <u8>((sum + 2) >> 2));
    }
  }
}

/** Sum (= mean x4) of each 2x2 block of a `width` x `height` u8 plane into an i32 plane of half the size (rounded up). */
export function lumaHalf(luma: usize, width: i32, height: i32, out: usize, halfWidth: i32, halfHeight: i32, simd: bool): void {
  for (let j = 0; j < halfHeight; j++) {
    const row0 = luma + <usize>(2 * j) * <usize>width;
    const row1 = luma + <usize>min(2 * j + 1, height - 1) * <usize>width;
    const target = out + (<usize>j * <usize>halfWidth << 2);
    let i = 0;
    if (simd) {
      for (; 2 * i + 16 <= width; i += 8) {
        const x = <usize>(2 * i);
        const a = v128.load(row0 + x);
        const b = v128.load(row1 + x);
        const sums = i16x8.add(i16x8.extadd_pairwise_i8x16_u(a), i16x8.extadd_pairwise_i8x16_u(b));
        v128.store(target + (<usize>i << 2), i32x4.extend_low_i16x8_u(sums));
        v128.store(target + (<usize>i << 2), i32x4.extend_high_i16x8_u(sums), 16);
      }
    }
    for (; i < halfWidth; i++) {
      const x0 = <usize>(2 * i);
      const x1 = <usize>min(2 * i + 1, width - 1);
      const sum = <u32>load<u8>(row0 + x0) + <u32>load<u8>(row0 + x1) + <u32>load<u8>(row1 + x0) + <u32>load<u8>(row1 + x1);
      store<u32>(target + (<usize>i << 2), sum);
    }
  }
}
