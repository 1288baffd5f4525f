/**
 * Fitting the host's frames to the encoder's input: ffmpeg reads raw I420 of one fixed size, while
 * the frames LiveKit delivers change size as the SFU moves between simulcast layers (a new
 * subscriber starts on a low one) and as the host's encoder adapts to its CPU and network.
 */

export interface I420Frame {
  width: number;
  height: number;
  /** Y, then U and V at ceil(width / 2) x ceil(height / 2), without padding (rtc-node's I420). */
  data: Uint8Array;
}

export interface Size {
  width: number;
  height: number;
}

/** Same picture shape, within the rounding of simulcast layers (1280x720, 640x360, 320x180, 426x240). */
export function sameShape(a: Size, b: Size): boolean {
  return Math.abs(a.width * b.height - b.width * a.height) <= 0.02 * a.width * b.height;
}

/**
 * `frame` as `size` (even): the frame's own bytes when it has that size; else nearest-neighbour,
 * a crop when only an odd last row or column is too many, whole rows copied when the width
 * matches. Upscaling a lower simulcast layer this way is soft but costs about a millisecond a
 * frame, against a restart of the encoder (a second or two without picture, a discontinuity)
 * each time the layer changes.
 */
export function fitI420(frame: I420Frame, size: Size): Buffer {
  const { width, height } = size;
  const data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  // The frame's bytes are its own (rtc-node copies them out of the native side) and never change.
  if (frame.width === width && frame.height === height) return data;
  const out = Buffer.allocUnsafe(width * height * 1.5);
  const chromaWidth = Math.ceil(frame.width / 2);
  const chromaHeight = Math.ceil(frame.height / 2);
  const planes = [
    { from: 0, sw: frame.width, sh: frame.height, to: 0, dw: width, dh: height },
    { from: frame.width * frame.height, sw: chromaWidth, sh: chromaHeight, to: width * height, dw: width / 2, dh: height / 2 },
    { from: frame.width * frame.height + chromaWidth * chromaHeight, sw: chromaWidth, sh: chromaHeight, to: width * height * 1.25, dw: width / 2, dh: height / 2 },
  ];
  for (const { from, sw, sh, to, dw, dh } of planes) {
    const columns = columnMap(sw, dw);
    let previousRow = -1;
    for (let y = 0; y < dh; y += 1) {
      const row = Math.floor((y * sh) / dh);
      const at = to + y * dw;
      if (row === previousRow) {
        out.copyWithin(at, at - dw, at);
      } else if (columns === null) {
        data.copy(out, at, from + row * sw, from + row * sw + dw);
      } else {
        const base = from + row * sw;
        for (let x = 0; x < dw; x += 1) out[at + x] = data[base + columns[x]!]!;
      }
      previousRow = row;
    }
  }
  return out;
}

const columnMaps = new Map<number, Int32Array | null>();

/** Source column of each output column; null when it is the output column itself (a crop). */
function columnMap(sourceWidth: number, width: number): Int32Array | null {
  const key = sourceWidth * 65_536 + width;
  if (columnMaps.has(key)) return columnMaps.get(key)!;
  const map = Int32Array.from({ length: width }, (_, x) => Math.floor((x * sourceWidth) / width));
  const identity = map.every((source, x) => source === x);
  if (columnMaps.size > 64) columnMaps.clear();
  columnMaps.set(key, identity ? null : map);
  return identity ? null : map;
}
