import { Rendition, type HlsTiming } from './rendition.ts';

export interface RenditionSpec {
  /** URL-safe name, e.g. "720p". */
  name: string;
  /** Peak bits per second (video + audio), for BANDWIDTH. */
  bandwidth: number;
}

/** One live show of a room: its renditions, from go-live until the next show replaces it. */
export class Show {
  readonly renditions: Rendition[];

  constructor(
    readonly room: string,
    /** Unique per show, so URLs (and CDN caches) of two shows of one room never collide. */
    readonly id: string,
    readonly timing: HlsTiming,
    specs: RenditionSpec[],
  ) {
    this.renditions = specs.map((spec) => new Rendition(spec.name, timing, spec.bandwidth));
  }

  rendition(name: string): Rendition | undefined {
    return this.renditions.find((r) => r.name === name);
  }

  get ended(): boolean {
    return this.renditions.every((r) => r.ended);
  }

  get ready(): boolean {
    return this.renditions.every((r) => r.ready);
  }

  end(): void {
    for (const rendition of this.renditions) rendition.end();
  }
}

/** How long an ended show's window stays in memory (about 10 MB per show with the default ladder). */
export const ENDED_RETENTION_MS = 60 * 60 * 1000;

/**
 * The HLS side of the relay: the newest show of each room. An ended show stays (with ENDLIST)
 * for `endedRetentionMs` or until the room goes live again, so late players and caches still get
 * its last window; segments are kept in memory only (no replay storage yet).
 */
export class HlsOrigin {
  private readonly shows = new Map<string, Show>();
  private readonly listeners = new Set<(show: Show) => void>();
  private readonly evictions = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly timing: HlsTiming,
    private readonly endedRetentionMs = ENDED_RETENTION_MS,
  ) {}

  /** Starts a new show for the room, ending the previous one. */
  open(room: string, specs: RenditionSpec[], id = Date.now().toString(36)): Show {
    this.shows.get(room)?.end();
    clearTimeout(this.evictions.get(room));
    this.evictions.delete(room);
    const show = new Show(room, id, this.timing, specs);
    this.shows.set(room, show);
    for (const listener of this.listeners) listener(show);
    return show;
  }

  get(room: string): Show | undefined {
    return this.shows.get(room);
  }

  end(room: string): void {
    const show = this.shows.get(room);
    if (!show) return;
    show.end();
    clearTimeout(this.evictions.get(room));
    const timer = setTimeout(() => {
      this.evictions.delete(room);
      if (this.shows.get(room) === show) this.shows.delete(room);
    }, this.endedRetentionMs);
    timer.unref();
    this.evictions.set(room, timer);
  }

  /** Hears every new show (the routes wake players that wait for one). */
  onShow(listener: (show: Show) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const show of this.shows.values()) show.end();
    for (const timer of this.evictions.values()) clearTimeout(timer);
    this.evictions.clear();
  }
}
