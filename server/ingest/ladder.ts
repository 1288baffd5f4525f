/** The ABR ladder: which renditions a source of a given size is encoded into. */

export interface Rung {
  /** Rendition name in URLs, e.g. "720p". */
  name: string;
  width: number;
  height: number;
  videoKbps: number;
}

/** The top rendition is at most this tall: two shared cores encode the whole ladder in real time. */
export const MAX_HEIGHT = 720;
export const AUDIO_KBPS = 96;
/** Bits per pixel per frame for x264 at `ultrafast` (as the encoder runs it): sharp enough for products on camera. */
const BITS_PER_PIXEL = 0.07;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * Two renditions derived from the source: its own height (at most 720 lines) and half of it,
 * each keeping the source's aspect ratio with even dimensions, as H.264 4:2:0 needs.
 */
export function ladderFor(sourceWidth: number, sourceHeight: number, fps: number): Rung[] {
  if (!(sourceWidth > 0 && sourceHeight > 0)) throw new Error(`invalid source size ${sourceWidth}x${sourceHeight}`);
  const topHeight = even(Math.min(sourceHeight, MAX_HEIGHT));
  const heights = [topHeight, even(topHeight / 2)];
  return heights.map((height) => {
    const width = even((sourceWidth * height) / sourceHeight);
    const videoKbps = Math.max(150, Math.round((width * height * fps * BITS_PER_PIXEL) / 1000));
    return { name: `${height}p`, width, height, videoKbps };
  });
}
