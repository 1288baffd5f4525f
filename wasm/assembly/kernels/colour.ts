// Colour layouts the beauty filter accepts, brought to the planes it works on (luma at full
// resolution, Cb and Cr at half resolution), and luma changes taken back to RGBA.

/** BT.601 full-range planes from packed RGBA: luma per pixel, chroma from each 2x2 block's mean. */
export function rgbaToPlanes(rgba: usize, width: i32, height: i32, luma: usize, cb: usize, cr: usize): void {
  for (let y = 0; y < height; y++) {
    const row = rgba + <usize>y * <usize>width * 4;
    const out = luma + <usize>y * <usize>width;
    for (let x = 0; x < width; x++) {
      const p = row + (<usize>x << 2);
      const value = (77 * <i32>load<u8>(p) + 150 * <i32>load<u8>(p, 1) + 29 * <i32>load<u8>(p, 2) + 128) >> 8;
      store<u8>(out + <usize>x, <u8>value);
    }
  }
  const halfWidth = (width + 1) >> 1;
  const halfHeight = (height + 1) >> 1;
  for (let j = 0; j < halfHeight; j++) {
    for (let i = 0; i < halfWidth; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = rgba + ((<usize>min(2 * j + dy, height - 1) * <usize>width + <usize>min(2 * i + dx, width - 1)) << 2);
          r += <i32>load<u8>(p);
          g += <i32>load<u8>(p, 1);
          b += <i32>load<u8>(p, 2);
        }
      }
      // Sums of four pixels, so >> 10 is the 1/4 mean and the /256 of the fixed-point coefficients.
      const blue = 128 + ((-43 * r - 85 * g + 128 * b) >> 10);
      const red = 128 + ((128 * r - 107 * g - 21 * b) >> 10);
      store<u8>(cb + <usize>(j * halfWidth + i), <u8>min(max(blue, 0), 255));
      store<u8>(cr + <usize>(j * halfWidth + i), <u8>min(max(red, 0), 255));
    }
  }
}

/** Adds each pixel's luma change (after - before) to its R, G and B, clamped; alpha is kept. */
export function addLumaChange(rgba: usize, count: usize, before: usize, after: usize): void {
  for (let i: usize = 0; i < count; i++) {
    const delta = <i32>load<u8>(after + i) - <i32>load<u8>(before + i);
    if (delta == 0) continue;
    const p = rgba + (i << 2);
    store<u8>(p, <u8>min(max(<i32>load<u8>(p) + delta, 0), 255));
    store<u8>(p, <u8>min(max(<i32>load<u8>(p, 1) + delta, 0), 255), 1);
    store<u8>(p, <u8>min(max(<i32>load<u8>(p, 2) + delta, 0), 255), 2);
  }
}

/** NV12's interleaved UV plane split into separate Cb and Cr planes of `count` samples. */
export function splitChroma(uv: usize, count: usize, cb: usize, cr: usize): void {
  for (let i: usize = 0; i < count; i++) {
    store<u8>(cb + i, load<u8>(uv + 2 * i));
    store<u8>(cr + i, load<u8>(uv + 2 * i + 1));
  }
}
