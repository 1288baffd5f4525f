import type { LocalTrackPublication, Room } from 'livekit-client';
import { relayFetch, roomPath, type MintedToken } from '../relay/client.ts';

/** One simulcast layer as the encoder reports it. */
export interface PublishedLayer {
  rid: string;
  width: number;
  height: number;
  framesPerSecond: number;
  bitrateKbps: number;
}

/**
 * The host's side of the LiveKit room: publishes the camera and microphone tracks it is given
 * (camera in three simulcast layers) and swaps them in place when the host picks another device.
 */
export class Publisher {
  private room: Room | null = null;
  private video: LocalTrackPublication | undefined;
  private audio: LocalTrackPublication | undefined;
  private lastBytes = new Map<string, { bytes: number; at: number }>();

  constructor(
    private readonly server: string,
    private readonly roomName: string,
    private readonly hostKey: string,
  ) {}

  get connected(): boolean {
    return this.room !== null;
  }

  async publish(
    video: MediaStreamTrack | undefined,
    audio: MediaStreamTrack | undefined,
    events: { onDisconnect(reason: string): void; onReconnecting(): void; onReconnected(): void },
  ): Promise<void> {
    const [lk, minted] = await Promise.all([
      import('livekit-client'),
      relayFetch<MintedToken>(this.server, `${roomPath(this.roomName)}/host-token`, { method: 'POST', hostKey: this.hostKey }),
    ]);
    const { Room, RoomEvent, Track, VideoPresets } = lk;
    // Every layer stays encoded even with nobody watching it: a joining viewer then gets a picture
    // at once, instead of waiting for the host to resume a paused layer and send a keyframe.
    const room = new Room({ dynacast: false });
    room
      .on(RoomEvent.Disconnected, (reason) => {
        if (this.room === room) events.onDisconnect(String(reason ?? 'unknown'));
      })
      .on(RoomEvent.Reconnecting, () => events.onReconnecting())
      .on(RoomEvent.Reconnected, () => events.onReconnected());
    await room.connect(minted.livekitUrl, minted.token);
    this.room = room;
    if (video) {
      const settings = video.getSettings();
      this.video = await room.localParticipant.publishTrack(video, {
        source: Track.Source.Camera,
        simulcast: true,
        videoEncoding: { maxBitrate: 2_500_000, maxFramerate: settings.frameRate ?? 30 },
        videoSimulcastLayers: [VideoPresets.h180, VideoPresets.h360],
      });
    }
    if (audio) {
      this.audio = await room.localParticipant.publishTrack(audio, { source: Track.Source.Microphone, dtx: true, red: true });
    }
  }

  /** Puts a new camera or microphone track on air without republishing. */
  async replace(kind: 'video' | 'audio', track: MediaStreamTrack): Promise<void> {
    const publication = kind === 'video' ? this.video : this.audio;
    await publication?.track?.replaceTrack(track, true);
  }

  /** What the encoder sends now, one entry per simulcast layer, highest first. */
  async layers(): Promise<PublishedLayer[]> {
    const report = await this.video?.track?.getRTCStatsReport();
    if (!report) return [];
    const now = performance.now();
    const layers: PublishedLayer[] = [];
    report.forEach((stat: Record<string, number & string>) => {
      if (stat.type !== 'outbound-rtp' || stat.kind !== 'video' || !stat.frameWidth) return;
      const key = stat.rid ?? stat.ssrc;
      const previous = this.lastBytes.get(key);
      const bitrateKbps = previous ? ((stat.bytesSent - previous.bytes) * 8) / (now - previous.at) : 0;
      this.lastBytes.set(key, { bytes: stat.bytesSent, at: now });
      layers.push({ rid: String(key), width: stat.frameWidth, height: stat.frameHeight, framesPerSecond: stat.framesPerSecond ?? 0, bitrateKbps });
    });
    return layers.sort((a, b) => b.width - a.width);
  }

  async end(): Promise<void> {
    await relayFetch(this.server, `${roomPath(this.roomName)}/end`, { method: 'POST', hostKey: this.hostKey });
    await this.disconnect();
  }

  async disconnect(): Promise<void> {
    const room = this.room;
    this.room = null;
    this.video = undefined;
    this.audio = undefined;
    await room?.disconnect(false);
  }
}
