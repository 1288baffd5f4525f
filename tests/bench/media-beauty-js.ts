// The beauty filter's maths (wasm/assembly/beauty.ts) in plain JavaScript, I420 only: the bench's
// baseline for "what would it cost without WASM". Buffers are allocated once per size, as in WASM.


export class PlainJsBeauty {
  private w = 0;
  private h = 0;
  private half = new Float32Array(0);
  private meanI = new Float32Array(0);
  private meanII = new Float32Array(0);
  private meanA = new Float32Array(0);
  private meanB = new Float32Array(0);
  private rowG = new Float32Array(0);
  private rowO = new Float32Array(0);
  private skin = new Float32Array(0);
  private colA = new Float32Array(0);
  private colB = new Float32Array(0);
  private skinValid = false;

  constructor(private readonly smooth = 0.7, private readonly brighten = 0.2) {}

  private ensure(w: number, h: number): void {
    if (w === this.w && h === this.h) return;
    this.w = w;
    this.h = h;
    const n = ((w + 1) >> 1) * ((h + 1) >> 1);
    for (const key of ['half', 'meanI', 'meanII', 'meanA', 'meanB', 'skin'] as const) this[key] = new Float32Array(n);
    this.rowG = new Float32Array((w + 1) >> 1);
    this.rowO = new Float32Array((w + 1) >> 1);
    this.colA = new Float32Array((w + 1) >> 1);
    this.colB = new Float32Array((w + 1) >> 1);
    this.skinValid = false;
  }

  private box(inA: Float32Array, inB: Float32Array | null, outA: Float32Array, outB: Float32Array, w: number, h: number, r: number): void {
    const { colA, colB } = this;
    colA.fill(0);
    colB.fill(0);
    const addRow = (y: number, sign: number) => {
      for (let x = 0; x < w; x++) {
        const a = inA[y * w + x];
        colA[x] += sign * a;
        colB[x] += sign * (inB ? inB[y * w + x] : a * a);
      }
    };
    for (let y = 0; y <= Math.min(r, h - 1); y++) addRow(y, 1);
    for (let y = 0; y < h; y++) {
      const rows = Math.min(y + r, h - 1) - Math.max(y - r, 0) + 1;
      let sa = 0;
      let sb = 0;
      for (let x = 0; x <= Math.min(r, w - 1); x++) {
        sa += colA[x];
        sb += colB[x];
      }
      for (let x = 0; x < w; x++) {
        const cols = Math.min(x + r, w - 1) - Math.max(x - r, 0) + 1;
        const scale = 1 / (rows * cols);
        outA[y * w + x] = sa * scale;
        outB[y * w + x] = sb * scale;
        if (x + r + 1 < w) {
          sa += colA[x + r + 1];
          sb += colB[x + r + 1];
        }
        if (x - r >= 0) {
          sa -= colA[x - r];
          sb -= colB[x - r];
        }
      }
      if (y + r + 1 < h) addRow(y + r + 1, 1);
      if (y - r >= 0) addRow(y - r, -1);
    }
  }

  /** Processes an I420 frame in place. */
  process(frame: Uint8Array, width: number, height: number): void {
    this.ensure(width, height);
    const hw = (width + 1) >> 1;
    const hh = (height + 1) >> 1;
    const r = Math.min(Math.max(Math.floor((hh + 32) / 64), 1), 16);
    const { half, meanI, meanII, meanA, meanB, skin } = this;
    for (let j = 0; j < hh; j++) {
      const r0 = 2 * j * width;
      const r1 = Math.min(2 * j + 1, height - 1) * width;
      for (let i = 0; i < hw; i++) {
        const x0 = 2 * i;
        const x1 = Math.min(2 * i + 1, width - 1);
        half[j * hw + i] = (frame[r0 + x0] + frame[r0 + x1] + frame[r1 + x0] + frame[r1 + x1]) * 0.25;
      }
    }
    this.box(half, null, meanI, meanII, hw, hh, r);
    const eps = (10 + 30 * this.smooth) ** 2;
    for (let i = 0; i < hw * hh; i++) {
      const m = meanI[i];
      const variance = Math.max(meanII[i] - m * m, 0);
      const a = variance / (variance + eps);
      meanII[i] = a;
      meanI[i] = m * (1 - a);
    }
    this.box(meanII, meanI, meanA, meanB, hw, hh, r);
    const cb = width * height;
    const cr = cb + hw * hh;
    const ramp = (v: number, lo: number, hi: number) => Math.min(Math.max((v - lo) / 8, 0), 1) * Math.min(Math.max((hi - v) / 8, 0), 1);
    const memory = this.skinValid ? 0.6 : 0;
    for (let i = 0; i < hw * hh; i++) {
      const y = half[i];
      const gate = Math.min(Math.max((y - 30) / 30, 0), 1) * Math.min(Math.max((250 - y) / 20, 0), 1);
      const now = ramp(frame[cb + i], 77, 127) * ramp(frame[cr + i], 133, 173) * gate;
      skin[i] = memory * skin[i] + (1 - memory) * now;
      const w = this.smooth * skin[i];
      meanA[i] = 1 + w * (meanA[i] - 1); // gain G
      meanB[i] = w * meanB[i]; // offset O
    }
    this.skinValid = true;
    const lift = (this.brighten * 0.6) / 255;
    const { rowG, rowO } = this;
    const expand = (row: Float32Array, x: number) => {
      const i = x >> 1;
      const n = (x & 1) === 0 ? Math.max(i - 1, 0) : Math.min(i + 1, hw - 1);
      return 0.75 * row[i] + 0.25 * row[n];
    };
    for (let y = 0; y < height; y++) {
      const j = y >> 1;
      const far = (y & 1) === 0 ? Math.max(j - 1, 0) : Math.min(j + 1, hh - 1);
      for (let i = 0; i < hw; i++) {
        rowG[i] = 0.75 * meanA[j * hw + i] + 0.25 * meanA[far * hw + i];
        rowO[i] = 0.75 * meanB[j * hw + i] + 0.25 * meanB[far * hw + i];
      }
      for (let x = 0; x < width; x++) {
        const v = frame[y * width + x];
        let out = expand(rowG, x) * v + expand(rowO, x);
        out = Math.min(Math.max(out, 0), 255);
        out += lift * out * (255 - out);
        frame[y * width + x] = Math.min(out, 255) + 0.5;
      }
    }
  }
}
