/**
 * A strict little reader of LL-HLS media playlists for the conformance tests: it keeps every
 * tag in order so tests can check where tags appear, not only that they do.
 */

export type Attributes = Record<string, string>;

export interface ParsedPart {
  duration: number;
  uri: string;
  independent: boolean;
}

export interface ParsedSegment {
  msn: number;
  uri: string | null;
  duration: number | null;
  parts: ParsedPart[];
  dateTime: string | null;
  discontinuity: boolean;
  map: string | null;
}

export interface MediaPlaylist {
  lines: string[];
  version: number;
  targetDuration: number;
  partTarget: number;
  serverControl: Attributes;
  mediaSequence: number;
  discontinuitySequence: number;
  skipped: number;
  segments: ParsedSegment[];
  preloadHint: Attributes | null;
  renditionReports: Attributes[];
  ended: boolean;
}

/** Parses `A=1,B="x,y",C=YES`. */
export function attributes(text: string): Attributes {
  const out: Attributes = {};
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)(?:,|$)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text))) out[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  return out;
}

const value = (line: string) => line.slice(line.indexOf(':') + 1);

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '#EXTM3U') throw new Error('playlist does not start with #EXTM3U');
  const playlist: MediaPlaylist = {
    lines, version: 0, targetDuration: NaN, partTarget: NaN, serverControl: {}, mediaSequence: 0,
    discontinuitySequence: 0, skipped: 0, segments: [], preloadHint: null, renditionReports: [], ended: false,
  };
  let current = null as ParsedSegment | null;
  let map: string | null = null;
  const open = (): ParsedSegment => {
    current ??= {
      msn: playlist.mediaSequence + playlist.skipped + playlist.segments.length,
      uri: null, duration: null, parts: [], dateTime: null, discontinuity: false, map,
    };
    return current;
  };
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-VERSION:')) playlist.version = Number(value(line));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) playlist.targetDuration = Number(value(line));
    else if (line.startsWith('#EXT-X-PART-INF:')) playlist.partTarget = Number(attributes(value(line))['PART-TARGET']);
    else if (line.startsWith('#EXT-X-SERVER-CONTROL:')) playlist.serverControl = attributes(value(line));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) playlist.mediaSequence = Number(value(line));
    else if (line.startsWith('#EXT-X-DISCONTINUITY-SEQUENCE:')) playlist.discontinuitySequence = Number(value(line));
    else if (line.startsWith('#EXT-X-SKIP:')) playlist.skipped = Number(attributes(value(line))['SKIPPED-SEGMENTS']);
    else if (line.startsWith('#EXT-X-MAP:')) {
      map = attributes(value(line)).URI ?? null;
      if (current !== null) current.map = map;
    } else if (line === '#EXT-X-DISCONTINUITY') open().discontinuity = true;
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) open().dateTime = value(line);
    else if (line.startsWith('#EXT-X-PART:')) {
      const a = attributes(value(line));
      open().parts.push({ duration: Number(a.DURATION), uri: a.URI!, independent: a.INDEPENDENT === 'YES' });
    } else if (line.startsWith('#EXTINF:')) open().duration = Number(value(line).split(',')[0]);
    else if (line.startsWith('#EXT-X-PRELOAD-HINT:')) playlist.preloadHint = attributes(value(line));
    else if (line.startsWith('#EXT-X-RENDITION-REPORT:')) playlist.renditionReports.push(attributes(value(line)));
    else if (line === '#EXT-X-ENDLIST') playlist.ended = true;
    else if (!line.startsWith('#')) {
      const segment = open();
      segment.uri = line;
      playlist.segments.push(segment);
      current = null;
    }
  }
  const tail = current as ParsedSegment | null;
  if (tail) playlist.segments.push(tail);
  return playlist;
}

/** The open segment (parts only, no URI yet) is the last entry when the stream is live. */
export const completeSegments = (p: MediaPlaylist) => p.segments.filter((s) => s.uri !== null);

/** The newest listed part as (msn, index). */
export function lastPart(p: MediaPlaylist): { msn: number; part: number } {
  for (let i = p.segments.length - 1; i >= 0; i -= 1) {
    const segment = p.segments[i]!;
    if (segment.parts.length > 0) return { msn: segment.msn, part: segment.parts.length - 1 };
  }
  throw new Error('playlist lists no parts');
}
