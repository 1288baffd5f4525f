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
 * A show the relay was stopped in (a restart, a crash) is one replay: when the room is live again
 * soon after, the new stream is appended after a discontinuity, its files numbered on.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Show } from './origin.ts';
import { multivariantPlaylist } from './playlist.ts';
import { finishInterrupted, RenditionWriter, round3 } from './replay-writer.ts';

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
  /** The recording stopped because the relay did, while the room was live: a show that goes on soon after continues it. */
  cut?: true;
}

/** A product pinned during the show: shown from `at` until `until` (capture clock, epoch ms). */
export interface ReplayPin {
  sku: string;
  at: number;
  until?: number;
}

/** A show live again within this long after the relay stopped in it is taken to be the same show. */
const CONTINUE_WITHIN_MS = 10 * 60 * 1000;

export class ReplayStore {
  /** Per room, oldest first. */
  private readonly replays = new Map<string, ReplayInfo[]>();
  private readonly recordings = new Set<Promise<void>>();
  /** The recording in progress per room, for its pins. */
  private readonly current = new Map<string, Recording>();
  private readonly finishedListeners = new Set<(replay: ReplayInfo) => void>();
  /** @internal Set when the relay stops (relayStopping): the shows it ends then are cut, not over. */
  stopping = false;

  constructor(
    readonly root: string,
    /** Replays kept per room; the oldest is deleted when a new show starts beyond this. */
    readonly kept: number,
  ) {
    this.load();
  }

  /**
   * Records the show from its first segment to its end; `pins` are those pinned as it starts. A
   * show that starts within CONTINUE_WITHIN_MS of the relay stopping in the room's last show, with
   * the same renditions, continues that replay.
   */
  record(show: Show, pins: ReplayPin[] = []): void {
    const last = this.replays.get(show.room)?.at(-1);
    const continued = last?.cut && last.endedAt !== null && Date.now() - last.endedAt < CONTINUE_WITHIN_MS
      && show.renditions.every((r) => existsSync(join(this.dir(last.room, last.id), r.name, 'index.m3u8')))
      ? last
      : null;
    const recording = new Recording(this, show, continued ? continuedPins(readPins(this.dir(show.room, continued.id)), pins, continued.endedAt!) : pins, continued);
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
    return readPins(this.dir(room, id));
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

  /** The relay is stopping: the recordings it ends from now on are of shows cut short, not over. */
  relayStopping(): void {
    this.stopping = true;
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

  /** @internal Recording's report that a cut replay goes on. */
  async continued(info: ReplayInfo): Promise<void> {
    await writeJson(join(this.dir(info.room, info.id), 'show.json'), info);
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
  private written: boolean;
  private readonly pins: ReplayPin[];
  /** Pins written so far, chained so that the file always ends with the newest list. */
  private pinsWrite: Promise<void> = Promise.resolve();
  /** The replay's directory: the show's own, or the cut replay's it continues. */
  private readonly dir: string;

  constructor(
    private readonly store: ReplayStore,
    private readonly show: Show,
    pins: ReplayPin[],
    /** A replay the relay stopping cut short, which this show continues. */
    private readonly continues: ReplayInfo | null = null,
  ) {
    this.dir = store.dir(show.room, continues?.id ?? show.id);
    this.written = continues !== null;
    this.pins = pins.map((pin) => ({ ...pin }));
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
    const path = join(this.dir, 'pins.json');
    this.pinsWrite = this.pinsWrite.then(() => writeJson(path, this.pins)).catch(() => undefined);
  }

  async run(): Promise<void> {
    const dir = this.dir;
    const writers = this.show.renditions.map((rendition) => new RenditionWriter(rendition, join(dir, rendition.name), this.continues !== null));
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
            if (this.continues) {
              this.info = this.continues;
              this.info.endedAt = null;
              delete this.info.cut;
              await this.store.continued(this.info);
            } else {
              this.info = { room: this.show.room, id: this.show.id, startedAt: first.firstDateTime, endedAt: null, duration: 0 };
              await this.store.started(this.info);
            }
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
      if (this.store.stopping) this.info.cut = true;
      await this.store.finished(this.info);
    }
  }
}

/**
 * The pins of a cut replay that goes on, with those of the show as it goes on: a product still
 * pinned keeps its first moment; one unpinned while the relay was down was shown until the cut.
 */
function continuedPins(earlier: ReplayPin[], now: ReplayPin[], cutAt: number): ReplayPin[] {
  const open = (sku: string) => earlier.some((pin) => pin.sku === sku && pin.until === undefined);
  const kept = earlier.map((pin) => (pin.until === undefined && !now.some((p) => p.sku === pin.sku) ? { ...pin, until: cutAt } : pin));
  return [...kept, ...now.filter((pin) => !open(pin.sku))];
}

function readPins(dir: string): ReplayPin[] {
  try {
    return JSON.parse(readFileSync(join(dir, 'pins.json'), 'utf8')) as ReplayPin[];
  } catch {
    return [];
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(value));
  await rename(`${path}.tmp`, path);
}

const subdirectories = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
