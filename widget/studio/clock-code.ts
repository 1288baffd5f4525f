/**
 * A wall-clock time written into the picture, so that whoever sees the frame knows when it was
 * captured: glass-to-glass latency is then `display time - decoded time`, with no clock sync
 * needed when both ends share a machine.
 *
 * Layout: a band across the top of the frame, two rows of 24 cells. Cell 0 is white and cell 1
 * black (the reader's references), cells 2-43 carry the 42-bit epoch milliseconds (most
 * significant first), cells 44-47 a 4-bit checksum (number of set time bits mod 16). Cells are
 * large (53 px at 1280 wide, 13 px in a 320-wide simulcast layer) so that lossy coding keeps them.
 */
export const CLOCK_COLUMNS = 24;
export const CLOCK_TIME_BITS = 42;

export function clockBandHeight(height: number): number {
  return 2 * Math.round(height / 18);
}

export function drawClockCode(ctx: CanvasRenderingContext2D, width: number, height: number, epochMs: number): void {
  const cell = width / CLOCK_COLUMNS;
  const row = clockBandHeight(height) / 2;
  const bits: number[] = [1, 0];
  let ones = 0;
  for (let i = CLOCK_TIME_BITS - 1; i >= 0; i--) {
    const bit = Math.floor(epochMs / 2 ** i) % 2;
    ones += bit;
    bits.push(bit);
  }
  for (let i = 3; i >= 0; i--) bits.push(((ones % 16) >> i) & 1);
  bits.forEach((bit, index) => {
    ctx.fillStyle = bit ? '#fff' : '#000';
    ctx.fillRect(Math.floor((index % CLOCK_COLUMNS) * cell), Math.floor(index / CLOCK_COLUMNS) * row, Math.ceil(cell), row);
  });
}

/**
 * Reads the time back from RGBA pixels of a whole frame (any size), or null when the band is not
 * there or does not check out. Self-contained on purpose: benchmarks pass it into pages as source.
 */
export function readClockCode(pixels: Uint8ClampedArray, width: number, height: number): number | null {
  const columns = 24;
  const timeBits = 42;
  const cell = width / columns;
  const row = (2 * Math.round(height / 18)) / 2;
  const luma = (index: number): number => {
    const cx = Math.floor((index % columns) * cell + cell / 2);
    const cy = Math.floor(Math.floor(index / columns) * row + row / 2);
    let sum = 0;
    let count = 0;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = Math.min(width - 1, Math.max(0, cx + dx));
        const y = Math.min(height - 1, Math.max(0, cy + dy));
        const p = (y * width + x) * 4;
        sum += (pixels[p]! + pixels[p + 1]! + pixels[p + 2]!) / 3;
        count += 1;
      }
    }
    return sum / count;
  };
  const white = luma(0);
  const black = luma(1);
  if (white - black < 80) return null;
  const threshold = (white + black) / 2;
  let time = 0;
  let ones = 0;
  for (let i = 0; i < timeBits; i++) {
    const bit = luma(2 + i) > threshold ? 1 : 0;
    ones += bit;
    time = time * 2 + bit;
  }
  let checksum = 0;
  for (let i = 0; i < 4; i++) checksum = checksum * 2 + (luma(2 + timeBits + i) > threshold ? 1 : 0);
  return checksum === ones % 16 ? time : null;
}
