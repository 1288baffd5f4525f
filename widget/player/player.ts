/**
 * The seam between the shopper's element and a video transport. WebRTC (LiveKit) and LL-HLS
 * (hls.js or the browser's own HLS) implement it, and one contract suite tests both.
 */
export type Transport = 'webrtc' | 'hls';

/** What the player reports; the element turns these into its public `state`. */
export type PlayerStatus =
  | { kind: 'connecting' }
  | { kind: 'playing' }
  | { kind: 'buffering' }
  | { kind: 'reconnecting' }
  /** The transport itself says the show is over (room closed, ENDLIST reached). */
  | { kind: 'ended' }
  /** `fatal` errors stop the player; `fallback` says another transport may still work. */
  | { kind: 'error'; code: string; message: string; fatal: boolean; fallback: boolean };

export interface PlayerStart {
  /** The relay's base URL. */
  server: string;
  room: string;
  /** The element the picture (and, for HLS, the sound) plays in; the player owns its source. */
  video: HTMLVideoElement;
  /** Sound starts muted (autoplay rules); `setMuted(false)` after a user gesture. */
  muted: boolean;
  onStatus(status: PlayerStatus): void;
}

export interface PlayerDiagnostics {
  transport: Transport;
  /** Estimated delay from capture to display, in ms, where the transport knows it. */
  latencyMs: number | null;
  /** The rendition or simulcast layer being shown, e.g. "1280x720". */
  rendition: string | null;
}

export interface Player {
  readonly transport: Transport;
  /** Connects and starts playback; resolves once the first frame can be shown, rejects on failure. */
  start(options: PlayerStart): Promise<void>;
  setMuted(muted: boolean): void;
  /**
   * The capture wall-clock time (epoch ms) of the frame on screen now, or null before the first
   * frame. Video-synced events (product pins) are shown when this clock reaches their time.
   */
  playbackClock(): number | null;
  diagnostics(): PlayerDiagnostics;
  /** Releases everything the player created: connections, media elements' sources, timers. */
  destroy(): void;
}
