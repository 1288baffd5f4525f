import { BoxSplitter, readMoof, readMoov, type TrackInfo } from './mp4.ts';

/** Timing of the LL-HLS stream, shared by every rendition of one show. */
export interface HlsTiming {
  /** PART-TARGET in seconds: every part is at most this long (a whole number of frames). */
  partTarget: number;
  /** EXT-X-TARGETDURATION in whole seconds; the encoder puts a keyframe at least this often. */
  targetDuration: number;
  /** Segments kept in the live playlist (older ones are dropped from memory). */
  windowSegments: number;
}

export interface Part {
  index: number;
  duration: number;
  independent: boolean;
  data: Buffer;
}

export interface Segment {
  msn: number;
  parts: Part[];
  duration: number;
  /** Wall-clock time (epoch ms) of the segment's first frame, for EXT-X-PROGRAM-DATE-TIME. */
  dateTime: number;
  discontinuity: boolean;
  /** Which init segment (EXT-X-MAP) applies: one per encoder run. */
  initId: number;
  /** Whole-segment bytes, set when the segment is complete. */
  data: Buffer | null;
  /** Part bytes are dropped once the segment is older than the playlist's part window. */
  partsDropped: boolean;
}

/** A position in the stream: the last complete part is (msn, part). */
export interface Position {
  msn: number;
  part: number;
}

/** A rendition's video track drives part and segment timing; audio fragments ride along. */
interface Fragment {
  data: Buffer;
  /** Seconds of the primary track (video, else audio) in this fragment. */
  duration: number;
  /** Media time of the primary track at the start, seconds. */
  start: number | null;
  keyframe: boolean;
}

// Rounding slack for durations computed from integer timescales.
const EPSILON = 0.0015;

/**
 * One rendition of a live show: cuts ffmpeg's fMP4 fragments into parts of at most PART-TARGET
 * and segments that start on keyframes, and keeps the live window in memory. It knows nothing
 * of HTTP; the playlist writer and routes read its state and wait on `changed`.
 */
export class Rendition {
  readonly segments: Segment[] = [];
  readonly inits = new Map<number, Buffer>();
  tracks: TrackInfo[] = [];
  ended = false;
  /** Discontinuities carried by segments that left the window (for EXT-X-DISCONTINUITY-SEQUENCE). */
  droppedDiscontinuities = 0;

