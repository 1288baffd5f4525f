import type { ErrorData, HlsConfig } from 'hls.js';
import type Hls from 'hls.js';
import type { Player, PlayerDiagnostics, PlayerStart } from './player.ts';

/** How long to wait for the first frame before saying LL-HLS did not work here. */
const FIRST_FRAME_TIMEOUT_MS = 15_000;
/** Fatal network errors hls.js may recover from (the relay restarting, a blip) before giving up. */
const MAX_RECOVERIES = 3;
/**
 * How often the player checks that it plays at the target latency (hls.js's live sync position).
 * It never catches up to less than a cushion before the end of its buffer: a busy origin's parts
 * (200 ms) come up to a few hundred ms late, and a playhead that waits closer to the buffer's end
 * stalls on each of them (e2e trace: 0.05-0.2 s ahead after a jump, then 'waiting' for 0.1-1 s).
 * The cushion is the longest wait between two parts over the last CUSHION_MEMORY_MS, between
 * MIN_CUSHION_S and MAX_CUSHION_S: as a WebRTC jitter buffer, it costs latency only while the
 * parts come irregularly. Behind by less than JUMP_FROM_S, the player catches up by playing faster,
 * at 1 + the gap up to MAX_CATCH_UP_RATE (a seek decodes from the segment's keyframe: 130-900 ms
 * without a new frame on a busy machine); further behind (a long stall, the parts it missed
 * arriving together), it jumps.
 */
const CATCH_UP_CHECK_MS = 250;
const MIN_CUSHION_S = 0.4;
const MAX_CUSHION_S = 1;
const CUSHION_MEMORY_MS = 10_000;
const CATCH_UP_FROM_S = 0.1;
const JUMP_FROM_S = 0.75;
const MAX_CATCH_UP_RATE = 1.5;
/** How long a starting player may wait, hidden, for the live sync position to be buffered before it shows the picture. */
const START_CATCH_UP_MS = 1000;
/** How long playback must go without a stall before the latency a stall added is halved. */
const STALL_FORGIVE_MS = 3000;
/** A stall shorter than this (a hitch on a busy device) is not worth a spinner over the picture. */
const BUFFERING_AFTER_MS = 500;

/**
 * Low latency per REFERENCE.md: PART-HOLD-BACK drives the target (no liveSyncDuration), a small
 * step back after a stall, and a bounded back buffer for long shows. hls.js's own catch-up is off
 * (rate 1): it speeds up only with more than a second buffered and sets the rate back to 1 on every
 * 'timeupdate' otherwise, so the player's catch-up (up to MAX_CATCH_UP_RATE) owns the rate.
 */
