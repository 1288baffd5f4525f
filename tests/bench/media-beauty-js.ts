// The beauty filter's maths (wasm/assembly/beauty.ts) in plain JavaScript, I420 of 720p or more only,
// in floats (with a lookup table for the lift, as JavaScript would do it): the bench's baseline for
// "what would it cost without WASM". Buffers are allocated once per size, as in WASM.


export class PlainJsBeauty {
  private w = 0;
  private h = 0;
  private coarse = new Float32Array(0);
  private meanI = new Float32Array(0);
  private meanII = new Float32Array(0);
  private meanA = new Float32Array(0);
  private meanB = new Float32Array(0);
  private rowG = new Float32Array(0);
  private rowO = new Float32Array(0);
  private skin = new Float32Array(0);
  private colA = new Float32Array(0);
  private colB = new Float32Array(0);
  private spans = new Int32Array(0);
  private skinValid = false;

  constructor(private readonly smooth = 0.7, private readonly brighten = 0.2) {}

  private ensure(w: number, h: number): void {
    if (w === this.w && h === this.h) return;
    this.w = w;
    this.h = h;
    const n = ((w + 3) >> 2) * ((h + 3) >> 2);
    for (const key of ['coarse', 'meanI', 'meanII', 'meanA', 'meanB', 'skin'] as const) this[key] = new Float32Array(n);
    this.rowG = new Float32Array(((w + 3) >> 2) + 2);
    this.rowO = new Float32Array(((w + 3) >> 2) + 2);
    this.colA = new Float32Array((w + 3) >> 2);
    this.colB = new Float32Array((w + 3) >> 2);
    this.spans = new Int32Array(2 * ((h + 3) >> 2));
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

  /** Processes an I420 frame of 720p or more (4x4 cells) in place. */
  process(frame: Uint8Array, width: number, height: number): void {
    this.ensure(width, height);
    const cw = (width + 1) >> 1;
    const ch = (height + 1) >> 1;
    const qw = (width + 3) >> 2;
    const qh = (height + 3) >> 2;
    const r = (Math.min(Math.max(Math.floor((ch + 32) / 64), 1), 16) + 1) >> 1;
    const { coarse, meanI, meanII, meanA, meanB, skin, spans } = this;
    for (let j = 0; j < qh; j++) {
      for (let i = 0; i < qw; i++) {
        let sum = 0;
        for (let dy = 0; dy < 4; dy++) {
          const row = Math.min(4 * j + dy, height - 1) * width;
          for (let dx = 0; dx < 4; dx++) sum += frame[row + Math.min(4 * i + dx, width - 1)];
        }
        coarse[j * qw + i] = sum / 16;
      }
    }
    this.box(coarse, null, meanI, meanII, qw, qh, r);
    const eps = (10 + 30 * this.smooth) ** 2;
    for (let i = 0; i < qw * qh; i++) {
      const m = meanI[i];
      const variance = Math.max(meanII[i] - m * m, 0);
      const a = variance / (variance + eps);
      meanII[i] = a;
      meanI[i] = m * (1 - a);
    }
    this.box(meanII, meanI, meanA, meanB, qw, qh, r);
    // Cb and Cr averaged over 2x2 (the cell's 4x4 pixels in 4:2:0).
    const chroma = (plane: number, i: number, j: number) => {
      const [x0, x1] = [Math.min(2 * i, cw - 1), Math.min(2 * i + 1, cw - 1)];
      const [y0, y1] = [Math.min(2 * j, ch - 1) * cw, Math.min(2 * j + 1, ch - 1) * cw];
      return (frame[plane + y0 + x0] + frame[plane + y0 + x1] + frame[plane + y1 + x0] + frame[plane + y1 + x1] + 2) >> 2;
    };
    const ramp = (v: number, lo: number, hi: number) => Math.min(Math.max(Math.min(v - lo, hi - v) / 8, 0), 1);
    const memory = this.skinValid ? 0.6 : 0;
    for (let j = 0; j < qh; j++) {
      spans[2 * j] = -1;
      for (let i = 0; i < qw; i++) {
        const k = j * qw + i;
        const y = coarse[k];
        const gate = Math.min(Math.max(Math.min((y - 30) / 30, (250 - y) / 20), 0), 1);
        const now = ramp(chroma(width * height, i, j), 77, 127) * ramp(chroma(width * height + cw * ch, i, j), 133, 173) * gate;
        const mixed = memory * skin[k] + (1 - memory) * now;
        skin[k] = mixed >= 1 / 256 ? mixed : 0;
        if (skin[k] > 0) {
          if (spans[2 * j] < 0) spans[2 * j] = i;
          spans[2 * j + 1] = i;
        }
        const w = this.smooth * skin[k];
        meanA[k] = w * (1 - meanA[k]); // E
        meanB[k] = w * meanB[k]; // O
      }
    }
    this.skinValid = true;
    const lift = new Uint8Array(256).map((_, v) => Math.min(v + (this.brighten * 0.6 * v * (255 - v)) / 255 + 0.5, 255));
    const { rowG, rowO } = this; // padded: index i + 1 holds cell i, 0 and qw + 1 edge copies
    const own = [5 / 8, 7 / 8, 7 / 8, 5 / 8];
    const side = [-1, -1, 1, 1];
    for (let y = 0; y < height; y++) {
      const j = y >> 2;
      const far = Math.min(Math.max(j + side[y & 3], 0), qh - 1);
      const [near, other] = [own[y & 3], 1 - own[y & 3]];
      let from = width;
      let to = width;
      if (spans[2 * j] >= 0 || spans[2 * far] >= 0) {
        const first = spans[2 * j] < 0 ? spans[2 * far] : spans[2 * far] < 0 ? spans[2 * j] : Math.min(spans[2 * j], spans[2 * far]);
        from = 4 * Math.max(first - 1, 0);
        to = Math.min(4 * (Math.max(spans[2 * j + 1], spans[2 * far + 1]) + 2), width);
        for (let i = 0; i < qw; i++) {
          rowG[i + 1] = near * meanA[j * qw + i] + other * meanA[far * qw + i];
          rowO[i + 1] = near * meanB[j * qw + i] + other * meanB[far * qw + i];
        }
        rowG[0] = rowG[1];
        rowO[0] = rowO[1];
        rowG[qw + 1] = rowG[qw];
        rowO[qw + 1] = rowO[qw];
      }
      const row = y * width;
      for (let x = 0; x < from; x++) frame[row + x] = lift[frame[row + x]];
      for (let x = from; x < to; x++) {
        const v = frame[row + x];
        const i = (x >> 2) + 1;
        const n = i + side[x & 3];
        const w = own[x & 3];
        const gain = w * rowG[i] + (1 - w) * rowG[n];
        const offset = w * rowO[i] + (1 - w) * rowO[n];
        const out = Math.min(Math.max(v - gain * v + offset, 0), 255);
        frame[row + x] = lift[(out + 0.5) | 0];
      }
      for (let x = to; x < width; x++) frame[row + x] = lift[frame[row + x]];
    }
  }
}
