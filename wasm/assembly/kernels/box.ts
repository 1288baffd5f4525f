// O(1)-per-pixel box means over i32 planes: running column sums down the rows (vectorised across
// columns), then along each row the difference of two prefix sums (vectorised with an in-register
// scan). Integer sums are exact whatever the order, so the SIMD and the scalar path agree to the bit;
// prefix sums may wrap around 2^32, their differences (the window sums, below 2^31) are still exact.
// Two channels go through one pass so the loops and the row walk are shared. Borders average only
// the pixels inside the image.

export const MAX_BOX_RADIUS: i32 = 32;

export class BoxScratch {
  columnsA: usize = 0;
  columnsB: usize = 0;
  prefixA: usize = 0; // prefix sums with MAX_BOX_RADIUS + 1 entries of padding on each side
  prefixB: usize = 0;
  inverseColumns: usize = 0; // 1 / (columns inside the window) per x, for the current width and radius
  capacity: i32 = 0;
  width: i32 = -1;
  radius: i32 = -1;

  ensure(width: i32, radius: i32): void {
    if (width + 4 > this.capacity) {
      this.capacity = width + 4;
      this.columnsA = heap.alloc(<usize>this.capacity << 2);
      this.columnsB = heap.alloc(<usize>this.capacity << 2);
      const padded = <usize>(this.capacity + 2 * MAX_BOX_RADIUS + 8) << 2;
      this.prefixA = heap.alloc(padded);
      this.prefixB = heap.alloc(padded);
      this.inverseColumns = heap.alloc(<usize>this.capacity << 2);
      this.width = -1;
    }
    if (width == this.width && radius == this.radius) return;
    this.width = width;
    this.radius = radius;
    for (let x = 0; x < width; x++) {
      const columns = min(x + radius, width - 1) - max(x - radius, 0) + 1;
      store<f32>(this.inverseColumns + (<usize>x << 2), 1.0 / <f32>columns);
    }
  }
}

const PAD: usize = <usize>(MAX_BOX_RADIUS + 1) << 2;

// @ts-ignore: decorator
@inline function addRow(columnsA: usize, columnsB: usize, rowA: usize, rowB: usize, square: bool, width: i32, subtract: bool, simd: bool): void {
  let x = 0;
  if (simd) {
    for (; x + 4 <= width; x += 4) {
      const o = <usize>x << 2;
      const a = v128.load(rowA + o);
      const b = square ? i32x4.mul(a, a) : v128.load(rowB + o);
      const oldA = v128.load(columnsA + o);
      const oldB = v128.load(columnsB + o);
      v128.store(columnsA + o, subtract ? i32x4.sub(oldA, a) : i32x4.add(oldA, a));
      v128.store(columnsB + o, subtract ? i32x4.sub(oldB, b) : i32x4.add(oldB, b));
    }
  }
  for (; x < width; x++) {
    const o = <usize>x << 2;
    const a = load<i32>(rowA + o);
    const b = square ? a * a : load<i32>(rowB + o);
    store<i32>(columnsA + o, subtract ? load<i32>(columnsA + o) - a : load<i32>(columnsA + o) + a);
    store<i32>(columnsB + o, subtract ? load<i32>(columnsB + o) - b : load<i32>(columnsB + o) + b);
  }
}

