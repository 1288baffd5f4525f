import type Hls from 'hls.js';
import { roomPath } from '../relay/client.ts';
import type { HlsEngine } from './hls-engine.ts';
import type { Player, PlayerDiagnostics, PlayerStart } from './player.ts';

/** The room's multivariant playlist on the relay. */
export const hlsUrlFor = (server: string, room: string) => `${server}${roomPath(room)}/hls/index.m3u8`;

/**
 * The show over LL-HLS from the relay. Only this small facade is in the script tag: the player
 * (hls-engine.ts) and hls.js's light build are separate chunks, fetched in parallel when this
 * path is taken; without MSE (iOS Safari) hls.js is not fetched and the browser's HLS plays.
 */
export class HlsPlayer implements Player {
  readonly transport = 'hls' as const;
  private engine: HlsEngine | null = null;

  /** `url`: a playlist to play instead of the room's live one (a replay). */
  constructor(private readonly url: string | null = null) {}

  private destroyed = false;
  private muted: boolean | null = null;

  async start(options: PlayerStart): Promise<void> {
    options.onStatus({ kind: 'connecting' });
    const [{ HlsEngine }, hls] = await Promise.all([
      import('./hls-engine.ts'),
      hasMediaSource() ? (import('hls.js/light') as Promise<{ default: typeof Hls }>) : Promise.resolve(null),
    ]);
    if (this.destroyed) return;
    const engine = new HlsEngine();
    this.engine = engine;
    await engine.start({ ...options, muted: this.muted ?? options.muted }, this.url ?? hlsUrlFor(options.server, options.room), hls?.default ?? null);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.engine?.setMuted(muted);
  }

  playbackClock(): number | null {
    return this.engine?.playbackClock() ?? null;
  }

  diagnostics(): PlayerDiagnostics {
    return this.engine?.diagnostics() ?? { transport: this.transport, latencyMs: null, rendition: null };
  }

  destroy(): void {
    this.destroyed = true;
    this.engine?.destroy();
    this.engine = null;
  }
}

function hasMediaSource(): boolean {
  const scope = window as unknown as Record<string, unknown>;
  return typeof scope.MediaSource === 'function' || typeof scope.ManagedMediaSource === 'function';
}
