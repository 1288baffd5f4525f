// 4x (or 2x) bilinear upsampling of quarter- (or half-) resolution u16 maps, in fixed point so the
// SIMD and the scalar path compute the same integers.
//
// 4x: full-resolution x sits at quarter-resolution x / 4 - 0.375: the four phases of a cell take 5/8,
// 7/8, 7/8, 5/8 of their own cell and 3/8, 1/8, 1/8, 3/8 of the left, left, right, right neighbour
// (the same holds for rows). 2x: x / 2 - 0.25, 3/4 of the own cell and 1/4 of the left, then right one.
// Eighths and quarters are chains of rounding averages, avg(a, b) = (a + b + 1) >> 1 (wasm's i16x8.avgr_u):
//   (7 own + other) / 8  = avg(own, avg(own, avg(own, other)))
//   (5 own + 3 other) / 8 = avg(own, avg(other, avg(own, other)))
//   (3 own + other) / 4  = avg(own, avg(own, other))
// Two steps: a vertical blend of two map rows into a padded row once per output row, then the 4x
// horizontal expansion into a full-resolution row, only over the columns that need it.

/** Bytes of padding before a blended row's first value (row[-1] is an edge copy). */
export const ROW_PAD: usize = 16;
/** u16 values a padded row needs beyond the quarter width: the padding and the SIMD overrun. */
export const ROW_SLACK: i32 = 24;

// @ts-ignore: decorator
@inline export function avg(a: u32, b: u32): u32 {
  return (a + b + 1) >> 1;
}

// @ts-ignore: decorator
@inline function sevenOne(own: u32, other: u32): u32 {
  return avg(own, avg(own, avg(own, other)));
}

// @ts-ignore: decorator
@inline function threeOne(own: u32, other: u32): u32 {
  return avg(own, avg(own, other));
}

// @ts-ignore: decorator
@inline function fiveThree(own: u32, other: u32): u32 {
  return avg(own, avg(other, avg(own, other)));
}

/**
 * Output row `phase` (y & (scale - 1)) of the cell row `near` of a u16 map, blended with `far` (the row
 * above for the first half of the phases, below for the rest), into `row` (padded: row[-1] and
 * row[width..] are edge copies), cells [from, to) only (the edge copies when those reach the edges).
 * `scale` is 4 or 2.
 */
export function blendRows(
  plane: usize, width: i32, near: i32, far: i32, phase: i32, scale: i32, row: usize, from: i32, to: i32, simd: bool,
): void {
  const stride = <usize>width << 1;
  const a = plane + <usize>near * stride;
  const b = plane + <usize>far * stride;
  const out = row + ROW_PAD;
  const halves = scale == 2;
  const outer = phase == 0 || phase == 3; // 4x: 5/8 + 3/8, else 7/8 + 1/8
  let i = from;
  if (simd) {
    for (; i + 8 <= to; i += 8) {
      const o = <usize>i << 1;
      const own = v128.load(a + o);
      const other = v128.load(b + o);
      const half = i16x8.avgr_u(own, other);
      if (halves) {
        v128.store(out + o, i16x8.avgr_u(own, half));
        continue;
      }
      const quarter = outer ? i16x8.avgr_u(other, half) : i16x8.avgr_u(own, half);
      v128.store(out + o, i16x8.avgr_u(own, quarter));
    }
  }
  for (; i < to; i++) {
    const o = <usize>i << 1;
    const own = <u32>load<u16>(a + o);
    const other = <u32>load<u16>(b + o);
    store<u16>(out + o, <u16>(halves ? threeOne(own, other) : outer ? fiveThree(own, other) : sevenOne(own, other)));
  }
  if (from == 0) store<u16>(out - 2, load<u16>(out));
  if (to < width) return;
  const last = load<u16>(out + (<usize>(width - 1) << 1));
  for (let k = width; k < width + ROW_SLACK - 8; k++) store<u16>(out + (<usize>k << 1), last);
}

