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
  private readonly work: usize; // (re, im)[half]

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
    this.work = allocF32(half * 2);
  }

  /** Radix-2 decimation-in-time butterflies on `work`, which already holds bit-reversed input. */
  private butterflies(): void {
    const m = this.half;
    const work = this.work;
    const twiddles = this.twiddles;
    for (let size = 2; size <= m; size <<= 1) {
      const halfSize = size >> 1;
      const step = m / size;
      for (let start = 0; start < m; start += size) {
        for (let j = 0; j < halfSize; j++) {
          const w = twiddles + (<usize>(j * step) << 3);
          const wr = load<f32>(w);
          const wi = load<f32>(w, 4);
          const a = work + (<usize>(start + j) << 3);
          const b = work + (<usize>(start + j + halfSize) << 3);
          const br = load<f32>(b);
          const bi = load<f32>(b, 4);
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = load<f32>(a);
          const ai = load<f32>(a, 4);
          store<f32>(a, ar + tr);
          store<f32>(a, ai + ti, 4);
          store<f32>(b, ar - tr);
          store<f32>(b, ai - ti, 4);
        }
      }
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
    // Separate Fe (FFT of even samples) and Fo (odd samples): X[k] = Fe[k] + W^k Fo[k].
    for (let k = 0; k <= m; k++) {
      const zk = work + (<usize>(k == m ? 0 : k) << 3);
      const zm = work + (<usize>(k == 0 ? 0 : m - k) << 3);
      const a = load<f32>(zk);
      const b = load<f32>(zk, 4);
      const c = load<f32>(zm);
      const d = load<f32>(zm, 4);
      const evenRe: f32 = 0.5 * (a + c);
      const evenIm: f32 = 0.5 * (b - d);
      const oddRe: f32 = 0.5 * (b + d);
      const oddIm: f32 = -0.5 * (a - c);
      const w = this.split + (<usize>k << 3);
      const wr = load<f32>(w);
      const wi = load<f32>(w, 4);
      store<f32>(spectrum + (<usize>k << 3), evenRe + wr * oddRe - wi * oddIm);
      store<f32>(spectrum + (<usize>k << 3), evenIm + wr * oddIm + wi * oddRe, 4);
    }
  }

  /** Inverse of `forward`: `output` gets n real samples (the imaginary parts of bins 0 and n/2 are ignored). */
  inverse(spectrum: usize, output: usize): void {
    const m = this.half;
    const work = this.work;
    for (let k = 0; k < m; k++) {
      const xk = spectrum + (<usize>k << 3);
      const xm = spectrum + (<usize>(m - k) << 3);
      const a = load<f32>(xk);
      const b = load<f32>(xk, 4);
      const c = load<f32>(xm);
      const d = load<f32>(xm, 4);
      const evenRe: f32 = 0.5 * (a + c);
      const evenIm: f32 = 0.5 * (b - d);
      const diffRe: f32 = 0.5 * (a - c);
      const diffIm: f32 = 0.5 * (b + d);
      // Fo = (X[k] - conj X[m-k]) / 2 * conj(W^k)
      const w = this.split + (<usize>k << 3);
      const wr = load<f32>(w);
      const wi = -load<f32>(w, 4);
      const oddRe: f32 = diffRe * wr - diffIm * wi;
      const oddIm: f32 = diffRe * wi + diffIm * wr;
      // Z = Fe + i Fo, conjugated so the forward butterflies compute the inverse transform.
      const zr: f32 = evenRe - oddIm;
      const zi: f32 = evenIm + oddRe;
      const dst = work + (<usize>load<i32>(this.bitReverse + (<usize>k << 2)) << 3);
      store<f32>(dst, zr);
      store<f32>(dst, -zi, 4);
    }
    this.butterflies();
    const scale: f32 = 1.0 / <f32>m;
    for (let i = 0; i < m; i++) {
      const src = work + (<usize>i << 3);
      store<f32>(output + (<usize>i << 3), load<f32>(src) * scale);
      store<f32>(output + (<usize>i << 3) + 4, -load<f32>(src, 4) * scale);
    }
  }
}
