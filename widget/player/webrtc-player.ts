import type { RemoteTrack, Room } from 'livekit-client';
import { relayFetch, roomPath, type MintedToken } from '../relay/client.ts';
import type { Player, PlayerDiagnostics, PlayerStart } from './player.ts';

/** How long to wait for the first frame before saying WebRTC did not work here. */
const FIRST_FRAME_TIMEOUT_MS = 8000;
const STATS_INTERVAL_MS = 1000;

/**
 * The show over WebRTC through LiveKit. livekit-client is a separate chunk, fetched in parallel
 * with the viewer token only when a show is live, so the script tag stays small.
 */
export class WebRtcPlayer implements Player {
  readonly transport = 'webrtc' as const;
  private room: Room | null = null;
  private audio: HTMLAudioElement | null = null;
  private video: HTMLVideoElement | null = null;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private latencyMs: number | null = null;
  /** The jitter buffer's running totals at the last poll, to take the delay of the last interval. */
  private jitterBuffer = { delay: 0, emitted: 0 };
  private rendition: string | null = null;
  private firstFrameAt: number | null = null;
  private destroyed = false;

  async start(options: PlayerStart): Promise<void> {
    options.onStatus({ kind: 'connecting' });
    // Marks on the page's performance timeline show where time to first frame goes.
    performance.mark('live-shop:webrtc-start');
    const [lk, minted] = await Promise.all([
      import('livekit-client').then((module) => (performance.mark('live-shop:webrtc-engine-loaded'), module)),
      relayFetch<MintedToken>(options.server, `${roomPath(options.room)}/viewer-token`, { method: 'POST' }).then(
        (token) => (performance.mark('live-shop:webrtc-token'), token),
      ),
    ]);
    if (this.destroyed) return;
    const { Room, RoomEvent, Track, DisconnectReason } = lk;
    const room = new Room({ adaptiveStream: true, dynacast: true });
    this.room = room;
    this.video = options.video;
    this.audio = document.createElement('audio');
    this.audio.muted = options.muted;
    this.audio.autoplay = true;

    const attach = (track: RemoteTrack): void => {
      performance.mark(`live-shop:webrtc-subscribed-${track.kind}`);
      if (track.kind === Track.Kind.Video) track.attach(options.video);
      else if (track.kind === Track.Kind.Audio) track.attach(this.audio!);
    };
    room
      .on(RoomEvent.TrackSubscribed, attach)
      .on(RoomEvent.Reconnecting, () => options.onStatus({ kind: 'reconnecting' }))
      // Back to playing once a picture is on screen again, not when the signalling is: after a
      // server restart the host has to republish first.
      .on(RoomEvent.Reconnected, () => options.video.requestVideoFrameCallback(() => options.onStatus({ kind: 'playing' })))
      .on(RoomEvent.Disconnected, (reason) => {
        if (this.destroyed) return;
        if (reason === DisconnectReason.ROOM_DELETED) options.onStatus({ kind: 'ended' });
        else
          options.onStatus({
            kind: 'error',
            code: 'webrtc_disconnected',
            message: 'The live connection was lost.',
            fatal: true,
            fallback: true,
          });
      });

    const firstFrame = this.waitForFirstFrame(options.video);
    await room.connect(minted.livekitUrl, minted.token, { autoSubscribe: true });
    performance.mark('live-shop:webrtc-connected');
    for (const participant of room.remoteParticipants.values()) {
      for (const publication of participant.trackPublications.values()) if (publication.track) attach(publication.track);
    }
    await firstFrame;
    performance.mark('live-shop:webrtc-first-frame');
    this.firstFrameAt = performance.now();
    options.onStatus({ kind: 'playing' });
    this.statsTimer = setInterval(() => void this.pollStats(), STATS_INTERVAL_MS);
  }

  setMuted(muted: boolean): void {
    if (!this.audio) return;
    this.audio.muted = muted;
    if (!muted) void this.room?.startAudio();
  }

  playbackClock(): number | null {
    if (this.firstFrameAt === null) return null;
    return Date.now() - (this.latencyMs ?? 0);
  }

  diagnostics(): PlayerDiagnostics {
    return { transport: this.transport, latencyMs: this.latencyMs, rendition: this.rendition };
  }

  destroy(): void {
    this.destroyed = true;
    clearInterval(this.statsTimer);
    void this.room?.disconnect();
    this.room = null;
    if (this.video) this.video.srcObject = null;
    if (this.audio) this.audio.srcObject = null;
    this.audio = null;
  }

  private waitForFirstFrame(video: HTMLVideoElement): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(Object.assign(new Error('No picture arrived over WebRTC in time.'), { code: 'webrtc_no_media' }));
      }, FIRST_FRAME_TIMEOUT_MS);
      video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Latency estimate from the receiver's own figures: the jitter buffer's mean delay over the last
   * interval (not since the start, so an early spike does not linger) plus half the round trip.
   * Capture and encode time are not visible to a receiver; `bench:latency` measures the whole
   * glass-to-glass delay from the test pattern instead.
   */
  private async pollStats(): Promise<void> {
    const track = [...(this.room?.remoteParticipants.values() ?? [])]
      .flatMap((p) => [...p.videoTrackPublications.values()])
      .find((pub) => pub.track)?.track;
    const report = await track?.getRTCStatsReport();
    if (!report) return;
    let rtt = 0;
    let jitterMs: number | null = null;
    report.forEach((stat: Record<string, number & string>) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
        if (stat.frameWidth) this.rendition = `${stat.frameWidth}x${stat.frameHeight}`;
        const emitted = stat.jitterBufferEmittedCount - this.jitterBuffer.emitted;
        if (emitted > 0) jitterMs = (1000 * (stat.jitterBufferDelay - this.jitterBuffer.delay)) / emitted;
        this.jitterBuffer = { delay: stat.jitterBufferDelay ?? 0, emitted: stat.jitterBufferEmittedCount ?? 0 };
      }
      if (stat.type === 'candidate-pair' && stat.nominated && stat.currentRoundTripTime) rtt = stat.currentRoundTripTime * 1000;
    });
    if (jitterMs !== null) this.latencyMs = jitterMs + rtt / 2;
  }
}
