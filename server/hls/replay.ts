/**
 * Replays: while a show is live its segments are also written to disk, as an HLS EVENT playlist
 * per rendition that gets EXT-X-ENDLIST when the show ends. The whole show can then be watched
 * and sought in by any HLS player, and it survives a relay restart (the live window in memory
 * does not). Layout under the root:
 *   <room>/<show>/show.json                 what the list of replays says about it
 *   <room>/<show>/pins.json                 which products were pinned when, so the replay stays shoppable
 *   <room>/<show>/index.m3u8                multivariant playlist
 *   <room>/<show>/<rendition>/index.m3u8    media playlist, appended to segment by segment
 *   <room>/<show>/<rendition>/init-<n>.mp4, seg-<msn>.m4s   the live stream's own bytes
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Show } from './origin.ts';
import { initUri, multivariantPlaylist, segmentUri } from './playlist.ts';
import type { Rendition, Segment } from './rendition.ts';

export interface ReplayInfo {
  room: string;
  /** The show's id, as in its live URLs. */
  id: string;
  /** Epoch ms of the first recorded frame. */
  startedAt: number;
  /** Epoch ms of the end; null while the show is still being recorded. */
  endedAt: number | null;
  /** Seconds recorded so far (of the top rendition). */
  duration: number;
}

/** A product pinned during the show: shown from `at` until `until` (capture clock, epoch ms). */
export interface ReplayPin {
  sku: string;
  at: number;
  until?: number;
}

/** EXT-X-MAP in a media playlist without I-frames needs version 6; version 7 for the rest. */
const VERSION = 7;
const ENDLIST = '#EXT-X-ENDLIST\n';

export class ReplayStore {
  /** Per room, oldest first. */
  private readonly replays = new Map<string, ReplayInfo[]>();
  private readonly recordings = new Set<Promise<void>>();
  /** The recording in progress per room, for its pins. */
  private readonly current = new Map<string, Recording>();
  private readonly finishedListeners = new Set<(replay: ReplayInfo) => void>();

  constructor(
    readonly root: string,
    /** Replays kept per room; the oldest is deleted when a new show starts beyond this. */
    readonly kept: number,
  ) {
    this.load();
  }

  /** Records the show from its first segment to its end; `pins` are those pinned as it starts. */
  record(show: Show, pins: ReplayPin[] = []): void {
    const recording = new Recording(this, show, pins);
    this.current.set(show.room, recording);
    const done = recording.run().catch((error: Error) => {
      console.error(`replay of ${show.room}/${show.id} stopped: ${error.message}`);
    });
    this.recordings.add(done);
    void done.finally(() => {
      this.recordings.delete(done);
      if (this.current.get(show.room) === recording) this.current.delete(show.room);
    });
  }

  /** A product was pinned (`unpinned: false`) or unpinned in a room, at a moment of its picture. */
  notePin(room: string, sku: string, at: number, unpinned: boolean): void {
    this.current.get(room)?.notePin(sku, at, unpinned);
  }

  /** The pins of a replay, or none when it has no record of them. */
  async pins(room: string, id: string): Promise<ReplayPin[]> {
    try {
      return JSON.parse(await readFile(join(this.dir(room, id), 'pins.json'), 'utf8')) as ReplayPin[];
    } catch {
      return [];
    }
  }

  /** The room's replays, newest first. */
  list(room: string): ReplayInfo[] {
    return [...(this.replays.get(room) ?? [])].reverse();
  }

  /** The newest replay of the room that is complete, or null (asked for every joining viewer's snapshot). */
  latestFinished(room: string): ReplayInfo | null {
    return this.replays.get(room)?.findLast((replay) => replay.endedAt !== null) ?? null;
  }

  get(room: string, id: string): ReplayInfo | undefined {
    return this.replays.get(room)?.find((replay) => replay.id === id);
  }

  /** Hears each replay that becomes complete (the room info then offers it). */
  onFinished(listener: (replay: ReplayInfo) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  dir(room: string, id: string): string {
    return join(this.root, room, id);
  }

  /** Waits for the recordings in progress to write what they have (the shows are ended first). */
  async close(): Promise<void> {
    await Promise.all(this.recordings);
  }

  /** @internal Recording's report that a show has its first segment on disk. */
  async started(info: ReplayInfo): Promise<void> {
    const list = this.replays.get(info.room) ?? [];
    list.push(info);
    this.replays.set(info.room, list);
    await writeJson(join(this.dir(info.room, info.id), 'show.json'), info);
    while (list.length > this.kept) {
      const old = list.shift()!;
      await rm(this.dir(old.room, old.id), { recursive: true, force: true });
    }
  }

  /** @internal */
  async finished(info: ReplayInfo): Promise<void> {
    await writeJson(join(this.dir(info.room, info.id), 'show.json'), info);
    for (const listener of this.finishedListeners) listener(info);
  }

  /**
   * Reads what is on disk. A show the relay was recording when it stopped without closing
   * (a crash, a kill) is ended here at its last complete segment; a show with no segment is removed.
   */
  private load(): void {
    if (!existsSync(this.root)) return;
    for (const room of subdirectories(this.root)) {
      const list: ReplayInfo[] = [];
      for (const id of subdirectories(join(this.root, room))) {
        const dir = join(this.root, room, id);
        let info: ReplayInfo;
        try {
          info = JSON.parse(readFileSync(join(dir, 'show.json'), 'utf8')) as ReplayInfo;
        } catch {
          void rm(dir, { recursive: true, force: true });
          continue;
        }
        if (info.endedAt === null) info = finishInterrupted(dir, info);
        list.push(info);
      }
      list.sort((a, b) => a.startedAt - b.startedAt);
      if (list.length > 0) this.replays.set(room, list);
    }
  }
}

/** One show being written: each rendition's new inits and segments, in order, then the end. */
class Recording {
  private info: ReplayInfo | null = null;
  private written = false;
  private readonly pins: ReplayPin[];
  /** Pins written so far, chained so that the file always ends with the newest list. */
  private pinsWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ReplayStore,
    private readonly show: Show,
    pins: ReplayPin[],
  ) {
    this.pins = pins.map(({ sku, at }) => ({ sku, at }));
  }

