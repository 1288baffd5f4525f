import type { HlsOrigin } from '../hls/origin.ts';
import type { LiveKit } from '../livekit/livekit.ts';
import type { Rooms } from '../rooms/rooms.ts';
import { Encoder, TestPatternSource } from './encoder.ts';
import { ladderFor } from './ladder.ts';
import { LiveKitSource } from './livekit-source.ts';

/** Where the HLS picture comes from: the host in LiveKit, an ffmpeg test pattern, or nowhere. */
export type HlsSourceKind = 'livekit' | 'test-pattern' | 'off';

export interface IngestDeps {
  rooms: Rooms;
  origin: HlsOrigin;
  livekit: LiveKit;
  source: HlsSourceKind;
}

/** Frame rate of every rendition: the LiveKit source is resampled to it, dropping or repeating frames. */
export const INGEST_FPS = 30;
const TEST_PATTERN_SIZE = { width: 640, height: 360 };

interface RoomIngest {
  stop(): Promise<void>;
}

/**
 * Starts an HLS show when a room goes live and ends it when the show ends: the encoder is fed
 * by the room's host (a hidden LiveKit subscriber) or by a test pattern.
 */
export class Ingest {
  private readonly running = new Map<string, RoomIngest>();

  private unsubscribe: () => void = () => undefined;

  constructor(private readonly deps: IngestDeps) {}

  /** Follows the rooms from now on, starting those already live (a relay restarted mid-show). */
  run(): void {
    this.unsubscribe = this.deps.rooms.onStatus((room) => {
      if (room.status === 'live') this.start(room.name);
      else void this.stop(room.name);
    });
    for (const room of this.deps.rooms.list()) if (room.status === 'live') this.start(room.name);
  }

  private start(room: string): void {
    if (this.running.has(room) || this.deps.source === 'off') return;
    const { origin } = this.deps;
    const keyframeSeconds = origin.timing.targetDuration;
    if (this.deps.source === 'test-pattern') {
      const ladder = ladderFor(TEST_PATTERN_SIZE.width, TEST_PATTERN_SIZE.height, INGEST_FPS);
      const show = origin.open(room, ladder.map((r) => ({ name: r.name, bandwidth: bandwidth(r.videoKbps) })));
      const encoder = new Encoder(new TestPatternSource(TEST_PATTERN_SIZE.width, TEST_PATTERN_SIZE.height, INGEST_FPS), {
        show, ladder, fps: INGEST_FPS, keyframeSeconds,
      });
      encoder.start();
      this.running.set(room, { stop: () => encoder.stop() });
      return;
    }
    const source: LiveKitSource = new LiveKitSource({
      room,
      livekit: this.deps.livekit,
      fps: INGEST_FPS,
      onFirstFrame: (width, height): Encoder => {
        const ladder = ladderFor(width, height, INGEST_FPS);
        const show = origin.open(room, ladder.map((r) => ({ name: r.name, bandwidth: bandwidth(r.videoKbps) })));
        return new Encoder(source, { show, ladder, fps: INGEST_FPS, keyframeSeconds });
      },
    });
    source.start();
    this.running.set(room, { stop: () => source.stop() });
  }

  /** Ends the room's show: the encoder stops and the playlists get EXT-X-ENDLIST. */
  async stop(room: string): Promise<void> {
    const ingest = this.running.get(room);
    this.running.delete(room);
    await ingest?.stop();
    this.deps.origin.end(room);
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await Promise.all([...this.running.keys()].map((room) => this.stop(room)));
    this.deps.origin.close();
  }
}

/** BANDWIDTH: peak video plus audio, with 10% for the container. */
const bandwidth = (videoKbps: number) => Math.round((videoKbps + 96) * 1100);
