/**
 * LL-HLS playlist text (draft-pantos-hls-rfc8216bis): the multivariant playlist of a show and
 * the media playlist of one rendition, full or as a delta update.
 */
import type { Rendition, Segment } from './rendition.ts';

/** EXT-X-SKIP needs version 9 (rfc8216bis 4.4.5.2). */
const VERSION = 9;

export interface ServerControl {
  partHoldBack: number;
  holdBack: number;
  canSkipUntil: number;
}

/** RFC 8216bis 4.4.3.8: PART-HOLD-BACK >= 2x PART-TARGET (3x advised), HOLD-BACK >= 3x, CAN-SKIP-UNTIL >= 6x target. */
export function serverControl(rendition: Rendition): ServerControl {
  const { partTarget, targetDuration } = rendition.timing;
  return {
    partHoldBack: round3(partTarget * 2),
    holdBack: targetDuration * 3,
    canSkipUntil: targetDuration * 6,
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const decimal = (n: number) => Number(n.toFixed(5)).toString();
/** PART-TARGET is an upper bound, so it is rounded up, never down. */
const partTargetText = (n: number) => (Math.ceil(n * 1000 - 1e-6) / 1000).toString();

export const partUri = (msn: number, index: number) => `part-${msn}.${index}.m4s`;
export const segmentUri = (msn: number) => `seg-${msn}.m4s`;
export const initUri = (id: number) => `init-${id}.mp4`;

/** The multivariant playlist: one variant per rendition, each with its own muxed audio. */
export function multivariantPlaylist(renditions: Rendition[], mediaUri: (r: Rendition) => string): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${VERSION}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const rendition of renditions) {
    const video = rendition.tracks.find((t) => t.kind === 'video');
    const codecs = rendition.tracks.map((t) => t.codec).filter(Boolean).join(',');
    const attributes = [`BANDWIDTH=${rendition.bandwidth}`, `CODECS="${codecs}"`];
    if (video?.width && video.height) attributes.push(`RESOLUTION=${video.width}x${video.height}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, mediaUri(rendition));
  }
  return lines.join('\n') + '\n';
}

export interface MediaPlaylistOptions {
  /** Delta update (`_HLS_skip=YES|v2`): older segments are replaced by EXT-X-SKIP. */
  skip: boolean;
  /** The other renditions of the show, for EXT-X-RENDITION-REPORT, with their relative URIs. */
  reports: { uri: string; rendition: Rendition }[];
}

/** The media playlist of a rendition as it is now. */
export function mediaPlaylist(rendition: Rendition, options: MediaPlaylistOptions): string {
  const { partTarget, targetDuration } = rendition.timing;
  const control = serverControl(rendition);
  const segments = rendition.segments;
  const open = rendition.current;
  const listed: Segment[] = open && open.parts.length > 0 ? [...segments, open] : [...segments];
  const first = listed[0];
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${VERSION}`,
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    `#EXT-X-PART-INF:PART-TARGET=${partTargetText(partTarget)}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=${decimal(control.canSkipUntil)},` +
      `PART-HOLD-BACK=${decimal(control.partHoldBack)},HOLD-BACK=${decimal(control.holdBack)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first?.msn ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence(rendition, first)}`,
  ];

  // Skip boundary: segments that end more than CAN-SKIP-UNTIL before the playlist's end.
  let skipped = 0;
  if (options.skip && !rendition.ended) {
    let fromEnd = 0;
    const ends: number[] = [];
    for (let i = listed.length - 1; i >= 0; i -= 1) {
      ends[i] = fromEnd;
      fromEnd += listed[i]!.duration;
    }
    // A segment may be skipped when it ends at least CAN-SKIP-UNTIL before the playlist's end.
    while (skipped < segments.length && ends[skipped]! >= control.canSkipUntil) skipped += 1;
    if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  }

  // Parts are listed only for the newest segments (about three target durations).
  const partsFrom = partsStart(listed, targetDuration * 3);
  let mapId = -1;
  listed.forEach((segment, i) => {
    if (i < skipped) return;
    if (segment.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.initId !== mapId) {
      lines.push(`#EXT-X-MAP:URI="${initUri(segment.initId)}"`);
      mapId = segment.initId;
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.dateTime).toISOString()}`);
    if (i >= partsFrom && !segment.partsDropped) {
      for (const part of segment.parts) {
        lines.push(`#EXT-X-PART:DURATION=${decimal(part.duration)},URI="${partUri(segment.msn, part.index)}"${part.independent ? ',INDEPENDENT=YES' : ''}`);
      }
    }
    if (segment !== open) lines.push(`#EXTINF:${decimal(segment.duration)},`, segmentUri(segment.msn));
  });

  if (rendition.ended) {
    lines.push('#EXT-X-ENDLIST');
  } else {
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${partUri(rendition.nextPartMsn, rendition.nextPartIndex)}"`);
    for (const report of options.reports) {
      const last = report.rendition.lastPosition();
      if (last) lines.push(`#EXT-X-RENDITION-REPORT:URI="${report.uri}",LAST-MSN=${last.msn},LAST-PART=${last.part}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Segments of classic HLS: this many LL-HLS segments make one (6 s with 1 s segments). */
export const CLASSIC_GROUP = 6;
export const classicUri = (group: number) => `classic-${group}.m4s`;

export interface ClassicSegment {
  group: number;
  segments: Segment[];
  duration: number;
  /** Starts a new encoder run (a new init segment). */
  discontinuity: boolean;
}

/**
 * The same stream as classic HLS (RFC 8216, no parts, no blocking): every CLASSIC_GROUP segments
 * make one, numbered msn / CLASSIC_GROUP. A group is listed once complete; a group in which the
 * encoder restarted keeps only its segments of the new run, after a discontinuity.
 */
export function classicSegments(rendition: Rendition): ClassicSegment[] {
  const groups = new Map<number, Segment[]>();
  for (const segment of rendition.segments) {
    const group = Math.floor(segment.msn / CLASSIC_GROUP);
    groups.set(group, [...(groups.get(group) ?? []), segment]);
  }
  const out: ClassicSegment[] = [];
  const lastMsn = rendition.segments.at(-1)?.msn ?? -1;
  for (const [group, all] of groups) {
    const complete = rendition.ended || lastMsn >= (group + 1) * CLASSIC_GROUP - 1;
    // The window may have dropped the group's first segments: such a group is not offered.
    if (!complete || all[0]!.msn !== group * CLASSIC_GROUP && !all[0]!.discontinuity) continue;
    const restart = all.findLastIndex((s, i) => i > 0 && (s.discontinuity || s.initId !== all[i - 1]!.initId));
    const segments = restart > 0 ? all.slice(restart) : all;
    out.push({
      group,
      segments,
      duration: segments.reduce((sum, s) => sum + s.duration, 0),
      discontinuity: restart > 0 || segments[0]!.discontinuity,
    });
  }
  return out;
}

export function classicPlaylist(rendition: Rendition): string {
  const groups = classicSegments(rendition);
  const lines = [
    '#EXTM3U',
    // EXT-X-MAP with fMP4 needs version 6 (RFC 8216 4.3.2.5, 7).
    '#EXT-X-VERSION:6',
    `#EXT-X-TARGETDURATION:${rendition.timing.targetDuration * CLASSIC_GROUP}`,
    `#EXT-X-MEDIA-SEQUENCE:${groups[0]?.group ?? 0}`,
  ];
  let mapId = -1;
  groups.forEach((g, i) => {
    if (g.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
    const initId = g.segments[0]!.initId;
    if (initId !== mapId) {
      lines.push(`#EXT-X-MAP:URI="${initUri(initId)}"`);
      mapId = initId;
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(g.segments[0]!.dateTime).toISOString()}`, `#EXTINF:${decimal(g.duration)},`, classicUri(g.group));
  });
  if (rendition.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

function discontinuitySequence(rendition: Rendition, first: Segment | undefined): number {
  if (!first) return 0;
  // Discontinuities of segments that left the window, plus the first segment's own.
  return rendition.droppedDiscontinuities + (first.discontinuity ? 1 : 0);
}

function partsStart(listed: Segment[], seconds: number): number {
  let age = 0;
  for (let i = listed.length - 1; i >= 0; i -= 1) {
    age += listed[i]!.duration;
    if (age >= seconds) return i;
  }
  return 0;
}