/** Prefix sums of `columns` into `prefix` (padded): prefix[k] = columns[0] + ... + columns[k - 1], 0 before, the total after. */
function prefixSums(columns: usize, width: i32, radius: i32, prefix: usize, simd: bool): void {
  const start = prefix + PAD; // prefix[0]
  for (let k = 1; k <= radius + 1; k++) store<i32>(start - (<usize>k << 2), 0);
  store<i32>(start, 0);
  let x = 0;
  let total: i32 = 0;
  if (simd) {
    const zero = i32x4.splat(0);
    let carry = zero;
    for (; x + 4 <= width; x += 4) {
      let v = v128.load(columns + (<usize>x << 2));
      v = i32x4.add(v, v128.shuffle<i32>(zero, v, 0, 4, 5, 6));
      v = i32x4.add(v, v128.shuffle<i32>(zero, v, 0, 1, 4, 5));
      v = i32x4.add(v, carry);
      v128.store(start + (<usize>(x + 1) << 2), v);
      carry = v128.shuffle<i32>(v, v, 3, 3, 3, 3);
    }
    total = i32x4.extract_lane(carry, 0);
  }
  for (; x < width; x++) {
    total += load<i32>(columns + (<usize>x << 2));
    store<i32>(start + (<usize>(x + 1) << 2), total);
  }
  for (let k = 1; k <= radius + 1; k++) store<i32>(start + (<usize>(width + k) << 2), total);
}

/** out[x] = (prefix[x + r + 1] - prefix[x - r]) * scale / (columns in the window). */
function windowMeans(prefix: usize, width: i32, radius: i32, inverseColumns: usize, scale: f32, out: usize, simd: bool): void {
  const start = prefix + PAD;
  let x = 0;
  if (simd) {
    const s = f32x4.splat(scale);
    for (; x + 4 <= width; x += 4) {
      const o = <usize>x << 2;
      const sum = i32x4.sub(v128.load(start + (<usize>(x + radius + 1) << 2)), v128.load(start + (<usize>(x - radius) << 2)));
      v128.store(out + o, f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(sum), s), v128.load(inverseColumns + o)));
    }
  }
  for (; x < width; x++) {
    const o = <usize>x << 2;
    const sum = load<i32>(start + (<usize>(x + radius + 1) << 2)) - load<i32>(start + (<usize>(x - radius) << 2));
    store<f32>(out + o, <f32>sum * scale * load<f32>(inverseColumns + o));
  }
}

/**
 * Box means of radius `radius` over two i32 planes of `width` x `height`, as f32: `outA` =
 * mean(A) * `scaleA`, `outB` = mean(B) * `scaleB`, or mean(A^2) * `scaleB` when `square` is set (then
 * `inB` is not read). Every window sum must stay below 2^31. The outputs may not alias the inputs.
 */
export function boxMeans(
  inA: usize, inB: usize, square: bool, outA: usize, outB: usize, scaleA: f32, scaleB: f32,
  width: i32, height: i32, radius: i32, scratch: BoxScratch, simd: bool,
): void {
  scratch.ensure(width, radius);
  const columnsA = scratch.columnsA;
  const columnsB = scratch.columnsB;
  const stride = <usize>width << 2;
  memory.fill(columnsA, 0, stride);
  memory.fill(columnsB, 0, stride);
  for (let y = 0; y <= min(radius, height - 1); y++) {
    addRow(columnsA, columnsB, inA + <usize>y * stride, inB + <usize>y * stride, square, width, false, simd);
  }
  for (let y = 0; y < height; y++) {
    const rows = min(y + radius, height - 1) - max(y - radius, 0) + 1;
    const inverseRows: f32 = 1.0 / <f32>rows;
    prefixSums(columnsA, width, radius, scratch.prefixA, simd);
    prefixSums(columnsB, width, radius, scratch.prefixB, simd);
    windowMeans(scratch.prefixA, width, radius, scratch.inverseColumns, scaleA * inverseRows, outA + <usize>y * stride, simd);
    windowMeans(scratch.prefixB, width, radius, scratch.inverseColumns, scaleB * inverseRows, outB + <usize>y * stride, simd);
    const enterRow = y + radius + 1;
    if (enterRow < height) {
      addRow(columnsA, columnsB, inA + <usize>enterRow * stride, inB + <usize>enterRow * stride, square, width, false, simd);
    }
    const leaveRow = y - radius;
    if (leaveRow >= 0) {
      addRow(columnsA, columnsB, inA + <usize>leaveRow * stride, inB + <usize>leaveRow * stride, square, width, true, simd);
    }
  }
}