/**
 * Full-resolution columns [from, to) of a blended row (`from` a multiple of `scale`) into `full`, a
 * u16 row indexed by full-resolution x.
 */
export function expandRow(row: usize, from: i32, to: i32, scale: i32, full: usize, simd: bool): void {
  if (scale == 2) {
    expandRowTwice(row, from, to, full, simd);
    return;
  }
  const data = row + ROW_PAD;
  let x = from;
  if (simd) {
    for (; x + 32 <= to; x += 32) {
      const p = data + (<usize>(x >> 2) << 1);
      const own = v128.load(p);
      const left = v128.load(p - 2);
      const right = v128.load(p + 2);
      const ownLeft = i16x8.avgr_u(own, left);
      const ownRight = i16x8.avgr_u(own, right);
      const phase0 = i16x8.avgr_u(own, i16x8.avgr_u(left, ownLeft));
      const phase1 = i16x8.avgr_u(own, i16x8.avgr_u(own, ownLeft));
      const phase2 = i16x8.avgr_u(own, i16x8.avgr_u(own, ownRight));
      const phase3 = i16x8.avgr_u(own, i16x8.avgr_u(right, ownRight));
      // Interleave the phases into pixel order: 0 1 2 3 of cell i, then of cell i + 1, ...
      const low01 = v128.shuffle<i16>(phase0, phase1, 0, 8, 1, 9, 2, 10, 3, 11);
      const high01 = v128.shuffle<i16>(phase0, phase1, 4, 12, 5, 13, 6, 14, 7, 15);
      const low23 = v128.shuffle<i16>(phase2, phase3, 0, 8, 1, 9, 2, 10, 3, 11);
      const high23 = v128.shuffle<i16>(phase2, phase3, 4, 12, 5, 13, 6, 14, 7, 15);
      const o = full + (<usize>x << 1);
      v128.store(o, v128.shuffle<i32>(low01, low23, 0, 4, 1, 5));
      v128.store(o, v128.shuffle<i32>(low01, low23, 2, 6, 3, 7), 16);
      v128.store(o, v128.shuffle<i32>(high01, high23, 0, 4, 1, 5), 32);
      v128.store(o, v128.shuffle<i32>(high01, high23, 2, 6, 3, 7), 48);
    }
  }
  for (; x < to; x++) {
    const p = data + (<usize>(x >> 2) << 1);
    const own = <u32>load<u16>(p);
    const phase = x & 3;
    let value: u32;
    if (phase == 0) value = fiveThree(own, <u32>load<u16>(p - 2));
    else if (phase == 1) value = sevenOne(own, <u32>load<u16>(p - 2));
    else if (phase == 2) value = sevenOne(own, <u32>load<u16>(p + 2));
    else value = fiveThree(own, <u32>load<u16>(p + 2));
    store<u16>(full + (<usize>x << 1), <u16>value);
  }
}

function expandRowTwice(row: usize, from: i32, to: i32, full: usize, simd: bool): void {
  const data = row + ROW_PAD;
  let x = from;
  if (simd) {
    for (; x + 16 <= to; x += 16) {
      const p = data + (<usize>(x >> 1) << 1);
      const own = v128.load(p);
      const even = i16x8.avgr_u(own, i16x8.avgr_u(own, v128.load(p - 2)));
      const odd = i16x8.avgr_u(own, i16x8.avgr_u(own, v128.load(p + 2)));
      const o = full + (<usize>x << 1);
      v128.store(o, v128.shuffle<i16>(even, odd, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(o, v128.shuffle<i16>(even, odd, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
  }
  for (; x < to; x++) {
    const p = data + (<usize>(x >> 1) << 1);
    const neighbour = (x & 1) == 0 ? p - 2 : p + 2;
    store<u16>(full + (<usize>x << 1), <u16>threeOne(<u32>load<u16>(p), <u32>load<u16>(neighbour)));
  }
}