  notePin(sku: string, at: number, unpinned: boolean): void {
    const open = this.pins.findLast((pin) => pin.sku === sku && pin.until === undefined);
    if (unpinned) {
      if (open) open.until = at;
    } else if (open) {
      // Pinning again moves its moment, as on the live show.
      open.at = at;
    } else {
      this.pins.push({ sku, at });
    }
    if (this.info) this.savePins();
  }

  private savePins(): void {
    const path = join(this.store.dir(this.show.room, this.show.id), 'pins.json');
    this.pinsWrite = this.pinsWrite.then(() => writeJson(path, this.pins)).catch(() => undefined);
  }

  async run(): Promise<void> {
    const dir = this.store.dir(this.show.room, this.show.id);
    const writers = this.show.renditions.map((rendition) => new RenditionWriter(rendition, join(dir, rendition.name)));
    // Writes go one after another; a change that arrives meanwhile is picked up by the next pass.
    let changed = false;
    let wake: () => void = () => undefined;
    const offs = this.show.renditions.map((r) => r.onChange(() => {
      changed = true;
      wake();
    }));
    try {
      for (;;) {
        const ended = this.show.ended;
        if (!this.written && this.show.ready) {
          await mkdir(dir, { recursive: true });
          const text = multivariantPlaylist(this.show.renditions, (r) => `${r.name}/index.m3u8`);
          await writeFile(join(dir, 'index.m3u8'), text);
          this.written = true;
        }
        for (const writer of writers) await writer.pass();
        const first = writers[0]!;
        if (first.firstDateTime !== null) {
          if (!this.info) {
            this.info = { room: this.show.room, id: this.show.id, startedAt: first.firstDateTime, endedAt: null, duration: 0 };
            await this.store.started(this.info);
            this.savePins();
          }
          this.info.duration = round3(first.duration);
        }
        if (ended) break;
        if (!changed) await new Promise<void>((resolve) => (wake = resolve));
        changed = false;
      }
    } finally {
      for (const off of offs) off();
    }
    for (const writer of writers) await writer.end();
    await this.pinsWrite;
    if (this.info) {
      this.info.endedAt = Math.round(this.info.startedAt + this.info.duration * 1000);
      await this.store.finished(this.info);
    }
  }
}

/** Appends one rendition's complete segments to its playlist on disk. */
class RenditionWriter {
  firstDateTime: number | null = null;
  duration = 0;
  private lastMsn = -1;
  private mapId = -1;
  private readonly inits = new Set<number>();
  private readonly playlist: string;

  constructor(
    private readonly rendition: Rendition,
    private readonly dir: string,
  ) {
    this.playlist = join(dir, 'index.m3u8');
  }

  async pass(): Promise<void> {
    const fresh = this.rendition.segments.filter((segment) => segment.msn > this.lastMsn && segment.data);
    if (fresh.length === 0) return;
    let lines = '';
    if (this.lastMsn < 0) {
      await mkdir(this.dir, { recursive: true });
      lines += header(this.rendition, fresh[0]!.msn);
    }
    for (const segment of fresh) {
      if (!this.inits.has(segment.initId)) {
        const init = this.rendition.inits.get(segment.initId);
        if (!init) continue;
        await writeFile(join(this.dir, initUri(segment.initId)), init);
        this.inits.add(segment.initId);
      }
      await writeFile(join(this.dir, segmentUri(segment.msn)), segment.data!);
      lines += this.entry(segment);
      this.lastMsn = segment.msn;
    }
    await appendFile(this.playlist, lines);
  }

  async end(): Promise<void> {
    await this.pass();
    if (this.lastMsn >= 0) await appendFile(this.playlist, ENDLIST);
  }

  private entry(segment: Segment): string {
    let text = '';
    if (segment.discontinuity && this.mapId >= 0) text += '#EXT-X-DISCONTINUITY\n';
    if (segment.initId !== this.mapId) {
      text += `#EXT-X-MAP:URI="${initUri(segment.initId)}"\n`;
      this.mapId = segment.initId;
    }
    this.firstDateTime ??= segment.dateTime;
    this.duration += segment.duration;
    return text + `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.dateTime).toISOString()}\n#EXTINF:${segment.duration.toFixed(5)},\n${segmentUri(segment.msn)}\n`;
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
function finishInterrupted(dir: string, info: ReplayInfo): ReplayInfo {
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
  const finished = { ...info, duration: round3(duration), endedAt: Math.round(info.startedAt + duration * 1000) };
  writeFileSync(join(dir, 'show.json'), JSON.stringify(finished));
  return finished;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(value));
  await rename(`${path}.tmp`, path);
}

const subdirectories = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const round3 = (n: number) => Math.round(n * 1000) / 1000;