export const LOW_LATENCY_CONFIG: Partial<HlsConfig> = {
  lowLatencyMode: true,
  maxLiveSyncPlaybackRate: 1,
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
  /** performance.now() of the last stall ('waiting' after the first frame). */
  private lastStallAt = 0;
  /** performance.now() of the parts hls.js buffered over the last CUSHION_MEMORY_MS. */
  private arrivals: number[] = [];

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
      hls.on(HlsClass.Events.FRAG_BUFFERED, (_event, data) => {
        if (data.frag.type === 'main') this.noteArrival();
      });
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
   * a stall it plays the parts that came late at 1x, seconds behind. The player catches up to the
   * live sync position instead, as far as it can while keeping its cushion buffered: faster playback
   * for a small gap, a jump for a large one. A shopper sees the show as it is, not as it was, and
   * does not see it stop at every late part.
   */
  private catchUp(): void {
    const { hls, video } = this;
    if (!hls || !video || video.seeking || isRecording(hls)) return;
    if (video.paused) {
      this.setRate(video, 1);
      return;
    }
    this.forgiveStalls(hls);
    const gain = catchUpGain(hls, video, this.cushion());
    if (gain >= JUMP_FROM_S) {
      this.setRate(video, 1);
      video.currentTime += gain;
    } else {
      this.setRate(video, gain >= CATCH_UP_FROM_S ? Math.min(MAX_CATCH_UP_RATE, 1 + gain) : 1);
    }
  }

  private noteArrival(): void {
    const now = performance.now();
    this.arrivals.push(now);
    while (this.arrivals.length > 2 && now - this.arrivals[0] > CUSHION_MEMORY_MS) this.arrivals.shift();
  }

  /** The longest wait between two parts lately (the wait for the next one included), within MIN_CUSHION_S..MAX_CUSHION_S. */
  private cushion(): number {
    const { arrivals } = this;
    let longest = arrivals.length > 0 ? performance.now() - arrivals[arrivals.length - 1] : 0;
    for (let i = 1; i < arrivals.length; i += 1) longest = Math.max(longest, arrivals[i] - arrivals[i - 1]);
    return Math.min(MAX_CUSHION_S, Math.max(MIN_CUSHION_S, longest / 1000));
  }

  /** Rates in steps of 0.05, so that a gap moving by a few ms does not change the rate at every check. */
  private setRate(video: HTMLVideoElement, rate: number): void {
    const rounded = Math.round(rate * 20) / 20;
    if (video.playbackRate !== rounded) video.playbackRate = rounded;
  }

  /**
   * A player starts behind: hls.js begins at its sync position as it was when the playlist loaded,
   * and the first frame comes later (seconds, when the show has only just started). Or it starts
   * too close to the end of its buffer, having played on while it waited, hidden, for its first
   * frame. Before the picture is shown (the element reveals it on 'playing'), the player moves to
   * the live sync position or, when the parts do not reach that far (after waiting up to
   * START_CATCH_UP_MS for them), to its cushion before the buffer's end, back if need be. So a shopper
   * never watches the first seconds late and then sees them skip, nor sees the picture stop as it
   * appears; the catch-up then plays the extra latency away as the parts come regularly again.
   */
  private async startAtLiveEdge(hls: Hls, video: HTMLVideoElement): Promise<void> {
    if (isRecording(hls)) return;
    const deadline = performance.now() + START_CATCH_UP_MS;
    while (!this.destroyed && performance.now() < deadline && catchUpGain(hls, video, this.cushion()) < behindLiveEdge(hls, video) - CATCH_UP_FROM_S) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (this.destroyed) return;
    const start = startPosition(hls, video, this.cushion());
    if (Math.abs(start - video.currentTime) < CATCH_UP_FROM_S) return;
    video.currentTime = start;
    // The element shows the picture on 'playing': only once a frame from the new position is presented.
    await new Promise<void>((resolve) => {
      video.requestVideoFrameCallback(() => resolve());
      setTimeout(resolve, START_CATCH_UP_MS);
    });
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

/** How far the playhead is behind hls.js's live sync position (its target latency), in seconds; 0 when not behind. */
function behindLiveEdge(hls: Hls, video: HTMLVideoElement): number {
  const target = hls.targetLatency;
  const sync = hls.liveSyncPosition;
  if (target === null || sync === null || sync <= video.currentTime) return 0;
  return Math.max(0, hls.latency - target);
}

/** How far the playhead may move towards the live sync position and still have `cushion` seconds buffered ahead. */
function catchUpGain(hls: Hls, video: HTMLVideoElement, cushion: number): number {
  const ranges = video.buffered;
  const bufferedEnd = ranges.length > 0 ? ranges.end(ranges.length - 1) : 0;
  return Math.max(0, Math.min(behindLiveEdge(hls, video), bufferedEnd - cushion - video.currentTime));
}

/**
 * Where a starting player should be: the live sync position, but at least `cushion` seconds before
 * the end of its buffer, and not before the start of the buffered range it plays in.
 */
function startPosition(hls: Hls, video: HTMLVideoElement, cushion: number): number {
  const now = video.currentTime;
  const ranges = video.buffered;
  if (ranges.length === 0) return now;
  let rangeStart = ranges.start(ranges.length - 1);
  for (let i = 0; i < ranges.length; i += 1) if (ranges.start(i) <= now && now <= ranges.end(i)) rangeStart = ranges.start(i);
  const sync = hls.liveSyncPosition ?? now;
  return Math.max(rangeStart, Math.min(sync, ranges.end(ranges.length - 1) - cushion));
}

const failure = (code: string, message: string) => Object.assign(new Error(message), { code });
