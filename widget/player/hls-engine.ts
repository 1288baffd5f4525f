import type { ErrorData, HlsConfig } from 'hls.js';
import type Hls from 'hls.js';
import type { Player, PlayerDiagnostics, PlayerStart } from './player.ts';

/** How long to wait for the first frame before saying LL-HLS did not work here. */
const FIRST_FRAME_TIMEOUT_MS = 15_000;
/** Fatal network errors hls.js may recover from (the relay restarting, a blip) before giving up. */
const MAX_RECOVERIES = 3;
/**
 * How often the player checks that it plays at the target latency, and how far behind it may fall:
 * beyond CATCH_UP_BEYOND_S for two checks in a row (drift), or beyond CATCH_UP_AT_ONCE_S once (a
 * stall that has just ended, with the parts it missed arriving together).
 */
const CATCH_UP_CHECK_MS = 250;
const CATCH_UP_BEYOND_S = 0.25;
const CATCH_UP_AT_ONCE_S = 0.5;
/** How long a starting player may wait, hidden, for the live sync position to be buffered before it shows the picture. */
const START_CATCH_UP_MS = 1000;
/** How long playback must go without a stall before the latency a stall added is halved. */
const STALL_FORGIVE_MS = 3000;
/** A stall shorter than this (a hitch on a busy device) is not worth a spinner over the picture. */
const BUFFERING_AFTER_MS = 500;

/**
 * Low latency per REFERENCE.md: PART-HOLD-BACK drives the target (no liveSyncDuration), catch up
 * at up to 1.5x, a small step back after a stall, and a bounded back buffer for long shows.
 */
export const LOW_LATENCY_CONFIG: Partial<HlsConfig> = {
  lowLatencyMode: true,
  maxLiveSyncPlaybackRate: 1.5,
  liveSyncOnStallIncrease: 0.1,
  backBufferLength: 30,
  enableWorker: true,
};

/**
 * The LL-HLS player behind `HlsPlayer` (hls-player.ts), in its own chunk: hls.js where the browser
 * has MSE, the browser's own HLS where it does not (iOS Safari).
 */
export class HlsEngine implements Omit<Player, 'start'> {
  readonly transport = 'hls' as const;
  private hls: Hls | null = null;
  private video: HTMLVideoElement | null = null;
  private destroyed = false;
  private started = false;
  private recoveries = 0;
  private readonly cleanups: (() => void)[] = [];
  /** Rejects start() when a fatal error comes before the first frame. */
  private failStart: ((error: Error) => void) | null = null;
  private behindChecks = 0;
  /** performance.now() of the last stall ('waiting' after the first frame). */
  private lastStallAt = 0;

  /** `HlsClass` is hls.js, loaded by the caller in parallel with this module; null without MSE. */
  async start(options: PlayerStart, url: string, HlsClass: typeof Hls | null = null): Promise<void> {
    const video = options.video;
    this.video = video;
    video.muted = options.muted;
    const firstFrame = Promise.race([
      this.waitForFirstFrame(video),
      new Promise<never>((_, reject) => {
        this.failStart = reject;
      }),
    ]);
    firstFrame.catch(() => undefined);
    this.watchVideo(video, options);

    if (HlsClass) {
      if (!HlsClass.isSupported()) throw failure('hls_unsupported', 'This browser cannot play the live stream.');
      const hls = new HlsClass(LOW_LATENCY_CONFIG);
      this.hls = hls;
      hls.on(HlsClass.Events.ERROR, (_event, data) => this.onError(HlsClass, data, options));
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    } else {
      throw failure('hls_unsupported', 'This browser cannot play the live stream.');
    }
    void video.play().catch(() => undefined);
    await firstFrame;
    if (this.hls) await this.startAtLiveEdge(this.hls, video);
    this.started = true;
    if (this.hls) {
      const timer = setInterval(() => this.catchUp(), CATCH_UP_CHECK_MS);
      this.cleanups.push(() => clearInterval(timer));
    }
    options.onStatus({ kind: 'playing' });
  }

