// Real FFT through one complex FFT of half the size (the "two-for-one" packing: even samples in the
// real part, odd samples in the imaginary part, then one twiddle pass to separate them).
// Tables and the work buffer are laid out once, in the constructor; transforms never allocate.

/** Allocates `count` f32 values, zeroed, 16-byte aligned for v128 loads. */
export function allocF32(count: i32): usize {
  const bytes = <usize>count << 2;
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Real-input FFT of `n` points (a power of two >= 8); spectra hold n/2 + 1 interleaved (re, im) bins. */
export class RealFft {
  readonly n: i32;
  readonly half: i32;
  private readonly bitReverse: usize; // i32[half]
  private readonly twiddles: usize; // (re, im)[half / 2]: e^(-2 pi i k / half)
  private readonly split: usize; // (re, im)[half + 1]: e^(-2 pi i k / n)
  private readonly work: usize; // (re, im)[half + 1]: the last is a copy of the first in `forward`
  private readonly splitRe: usize; // the real and imaginary parts of `split`, apart, for four bins per v128
  private readonly splitIm: usize;
  // Per stage of half-size h >= 2, the twiddles of its butterflies j = 0 .. h - 1, two per pair of v128s:
  // (wr_j, wr_j, wr_j+1, wr_j+1) and (-wi_j, wi_j, -wi_j+1, wi_j+1), so a v128 of two complex values is
  // multiplied without shuffling the twiddles.
  private readonly stageTwiddles: usize;

  constructor(n: i32) {
    this.n = n;
    const half = n >> 1;
    this.half = half;
    let bits = 0;
    while ((1 << bits) < half) bits++;
    this.bitReverse = heap.alloc(<usize>half << 2);
    for (let i = 0; i < half; i++) {
      let reversed = 0;
      for (let b = 0; b < bits; b++) reversed |= ((i >> b) & 1) << (bits - 1 - b);
      store<i32>(this.bitReverse + (<usize>i << 2), reversed);
    }
    this.twiddles = allocF32(half);
    for (let k = 0; k < half >> 1; k++) {
      const angle = (-2.0 * Math.PI * <f64>k) / <f64>half;
      store<f32>(this.twiddles + (<usize>k << 3), <f32>Math.cos(angle));
      store<f32>(this.twiddles + (<usize>k << 3) + 4, <f32>Math.sin(angle));
    }
    this.split = allocF32((half + 1) * 2);
    for (let k = 0; k <= half; k++) {
      const angle = (-2.0 * Math.PI * <f64>k) / <f64>n;
      store<f32>(this.split + (<usize>k << 3), <f32>Math.cos(angle));
      store<f32>(this.split + (<usize>k << 3) + 4, <f32>Math.sin(angle));
    }
    this.work = allocF32((half + 1) * 2);
    this.splitRe = allocF32(half + 1);
    this.splitIm = allocF32(half + 1);
    for (let k = 0; k <= half; k++) {
      store<f32>(this.splitRe + (<usize>k << 2), load<f32>(this.split + (<usize>k << 3)));
      store<f32>(this.splitIm + (<usize>k << 2), load<f32>(this.split + (<usize>k << 3), 4));
    }
    this.stageTwiddles = allocF32(half * 4);
    let at = this.stageTwiddles;
    for (let halfSize = 2; halfSize < half; halfSize <<= 1) {
      const step = half / (halfSize << 1);
      for (let j = 0; j < halfSize; j += 2) {
        const w0 = this.twiddles + (<usize>(j * step) << 3);
        const w1 = this.twiddles + (<usize>((j + 1) * step) << 3);
        v128.store(at, f32x4(load<f32>(w0), load<f32>(w0), load<f32>(w1), load<f32>(w1)));
        v128.store(at, f32x4(-load<f32>(w0, 4), load<f32>(w0, 4), -load<f32>(w1, 4), load<f32>(w1, 4)), 16);
        at += 32;
      }
    }
  }

  /**
   * Radix-2 decimation-in-time butterflies on `work`, which already holds bit-reversed input. Two complex
   * values per v128; the products and sums are the scalar butterfly's (a +- b w), in the same order.
   */
  private butterflies(): void {
    const m = this.half;
    const work = this.work;
    // Size 2: the twiddle is 1.
    const lowFirst = f32x4(1.0, 1.0, -1.0, -1.0);
    for (let i = 0; i < m; i += 2) {
      const pair = work + (<usize>i << 3);
      const v = v128.load(pair);
      const a = v128.shuffle<f32>(v, v, 0, 1, 0, 1);
      const b = v128.shuffle<f32>(v, v, 2, 3, 2, 3);
      v128.store(pair, f32x4.add(a, f32x4.mul(b, lowFirst)));
    }
    let w = this.stageTwiddles;
    for (let halfSize = 2; halfSize < m; halfSize <<= 1) {
      const size = halfSize << 1;
      for (let start = 0; start < m; start += size) {
        let stageW = w;
        for (let j = 0; j < halfSize; j += 2) {
          const a = work + (<usize>(start + j) << 3);
          const b = a + (<usize>halfSize << 3);
          const bv = v128.load(b);
          const t = f32x4.add(f32x4.mul(bv, v128.load(stageW)), f32x4.mul(v128.shuffle<f32>(bv, bv, 1, 0, 3, 2), v128.load(stageW, 16)));
          const av = v128.load(a);
          v128.store(a, f32x4.add(av, t));
          v128.store(b, f32x4.sub(av, t));
          stageW += 32;
        }
      }
      w += <usize>halfSize << 4;
    }
  }

  /** `input`: n f32 samples. `spectrum`: (n/2 + 1) complex bins, X[k] = sum x[t] e^(-2 pi i k t / n). */
  forward(input: usize, spectrum: usize): void {
    const m = this.half;
    const work = this.work;
    for (let i = 0; i < m; i++) {
      const dst = work + (<usize>load<i32>(this.bitReverse + (<usize>i << 2)) << 3);
      store<f32>(dst, load<f32>(input + (<usize>i << 3)));
      store<f32>(dst, load<f32>(input + (<usize>i << 3) + 4), 4);
    }
    this.butterflies();
    // Separate Fe (FFT of even samples) and Fo (odd samples): X[k] = Fe[k] + W^k Fo[k], with Z[m] = Z[0] so that
    // bin k's mirror is Z[m - k] for every k < m. Four bins a step, the scalar's operations in the same order.
    memory.copy(work + (<usize>m << 3), work, 8);
    const half = f32x4.splat(0.5);
    for (let k = 0; k < m; k += 4) {
      const z0 = v128.load(work + (<usize>k << 3));
      const z1 = v128.load(work + (<usize>k << 3), 16);
      const a = v128.shuffle<f32>(z0, z1, 0, 2, 4, 6);
      const b = v128.shuffle<f32>(z0, z1, 1, 3, 5, 7);
      const mirrorLow = v128.load(work + (<usize>(m - k - 3) << 3)); // Z[m-k-3], Z[m-k-2]
      const mirrorHigh = v128.load(work + (<usize>(m - k - 1) << 3)); // Z[m-k-1], Z[m-k]
      const c = v128.shuffle<f32>(mirrorHigh, mirrorLow, 2, 0, 6, 4);
      const d = v128.shuffle<f32>(mirrorHigh, mirrorLow, 3, 1, 7, 5);
      const evenRe = f32x4.mul(half, f32x4.add(a, c));
      const evenIm = f32x4.mul(half, f32x4.sub(b, d));
      const oddRe = f32x4.mul(half, f32x4.add(b, d));
      const oddIm = f32x4.mul(f32x4.splat(-0.5), f32x4.sub(a, c));
      const wr = v128.load(this.splitRe + (<usize>k << 2));
      const wi = v128.load(this.splitIm + (<usize>k << 2));
      const re = f32x4.sub(f32x4.add(evenRe, f32x4.mul(wr, oddRe)), f32x4.mul(wi, oddIm));
      const im = f32x4.add(f32x4.add(evenIm, f32x4.mul(wr, oddIm)), f32x4.mul(wi, oddRe));
      v128.store(spectrum + (<usize>k << 3), v128.shuffle<f32>(re, im, 0, 4, 1, 5));
      v128.store(spectrum + (<usize>k << 3), v128.shuffle<f32>(re, im, 2, 6, 3, 7), 16);
    }
    // Bin m (Nyquist): Z[0] against itself.
    const a = load<f32>(work);
    const b = load<f32>(work, 4);
    const evenRe: f32 = 0.5 * (a + a);
    const evenIm: f32 = 0.5 * (b - b);
    const oddRe: f32 = 0.5 * (b + b);
    const oddIm: f32 = -0.5 * (a - a);
    const w = this.split + (<usize>m << 3);
    const wr = load<f32>(w);
    const wi = load<f32>(w, 4);
    store<f32>(spectrum + (<usize>m << 3), evenRe + wr * oddRe - wi * oddIm);
    store<f32>(spectrum + (<usize>m << 3), evenIm + wr * oddIm + wi * oddRe, 4);
  }

  /** Inverse of `forward`: `output` gets n real samples (the imaginary parts of bins 0 and n/2 are ignored). */
  inverse(spectrum: usize, output: usize): void {
    const m = this.half;
    const work = this.work;
    // Four bins a step, the scalar's operations in the same order; each result goes to its bit-reversed place.
    const half = f32x4.splat(0.5);
    for (let k = 0; k < m; k += 4) {
      const x0 = v128.load(spectrum + (<usize>k << 3));
      const x1 = v128.load(spectrum + (<usize>k << 3), 16);
      const a = v128.shuffle<f32>(x0, x1, 0, 2, 4, 6);
      const b = v128.shuffle<f32>(x0, x1, 1, 3, 5, 7);
      const mirrorLow = v128.load(spectrum + (<usize>(m - k - 3) << 3)); // X[m-k-3], X[m-k-2]
      const mirrorHigh = v128.load(spectrum + (<usize>(m - k - 1) << 3)); // X[m-k-1], X[m-k]
      const c = v128.shuffle<f32>(mirrorHigh, mirrorLow, 2, 0, 6, 4);
      const d = v128.shuffle<f32>(mirrorHigh, mirrorLow, 3, 1, 7, 5);
      const evenRe = f32x4.mul(half, f32x4.add(a, c));
      const evenIm = f32x4.mul(half, f32x4.sub(b, d));
      const diffRe = f32x4.mul(half, f32x4.sub(a, c));
      const diffIm = f32x4.mul(half, f32x4.add(b, d));
      // Fo = (X[k] - conj X[m-k]) / 2 * conj(W^k)
      const wr = v128.load(this.splitRe + (<usize>k << 2));
      const wi = f32x4.neg(v128.load(this.splitIm + (<usize>k << 2)));
      const oddRe = f32x4.sub(f32x4.mul(diffRe, wr), f32x4.mul(diffIm, wi));
      const oddIm = f32x4.add(f32x4.mul(diffRe, wi), f32x4.mul(diffIm, wr));
      // Z = Fe + i Fo, conjugated so the forward butterflies compute the inverse transform.
      const zr = f32x4.sub(evenRe, oddIm);
      const minusZi = f32x4.neg(f32x4.add(evenIm, oddRe));
      const low = v128.shuffle<f32>(zr, minusZi, 0, 4, 1, 5);
      const high = v128.shuffle<f32>(zr, minusZi, 2, 6, 3, 7);
      const reversed = v128.load(this.bitReverse + (<usize>k << 2));
      v128.store64_lane(work + (<usize>i32x4.extract_lane(reversed, 0) << 3), low, 0);
      v128.store64_lane(work + (<usize>i32x4.extract_lane(reversed, 1) << 3), low, 1);
      v128.store64_lane(work + (<usize>i32x4.extract_lane(reversed, 2) << 3), high, 0);
      v128.store64_lane(work + (<usize>i32x4.extract_lane(reversed, 3) << 3), high, 1);
    }
    this.butterflies();
    const scale: f32 = 1.0 / <f32>m;
    const conjugateScale = f32x4(scale, -scale, scale, -scale); // (-x) scale is -(x scale): the same values
    for (let i = 0; i < m; i += 2) {
      const o = <usize>i << 3;
      v128.store(output + o, f32x4.mul(v128.load(work + o), conjugateScale));
    }
  }
}
