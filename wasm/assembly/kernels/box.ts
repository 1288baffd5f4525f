// O(1)-per-pixel box means: running column sums (vectorised across columns), then a running sum
// along each row. Two channels go through one pass so the loops and the row walk are shared.
// Borders average only the pixels inside the image.

export class BoxScratch {
  columnsA: usize = 0;
  columnsB: usize = 0;
  capacity: i32 = 0;
  inverseCounts: usize = 0; // 1 / n for n in [0, 2 * MAX_RADIUS + 1]

  ensure(width: i32): void {
    if (width + 4 <= this.capacity) return;
    this.capacity = width + 4;
    this.columnsA = heap.alloc(<usize>this.capacity << 2);
    this.columnsB = heap.alloc(<usize>this.capacity << 2);
    if (this.inverseCounts == 0) {
      this.inverseCounts = heap.alloc(<usize>(2 * MAX_BOX_RADIUS + 2) << 2);
      store<f32>(this.inverseCounts, 0.0);
      for (let n = 1; n <= 2 * MAX_BOX_RADIUS + 1; n++) store<f32>(this.inverseCounts + (<usize>n << 2), 1.0 / <f32>n);
    }
  }
}

export const MAX_BOX_RADIUS: i32 = 32;

// @ts-ignore: decorator
@inline function addRow(columnsA: usize, columnsB: usize, rowA: usize, rowB: usize, square: bool, width: i32, sign: f32, simd: bool): void {
  let x = 0;
  if (simd) {
    const s = f32x4.splat(sign);
    for (; x + 4 <= width; x += 4) {
      const o = <usize>x << 2;
      const a = v128.load(rowA + o);
      const b = square ? f32x4.mul(a, a) : v128.load(rowB + o);
      v128.store(columnsA + o, f32x4.add(v128.load(columnsA + o), f32x4.mul(a, s)));
      v128.store(columnsB + o, f32x4.add(v128.load(columnsB + o), f32x4.mul(b, s)));
    }
  }
  for (; x < width; x++) {
    const o = <usize>x << 2;
    const a = load<f32>(rowA + o);
    const b = square ? a * a : load<f32>(rowB + o);
    store<f32>(columnsA + o, load<f32>(columnsA + o) + sign * a);
    store<f32>(columnsB + o, load<f32>(columnsB + o) + sign * b);
  }
}

// Running sums of the row being walked (module state: the walk is single-threaded).
let sumA: f32 = 0.0;
let sumB: f32 = 0.0;

// @ts-ignore: decorator
@inline function borderStep(
  x: i32, width: i32, radius: i32, inverseRows: f32, inverse: usize,
  columnsA: usize, columnsB: usize, rowOutA: usize, rowOutB: usize,
): void {
  const columns = min(x + radius, width - 1) - max(x - radius, 0) + 1;
  const scale = inverseRows * load<f32>(inverse + (<usize>columns << 2));
  store<f32>(rowOutA + (<usize>x << 2), sumA * scale);
  store<f32>(rowOutB + (<usize>x << 2), sumB * scale);
  const enter = x + radius + 1;
  if (enter < width) {
    sumA += load<f32>(columnsA + (<usize>enter << 2));
    sumB += load<f32>(columnsB + (<usize>enter << 2));
  }
  const leave = x - radius;
  if (leave >= 0) {
    sumA -= load<f32>(columnsA + (<usize>leave << 2));
    sumB -= load<f32>(columnsB + (<usize>leave << 2));
  }
}

/**
 * Box means of radius `radius` over two f32 planes of `width` x `height`: `outA` = mean(A),
 * `outB` = mean(B), or mean(A^2) when `square` is set (then `inB` is not read). The outputs may
 * not alias the inputs.
 */
export function boxMeans(
  inA: usize, inB: usize, square: bool, outA: usize, outB: usize,
  width: i32, height: i32, radius: i32, scratch: BoxScratch, simd: bool,
): void {
  scratch.ensure(width);
  const columnsA = scratch.columnsA;
  const columnsB = scratch.columnsB;
  const inverse = scratch.inverseCounts;
  const stride = <usize>width << 2;
  memory.fill(columnsA, 0, stride);
  memory.fill(columnsB, 0, stride);
  for (let y = 0; y <= min(radius, height - 1); y++) {
    addRow(columnsA, columnsB, inA + <usize>y * stride, inB + <usize>y * stride, square, width, 1.0, simd);
  }
  for (let y = 0; y < height; y++) {
    const rows = min(y + radius, height - 1) - max(y - radius, 0) + 1;
    const inverseRows = load<f32>(inverse + (<usize>rows << 2));
    const rowOutA = outA + <usize>y * stride;
    const rowOutB = outB + <usize>y * stride;
    sumA = 0.0;
    sumB = 0.0;
    for (let x = 0; x <= min(radius, width - 1); x++) {
      sumA += load<f32>(columnsA + (<usize>x << 2));
      sumB += load<f32>(columnsB + (<usize>x << 2));
    }
    // Borders take the general step; the interior, where the window is whole and both ends move
    // inside the row, one fixed scale and no bounds checks.
    const interiorStart = min(radius, width);
    const interiorEnd = max(interiorStart, width - radius - 1);
    const interiorScale = inverseRows * load<f32>(inverse + (<usize>(2 * radius + 1) << 2));
    let x = 0;
    for (; x < interiorStart; x++) borderStep(x, width, radius, inverseRows, inverse, columnsA, columnsB, rowOutA, rowOutB);
    for (; x < interiorEnd; x++) {
      store<f32>(rowOutA + (<usize>x << 2), sumA * interiorScale);
      store<f32>(rowOutB + (<usize>x << 2), sumB * interiorScale);
      const enter = <usize>(x + radius + 1) << 2;
      const leave = <usize>(x - radius) << 2;
      sumA += load<f32>(columnsA + enter) - load<f32>(columnsA + leave);
      sumB += load<f32>(columnsB + enter) - load<f32>(columnsB + leave);
    }
    for (; x < width; x++) borderStep(x, width, radius, inverseRows, inverse, columnsA, columnsB, rowOutA, rowOutB);
    const enterRow = y + radius + 1;
    if (enterRow < height) {
      addRow(columnsA, columnsB, inA + <usize>enterRow * stride, inB + <usize>enterRow * stride, square, width, 1.0, simd);
    }
    const leaveRow = y - radius;
    if (leaveRow >= 0) {
      addRow(columnsA, columnsB, inA + <usize>leaveRow * stride, inB + <usize>leaveRow * stride, square, width, -1.0, simd);
    }
  }
}
