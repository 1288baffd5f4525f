// YUV4MPEG2 (4:2:0 only): the header line, then FRAME lines each followed by packed I420 planes.

export interface Y4mVideo {
  width: number;
  height: number;
  /** Header parameters other than W and H (frame rate, interlacing, aspect, colour space), kept as they were. */
  params: string[];
  frames: Uint8Array[];
}

export function i420Bytes(width: number, height: number): number {
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

export function decodeY4m(bytes: Uint8Array): Y4mVideo {
  const headerEnd = bytes.indexOf(0x0a);
  const header = new TextDecoder().decode(bytes.subarray(0, headerEnd)).split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new Error('not a YUV4MPEG2 file');
  let width = 0;
  let height = 0;
  const params: string[] = [];
  for (const token of header.slice(1)) {
    if (token.startsWith('W')) width = Number(token.slice(1));
    else if (token.startsWith('H')) height = Number(token.slice(1));
    else {
      if (token.startsWith('C') && !token.startsWith('C420')) throw new Error(`only 4:2:0 Y4M is supported, got ${token}`);
      params.push(token);
    }
  }
  const size = i420Bytes(width, height);
  const frames: Uint8Array[] = [];
  let offset = headerEnd + 1;
  while (offset < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, offset);
    if (lineEnd < 0 || bytes[offset] !== 0x46 /* F */) throw new Error(`bad FRAME marker at byte ${offset}`);
    const start = lineEnd + 1;
    if (start + size > bytes.length) throw new Error(`truncated frame ${frames.length}`);
    frames.push(bytes.slice(start, start + size));
    offset = start + size;
  }
  return { width, height, params, frames };
}

export function encodeY4m(video: Y4mVideo): Uint8Array {
  const header = new TextEncoder().encode(`YUV4MPEG2 W${video.width} H${video.height} ${video.params.join(' ')}`.trim() + '\n');
  const marker = new TextEncoder().encode('FRAME\n');
  const out = new Uint8Array(header.length + video.frames.reduce((n, f) => n + marker.length + f.length, 0));
  out.set(header);
  let offset = header.length;
  for (const frame of video.frames) {
    out.set(marker, offset);
    out.set(frame, offset + marker.length);
    offset += marker.length + frame.length;
  }
  return out;
}
