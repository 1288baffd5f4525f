// 2x bilinear upsampling of half-resolution maps, in two steps so each is cheap: a vertical blend of two
// map rows into a padded row buffer once per output row, then 0.75 / 0.25 weights per output column.
// Full-resolution (x, y) sits at half-resolution (x / 2 - 0.25, y / 2 - 0.25): 0.75 of its own cell,
// 0.25 of the neighbour on that side.

/**
 * Vertical blend (0.75 `near`, 0.25 `far`) of one half-resolution plane row into `row`, which has one
 * float of padding on each side (row[-1] and row[width] are edge copies, so the column step needs no
 * bounds checks).
 */
export function blendRows(plane: usize, width: i32, near: i32, far: i32, row: usize, simd: bool): void {
  const stride = <usize>width << 2;
  const a = plane + <usize>near * stride;
  const b = plane + <usize>far * stride;
  const out = row + 4;
  let i = 0;
  if (simd) {
    const w0 = f32x4.splat(0.75);
    const w1 = f32x4.splat(0.25);
    for (; i + 4 <= width; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(f32x4.mul(v128.load(a + o), w0), f32x4.mul(v128.load(b + o), w1)));
    }
  }
  for (; i < width; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, 0.75 * load<f32>(a + o) + 0.25 * load<f32>(b + o));
  }
  store<f32>(row, load<f32>(out));
  store<f32>(out + (<usize>width << 2), load<f32>(out + (<usize>(width - 1) << 2)));
}

/** The value at full-resolution column `x` of a padded row from `blendRows`. */
// @ts-ignore: decorator
@inline export function upsampled(row: usize, x: i32): f32 {
  const i = x >> 1;
  const neighbour = (x & 1) == 0 ? i - 1 : i + 1;
  return 0.75 * load<f32>(row + 4 + (<usize>i << 2)) + 0.25 * load<f32>(row + 4 + (<isize>neighbour << 2));
}

/** Full-resolution even columns 2i .. 2i+6 from half-resolution i .. i+3: 0.75 own cell + 0.25 left. */
// @ts-ignore: decorator
@inline export function evenColumns(row: usize, i: i32): v128 {
  const p = row + 4 + (<usize>i << 2);
  return f32x4.add(f32x4.mul(v128.load(p), f32x4.splat(0.75)), f32x4.mul(v128.load(p - 4), f32x4.splat(0.25)));
}

/** Full-resolution odd columns 2i+1 .. 2i+7: 0.75 own cell + 0.25 right. */
// @ts-ignore: decorator
@inline export function oddColumns(row: usize, i: i32): v128 {
  const p = row + 4 + (<usize>i << 2);
  return f32x4.add(f32x4.mul(v128.load(p), f32x4.splat(0.75)), f32x4.mul(v128.load(p + 4), f32x4.splat(0.25)));
}
