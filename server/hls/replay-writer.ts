/**
 * A replay on disk, one rendition at a time: its EVENT playlist appended to segment by segment
 * (a segment's file first, its entry after), continued after a cut, and ended after its last
 * whole entry when the relay stopped without ending it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initUri, segmentUri } from './playlist.ts';
import type { ReplayInfo } from './replay.ts';
import type { Rendition, Segment } from './rendition.ts';

/** EXT-X-MAP in a media playlist without I-frames needs version 6; version 7 for the rest. */
const VERSION = 7;
const ENDLIST = '#EXT-X-ENDLIST\n';

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Appends one rendition's complete segments to its playlist on disk. */
export class RenditionWriter {
  firstDateTime: number | null = null;
  duration = 0;
  private lastMsn = -1;
  private mapId = -1;
  private readonly inits = new Set<number>();
  private readonly playlist: string;
  /** Added to the show's segment and init numbers in file names: past those of the replay it continues. */
  private msnOffset = 0;
  private initOffset = 0;
  /** The next entry follows a cut (the relay stopped): a discontinuity. */
  private afterCut = false;

  constructor(
    private readonly rendition: Rendition,
    private readonly dir: string,
    continues: boolean,
  ) {
    this.playlist = join(dir, 'index.m3u8');
    if (continues) this.continueFrom(readFileSync(this.playlist, 'utf8'));
  }

  async pass(): Promise<void> {
    const fresh = this.rendition.segments.filter((segment) => segment.msn > this.lastMsn && segment.data);
    if (fresh.length === 0) return;
    let lines = '';
    if (this.lastMsn < 0 && !this.afterCut) {
      await mkdir(this.dir, { recursive: true });
      lines += header(this.rendition, fresh[0]!.msn);
    }
    for (const segment of fresh) {
      if (!this.inits.has(segment.initId)) {
        const init = this.rendition.inits.get(segment.initId);
        if (!init) continue;
        await writeFile(join(this.dir, initUri(segment.initId + this.initOffset)), init);
        this.inits.add(segment.initId);
      }
      await writeFile(join(this.dir, segmentUri(segment.msn + this.msnOffset)), segment.data!);
      lines += this.entry(segment);
      this.lastMsn = segment.msn;
    }
    await appendFile(this.playlist, lines);
  }

  /** Picks up a cut replay's playlist: its ENDLIST goes, its numbering and length go on. */
  private continueFrom(text: string): void {
    const numbers = (pattern: RegExp) => [...text.matchAll(pattern)].map((match) => Number(match[1]));
    this.msnOffset = Math.max(-1, ...numbers(/^seg-(\d+)\.m4s$/gm)) + 1;
    this.initOffset = Math.max(-1, ...numbers(/init-(\d+)\.mp4/g)) + 1;
    this.duration = numbers(/^#EXTINF:([\d.]+),/gm).reduce((sum, seconds) => sum + seconds, 0);
    const firstDate = /^#EXT-X-PROGRAM-DATE-TIME:(.+)$/m.exec(text);
    this.firstDateTime = firstDate ? Date.parse(firstDate[1]!) : null;
    writeFileSync(this.playlist, text.replace(ENDLIST, ''));
    this.afterCut = true;
  }

  async end(): Promise<void> {
    await this.pass();
    if (this.lastMsn >= 0) await appendFile(this.playlist, ENDLIST);
  }

  private entry(segment: Segment): string {
    let text = '';
    if ((segment.discontinuity && this.mapId >= 0) || this.afterCut) text += '#EXT-X-DISCONTINUITY\n';
    this.afterCut = false;
    if (segment.initId !== this.mapId) {
      text += `#EXT-X-MAP:URI="${initUri(segment.initId + this.initOffset)}"\n`;
      this.mapId = segment.initId;
    }
    this.firstDateTime ??= segment.dateTime;
    this.duration += segment.duration;
    return text + `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.dateTime).toISOString()}\n#EXTINF:${segment.duration.toFixed(5)},\n${segmentUri(segment.msn + this.msnOffset)}\n`;
  }
}

function header(rendition: Rendition, firstMsn: number): string {
  return [
    '#EXTM3U',
    `#EXT-X-VERSION:${VERSION}`,
    `#EXT-X-TARGETDURATION:${rendition.timing.targetDuration}`,
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    `#EXT-X-MEDIA-SEQUENCE:${firstMsn}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '',
  ].join('\n');
}

/**
 * Ends an interrupted recording's playlists after their last whole entry (a segment's file is
 * written before its entry, so every listed segment exists) and works out the show's length
 * from the top rendition, the first in the multivariant playlist.
 */
export function finishInterrupted(dir: string, info: ReplayInfo): ReplayInfo {
  const variant = existsSync(join(dir, 'index.m3u8')) ? readFileSync(join(dir, 'index.m3u8'), 'utf8') : '';
  const top = variant.split('\n').find((line) => line.endsWith('.m3u8'));
  let duration = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name, 'index.m3u8');
    if (!entry.isDirectory() || !existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const lastEntry = text.lastIndexOf('.m4s\n');
    if (lastEntry < 0) continue;
    const whole = text.slice(0, lastEntry + 5);
    if (`${entry.name}/index.m3u8` === top) {
      duration = [...whole.matchAll(/^#EXTINF:([\d.]+),/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    }
    writeFileSync(path, whole + ENDLIST);
  }
  const finished: ReplayInfo = { ...info, duration: round3(duration), endedAt: Math.round(info.startedAt + duration * 1000), cut: true };
  writeFileSync(join(dir, 'show.json'), JSON.stringify(finished));
  return finished;
}