  setMuted(muted: boolean): void {
    if (this.video) this.video.muted = muted;
  }

  playbackClock(): number | null {
    if (!this.started || !this.video) return null;
    if (this.hls) return this.hls.playingDate?.getTime() ?? null;
    // Safari's native HLS exposes EXT-X-PROGRAM-DATE-TIME through getStartDate().
    const start = (this.video as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.().getTime();
    return start && Number.isFinite(start) ? start + this.video.currentTime * 1000 : null;
  }

  diagnostics(): PlayerDiagnostics {
    const clock = this.playbackClock();
    const level = this.hls && this.hls.currentLevel >= 0 ? this.hls.levels[this.hls.currentLevel] : undefined;
    const video = this.video;
    const rendition = level ? `${level.width}x${level.height}` : video?.videoWidth ? `${video.videoWidth}x${video.videoHeight}` : null;
    return { transport: this.transport, latencyMs: clock === null ? null : Math.max(0, Date.now() - clock), rendition };
  }

  destroy(): void {
    this.destroyed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.hls?.destroy();
    this.hls = null;
    if (this.video) {
      this.video.removeAttribute('src');
      this.video.load();
    }
    this.video = null;
  }

  /**
   * hls.js speeds playback up only with more than a second buffered, which a sub-second target
   * never has, so a viewer that starts or drifts behind PART-HOLD-BACK would stay behind; and after
   * a stall it plays the parts that came late at 1x (or up to 1.5x), seconds behind. The player
   * jumps to the live sync position (which is already buffered) instead, as WebRTC drops late
   * frames: a shopper sees the show as it is, not as it was.
   */
  private catchUp(): void {
    const { hls, video } = this;
    if (!hls || !video || video.paused || video.seeking || isRecording(hls)) return;
    this.forgiveStalls(hls);
    const gap = behindLiveEdge(hls, video);
    if (!gap) {
      this.behindChecks = 0;
      return;
    }
    this.behindChecks += 1;
    if ((this.behindChecks >= 2 || gap.behind >= CATCH_UP_AT_ONCE_S) && gap.buffered) {
      video.currentTime = gap.sync;
      this.behindChecks = 0;
    }
  }

  /**
   * A player starts behind: hls.js begins at its sync position as it was when the playlist loaded,
   * and the first frame comes later (seconds, when the show has only just started). Before the
   * picture is shown (the element reveals it on 'playing'), the player jumps to the live sync
   * position: at once when that is buffered, else after waiting START_CATCH_UP_MS for it, when
   * hls.js then loads it (from its segment's keyframe). So a shopper never watches the first
   * seconds late and then sees them skip.
   */
  private async startAtLiveEdge(hls: Hls, video: HTMLVideoElement): Promise<void> {
    const deadline = performance.now() + START_CATCH_UP_MS;
    while (!this.destroyed) {
      const gap = isRecording(hls) ? null : behindLiveEdge(hls, video);
      if (!gap) return;
      if (gap.buffered || performance.now() >= deadline) {
        video.currentTime = gap.sync;
        await new Promise<void>((resolve) => {
          video.addEventListener('seeked', () => resolve(), { once: true });
          setTimeout(resolve, START_CATCH_UP_MS);
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * hls.js adds liveSyncOnStallIncrease to its target latency on every stall and never takes it
   * back (up to a target duration): on a busy machine a few stalls left a viewer a second behind
   * for the rest of the show (bench:latency --series: 8 stalls, 0.9 s buffered ahead, p95 up by
   * the same). After STALL_FORGIVE_MS without a stall the added part is halved, down to
   * PART-HOLD-BACK; setting the target also restarts hls.js's stall count.
   */
  private forgiveStalls(hls: Hls): void {
    const target = hls.targetLatency;
    const base = hls.levels[hls.currentLevel]?.details?.partHoldBack;
    if (target === null || !base || target - base < 0.01 || performance.now() - this.lastStallAt < STALL_FORGIVE_MS) return;
    const excess = (target - base) / 2;
    hls.targetLatency = excess < 0.05 ? base : base + excess;
    this.lastStallAt = performance.now();
  }

  private onError(HlsClass: typeof Hls, data: ErrorData, options: PlayerStart): void {
    if (this.destroyed || !data.fatal) return;
    if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && this.recoveries < MAX_RECOVERIES) {
      this.recoveries += 1;
      this.hls?.recoverMediaError();
      return;
    }
    if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR && this.recoveries < MAX_RECOVERIES && this.started) {
      this.recoveries += 1;
      options.onStatus({ kind: 'reconnecting' });
      this.hls?.startLoad();
      return;
    }
    const status = data.response?.code;
    if (!this.started && this.failStart) {
      const code = status === 404 ? 'hls_not_found' : `hls_${data.type}`;
      this.failStart(failure(code, status === 404 ? 'The live stream is not available.' : 'The live stream could not be loaded.'));
      return;
    }
    options.onStatus({
      kind: 'error',
      code: status === 404 ? 'hls_not_found' : `hls_${data.type}`,
      message: status === 404 ? 'The live stream is not available.' : 'The live stream stopped.',
      fatal: true,
      fallback: false,
    });
  }

  /** Stalls of more than BUFFERING_AFTER_MS become `buffering`, resuming becomes `playing`, the end of an ENDLIST playlist `ended`. */
  private watchVideo(video: HTMLVideoElement, options: PlayerStart): void {
    const on = (type: string, handler: () => void) => {
      video.addEventListener(type, handler);
      this.cleanups.push(() => video.removeEventListener(type, handler));
    };
    let stall: ReturnType<typeof setTimeout> | undefined;
    this.cleanups.push(() => clearTimeout(stall));
    on('waiting', () => {
      // A seek waits for its keyframe to decode: the player's own jumps to the live edge are not stalls.
      if (video.seeking) return;
      this.lastStallAt = performance.now();
      clearTimeout(stall);
      stall = setTimeout(() => {
        if (this.started && !this.destroyed && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) options.onStatus({ kind: 'buffering' });
      }, BUFFERING_AFTER_MS);
    });
    on('playing', () => {
      clearTimeout(stall);
      if (this.started && !this.destroyed) {
        this.recoveries = 0;
        options.onStatus({ kind: 'playing' });
        this.catchUp();
      }
    });
    on('ended', () => {
      if (!this.destroyed) options.onStatus({ kind: 'ended' });
    });
  }

  private waitForFirstFrame(video: HTMLVideoElement): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(failure('hls_no_media', 'No picture arrived over LL-HLS in time.')), FIRST_FRAME_TIMEOUT_MS);
      this.cleanups.push(() => clearTimeout(timer));
      video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * A recording (ENDLIST) has no live edge to keep up with: hls.js still reports one, from its
 * PROGRAM-DATE-TIME against the wall clock, and jumping to it would skip the whole replay.
 */
const isRecording = (hls: Hls) => hls.levels[hls.currentLevel]?.details?.live === false;

/**
 * How far the playhead is behind hls.js's live sync position (beyond its target latency), and
 * whether that position is already buffered; null when it is not more than CATCH_UP_BEYOND_S behind.
 */
function behindLiveEdge(hls: Hls, video: HTMLVideoElement): { sync: number; behind: number; buffered: boolean } | null {
  const target = hls.targetLatency;
  const sync = hls.liveSyncPosition;
  if (target === null || sync === null || sync <= video.currentTime) return null;
  const behind = hls.latency - target;
  if (behind < CATCH_UP_BEYOND_S) return null;
  const bufferedEnd = video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : 0;
  return { sync, behind, buffered: sync < bufferedEnd - 0.05 };
}

const failure = (code: string, message: string) => Object.assign(new Error(message), { code });
