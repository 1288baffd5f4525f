// Deterministic test signals shared by the media core's unit and golden tests.

export const RATE = 48000;

/** White noise, uniform in [-amplitude, amplitude), from a fixed linear congruential sequence. */
export function noise(length: number, amplitude: number, seed = 3): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * amplitude;
  });
}

/**
 * Voiced speech-like sound within `spans` (seconds): syllables of 180 ms with 70 ms gaps, a
 * fundamental gliding between 120 and 180 Hz and twelve decaying harmonics.
 */
export function vowel(length: number, spans: [number, number][]): Float32Array {
  let phase = 0;
  return Float32Array.from({ length }, (_, i) => {
    const t = i / RATE;
    const f0 = 150 + 30 * Math.sin(2 * Math.PI * 1.3 * t);
    phase += (2 * Math.PI * f0) / RATE;
    const span = spans.find(([on, off]) => t >= on && t < off);
    if (!span || (t - span[0]) % 0.25 >= 0.18) return 0;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
    return 0.12 * v;
  });
}

/**
 * An I420 test card: the left half is skin (Cb 110, Cr 150) with pore-like texture and a sharp
 * vertical edge (an eyebrow, 5 pixels wide per 320 columns), the right half grey (not skin) with the
 * same texture.
 */
export function testCard(width: number, height: number, seed = 5): Uint8Array {
  const scale = width / 320;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const frame = new Uint8Array(width * height + 2 * cw * ch);
  let state = seed;
  const texture = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return ((state >>> 16) % 25) - 12; // +-12 levels
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = x < width / 2 ? (x > width / 4 && x < width / 4 + 6 * scale ? 60 : 170) : 128;
      frame[y * width + x] = base + texture();
    }
  }
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const skin = 2 * i < width / 2;
      frame[width * height + j * cw + i] = skin ? 110 : 128;
      frame[width * height + cw * ch + j * cw + i] = skin ? 150 : 128;
    }
  }
  return frame;
}