  private splitter = new BoxSplitter();
  private initId = -1;
  private initBoxes: Buffer[] = [];
  private pendingMoof: Buffer | null = null;
  private open: Segment | null = null;
  private partChunks: Buffer[] = [];
  private partDuration = 0;
  private partIndependent = false;
  private nextMsn = 0;
  private discontinuityNext = false;
  /** Epoch ms at media time 0 of the current encoder run. */
  private clockOrigin = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly timing: HlsTiming,
    /** Peak bits per second of the encoding, for BANDWIDTH. */
    readonly bandwidth: number,
  ) {}

  /** A new encoder run begins: new init segment, timestamps from zero, a discontinuity. */
  beginRun(clockOrigin: number): void {
    this.closeSegment();
    this.splitter = new BoxSplitter();
    this.initBoxes = [];
    this.pendingMoof = null;
    this.clockOrigin = clockOrigin;
    this.initId += 1;
    if (this.segments.length > 0) this.discontinuityNext = true;
  }

  /** Media time 0 of the current run is this wall-clock time (the source knows it better than the spawn time). */
  setClockOrigin(clockOrigin: number): void {
    this.clockOrigin = clockOrigin;
  }

  /** Feeds bytes of the encoder's fMP4 output. */
  push(chunk: Buffer): void {
    if (this.ended) return;
    for (const box of this.splitter.push(chunk)) {
      if (box.type === 'ftyp' || box.type === 'moov') {
        this.initBoxes.push(box.data);
        if (box.type === 'moov') {
          this.tracks = readMoov(box.data);
          this.inits.set(this.initId, Buffer.concat(this.initBoxes));
          this.notify();
        }
      } else if (box.type === 'moof') {
        this.pendingMoof = box.data;
      } else if (box.type === 'mdat' && this.pendingMoof) {
        this.addFragment(this.describe(this.pendingMoof, box.data));
        this.pendingMoof = null;
      }
    }
  }

  /** The show is over: the open segment is closed and the playlist gets EXT-X-ENDLIST. */
  end(): void {
    if (this.ended) return;
    this.closeSegment();
    this.ended = true;
    this.notify();
  }

  get ready(): boolean {
    return this.inits.size > 0 && this.lastPosition() !== null;
  }

  /** The segment being built (its complete parts are listed after the last complete segment). */
  get current(): Segment | null {
    return this.open;
  }

  /** The newest complete part, or null before the first one. */
  lastPosition(): Position | null {
    if (this.open && this.open.parts.length > 0) return { msn: this.open.msn, part: this.open.parts.length - 1 };
    const last = this.segments[this.segments.length - 1];
    return last ? { msn: last.msn, part: last.parts.length - 1 } : null;
  }

  /** Whether the part (msn, part) exists: the newest complete part is at or after it. */
  reached(msn: number, part: number): boolean {
    const open = this.open;
    if (open && open.parts.length > 0) return open.msn > msn || (open.msn === msn && open.parts.length > part);
    const last = this.segments[this.segments.length - 1];
    return last !== undefined && (last.msn > msn || (last.msn === msn && last.parts.length > part));
  }

  /** Media sequence number of the newest complete segment, -1 before the first. */
  get lastCompleteMsn(): number {
    return this.segments[this.segments.length - 1]?.msn ?? -1;
  }

  /** Media sequence number of the segment that receives the next part. */
  get nextPartMsn(): number {
    return this.open ? this.open.msn : this.nextMsn;
  }

  get nextPartIndex(): number {
    return this.open ? this.open.parts.length : 0;
  }

  findSegment(msn: number): Segment | undefined {
    if (this.open?.msn === msn) return this.open;
    const first = this.segments[0];
    return first ? this.segments[msn - first.msn] : undefined;
  }

  /** Calls `listener` after every change (new part, segment, init, end); returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Grows on every change, so derived text (playlists) can be cached until the next one. */
  version = 0;

  private notify(): void {
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  }

  private describe(moof: Buffer, mdat: Buffer): Fragment {
    const trafs = readMoof(moof);
    const primary = this.tracks.find((t) => t.kind === 'video') ?? this.tracks.find((t) => t.kind === 'audio');
    const main = primary ? trafs.find((t) => t.trackId === primary.id) : undefined;
    const data = Buffer.concat([moof, mdat]);
    if (!primary || !main) return { data, duration: 0, start: null, keyframe: false };
    return {
      data,
      duration: main.duration / primary.timescale,
      start: main.baseTime / primary.timescale,
      keyframe: primary.kind === 'video' ? main.startsWithSync : true,
    };
  }

  private addFragment(fragment: Fragment): void {
    const { partTarget, targetDuration } = this.timing;
    if (fragment.keyframe && fragment.duration > 0) {
      // Segments start on keyframes; a keyframe ends the open segment once it is long enough.
      const long = this.open !== null && this.open.duration + this.partDuration >= targetDuration / 2 - EPSILON;
      if (long || this.open === null) {
        const carried = this.partDuration === 0 ? this.partChunks : [];
        if (this.partDuration === 0) this.partChunks = [];
        this.closeSegment();
        this.openSegment(fragment.start);
        this.partChunks = carried;
      }
    }
    if (this.open === null) {
      // Nothing before the first keyframe can be decoded; drop it.
      if (fragment.duration > 0) return;
      this.partChunks = [...this.partChunks.slice(-8), fragment.data];
      return;
    }
    if (fragment.duration > 0 && this.partDuration > 0 && this.partDuration + fragment.duration > partTarget + EPSILON) this.closePart();
    // INDEPENDENT: the part's first video frame is a keyframe (audio carried ahead of it does not count).
    if (fragment.duration > 0 && this.partDuration === 0) this.partIndependent = fragment.keyframe;
    this.partChunks.push(fragment.data);
    this.partDuration += fragment.duration;
    // Publish the part as soon as it is full, not when the next frame arrives.
    if (this.partDuration >= partTarget - EPSILON) this.closePart();
  }

  private openSegment(start: number | null): void {
    this.open = {
      msn: this.nextMsn,
      parts: [],
      duration: 0,
      dateTime: Math.round(this.clockOrigin + (start ?? 0) * 1000),
      discontinuity: this.discontinuityNext,
      initId: this.initId,
      data: null,
      partsDropped: false,
    };
    this.nextMsn += 1;
    this.discontinuityNext = false;
  }

  private closePart(): void {
    if (!this.open || this.partDuration === 0) return;
    const part: Part = {
      index: this.open.parts.length,
      duration: this.partDuration,
      independent: this.partIndependent,
      data: Buffer.concat(this.partChunks),
    };
    this.open.parts.push(part);
    this.open.duration += part.duration;
    this.partChunks = [];
    this.partDuration = 0;
    this.partIndependent = false;
    this.notify();
  }

  private closeSegment(): void {
    this.closePart();
    const segment = this.open;
    this.partChunks = [];
    this.partDuration = 0;
    if (!segment) return;
    this.open = null;
    if (segment.parts.length === 0) {
      this.nextMsn = segment.msn;
      return;
    }
    segment.data = Buffer.concat(segment.parts.map((p) => p.data));
    this.segments.push(segment);
    this.trim();
    this.notify();
  }

  /** Keeps `windowSegments` segments; part bytes only for the newest ~3 target durations plus slack. */
  private trim(): void {
    while (this.segments.length > this.timing.windowSegments) {
      if (this.segments.shift()!.discontinuity) this.droppedDiscontinuities += 1;
    }
    let age = 0;
    for (let i = this.segments.length - 1; i >= 0; i -= 1) {
      const segment = this.segments[i]!;
      age += segment.duration;
      if (age > this.timing.targetDuration * 6 && !segment.partsDropped) {
        segment.partsDropped = true;
        for (const part of segment.parts) part.data = Buffer.alloc(0);
      }
    }
  }
}
