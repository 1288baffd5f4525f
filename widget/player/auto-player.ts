import { relayFetch, roomPath, type RoomInfo } from '../relay/client.ts';
import { HlsPlayer } from './hls-player.ts';
import type { Player, PlayerDiagnostics, PlayerStart, PlayerStatus, Transport } from './player.ts';
import { WebRtcPlayer } from './webrtc-player.ts';

export interface AutoPlayerOptions {
  /** WebRTC must show a first frame within this time, or LL-HLS takes over. */
  webrtcConnectTimeoutMs: number;
  /** A WebRTC connection "reconnecting" for longer than this moves to LL-HLS. */
  webrtcRecoveryTimeoutMs: number;
  createWebRtc(): Player;
  createHls(): Player;
}

export const AUTO_DEFAULTS: AutoPlayerOptions = {
  webrtcConnectTimeoutMs: 5000,
  webrtcRecoveryTimeoutMs: 8000,
  createWebRtc: () => new WebRtcPlayer(),
  createHls: () => new HlsPlayer(),
};

/**
 * `transport="auto"`: WebRTC first, LL-HLS when WebRTC cannot work here. It switches when the
 * relay says the room's WebRTC is full, when the browser has no WebRTC, when WebRTC shows no
 * picture within a bounded time (blocked UDP, ICE failure), and when a playing WebRTC connection
 * drops and does not recover. The element keeps its chat and products: only the picture moves.
 */
export class AutoPlayer implements Player {
  private current: Player | null = null;
  private options: PlayerStart | null = null;
  private destroyed = false;
  private recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  /** WebRTC showed its first picture: from then on a drop that does not recover moves to LL-HLS. */
  private webrtcPlaying = false;
  private readonly settings: AutoPlayerOptions;

  constructor(settings: Partial<AutoPlayerOptions> = {}) {
    this.settings = { ...AUTO_DEFAULTS, ...settings };
  }

  get transport(): Transport {
    return this.current?.transport ?? 'webrtc';
  }

  async start(options: PlayerStart): Promise<void> {
    this.options = options;
    options.onStatus({ kind: 'connecting' });
    const info = await relayFetch<RoomInfo>(options.server, roomPath(options.room)).catch(() => null);
    if (this.destroyed) return;
    const offered = info?.player.transports ?? ['webrtc'];
    const hlsOffered = offered.includes('hls');
    const webrtcUsable = offered.includes('webrtc') && typeof window.RTCPeerConnection === 'function';
    if (!webrtcUsable && hlsOffered) return this.startHls();
    if (!hlsOffered) return this.run(this.settings.createWebRtc(), options.onStatus);

    const webrtc = this.settings.createWebRtc();
    try {
      await withTimeout(this.run(webrtc, (status) => this.fromWebRtc(webrtc, status)), this.settings.webrtcConnectTimeoutMs);
      this.webrtcPlaying = true;
    } catch {
      if (this.destroyed) return;
      await this.startHls();
    }
  }

  setMuted(muted: boolean): void {
    if (this.options) this.options.muted = muted;
    this.current?.setMuted(muted);
  }

  playbackClock(): number | null {
    return this.current?.playbackClock() ?? null;
  }

  diagnostics(): PlayerDiagnostics {
    return this.current?.diagnostics() ?? { transport: this.transport, latencyMs: null, rendition: null };
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.recoveryTimer);
    this.current?.destroy();
    this.current = null;
  }

  private run(player: Player, onStatus: (status: PlayerStatus) => void): Promise<void> {
    this.current?.destroy();
    this.current = player;
    return player.start({ ...this.options!, onStatus: (status) => {
      if (this.current === player && !this.destroyed) onStatus(status);
    } });
  }

  private startHls(): Promise<void> {
    clearTimeout(this.recoveryTimer);
    return this.run(this.settings.createHls(), this.options!.onStatus);
  }

  /** WebRTC's reports pass through, except a drop that does not recover: that moves to LL-HLS. */
  private fromWebRtc(player: Player, status: PlayerStatus): void {
    const report = this.options!.onStatus;
    // Before the first picture, a failure rejects start() and the caller there moves to LL-HLS.
    if (!this.webrtcPlaying && status.kind === 'error') return;
    if (status.kind === 'reconnecting') {
      clearTimeout(this.recoveryTimer);
      this.recoveryTimer = setTimeout(() => {
        if (this.current === player) this.fallBack();
      }, this.settings.webrtcRecoveryTimeoutMs);
    } else if (status.kind === 'playing') {
      clearTimeout(this.recoveryTimer);
    } else if (status.kind === 'error' && status.fallback) {
      this.fallBack();
      return;
    }
    report(status);
  }

  private fallBack(): void {
    if (this.destroyed) return;
    this.options!.onStatus({ kind: 'reconnecting' });
    this.startHls().catch((error: Error & { code?: string }) => {
      this.options?.onStatus({ kind: 'error', code: error.code ?? 'hls_failed', message: error.message, fatal: true, fallback: false });
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no picture within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
