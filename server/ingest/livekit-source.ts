import {
  AudioStream, Room, RoomEvent, TrackKind, VideoBufferType, VideoStream, dispose,
  type RemoteParticipant, type RemoteTrack, type RemoteTrackPublication, type VideoFrame,
} from '@livekit/rtc-node';
import type { Writable } from 'node:stream';
import { HOST_IDENTITY_PREFIX, type LiveKit } from '../livekit/livekit.ts';
import type { Encoder, EncoderSource } from './encoder.ts';
import { fitI420, sameShape } from './i420.ts';

export interface LiveKitSourceOptions {
  room: string;
  livekit: LiveKit;
  fps: number;
  /** Called once the source size is known (announced by the host, or of the frames that arrive): returns the encoder. */
  onFirstFrame(width: number, height: number): Encoder;
}

const SAMPLE_RATE = 48_000;
/** Sound queued beyond this is dropped: latency must not build up behind a slow encoder. */
const MAX_AUDIO_QUEUE_MS = 200;
const RECONNECT_DELAY_MS = 2000;
const STOP_STEP_MS = 3000;

/** Waits for `work` at most `ms`; its failure or lateness is ignored. */
function bounded(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(work).then(() => undefined, () => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * rtc-node's native client keeps the process alive until `dispose()`; it is shared by the whole
 * process and starts again on first use after a dispose. So the last source to stop disposes it.
 */
let activeSources = 0;
async function releaseNative(): Promise<void> {
  activeSources -= 1;
  if (activeSources > 0) return;
  await dispose();
  (globalThis as { _ffiClientInstance?: unknown })._ffiClientInstance = undefined;
}

/**
 * The host's camera and microphone, taken from LiveKit by a hidden subscriber and written to
 * ffmpeg as raw I420 frames and s16 PCM at a steady frame rate. LiveKit never waits for us: the
 * newest frame is kept, a tick writes it (repeating it if none came), and the tick's picture is
 * dropped when ffmpeg has not read the last one yet.
 */
export class LiveKitSource implements EncoderSource {
  readonly raw = true;
  /** Ticks dropped because the encoder lagged. */
  droppedTicks = 0;

  private room: Room | null = null;
  private stopped = false;
  private latest: VideoFrame | null = null;
  private size: { width: number; height: number } | null = null;
  private encoder: Encoder | null = null;
  private video: Writable | null = null;
  private audio: Writable | null = null;
  private audioQueue: Buffer[] = [];
  private audioQueued = 0;
  private pacer: NodeJS.Timeout | null = null;
  private firstWrite = false;
  private pacerGeneration = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LiveKitSourceOptions) {}

  inputArgs(): string[] {
    const { width, height } = this.size!;
    return [
      // Video is stamped with the time ffmpeg reads it, so a dropped frame is a gap (filled by the
      // fps filter), not a shift of the picture against the sound.
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${width}x${height}`, '-framerate', String(this.options.fps),
      '-use_wallclock_as_timestamps', '1', '-i', 'pipe:0',
      '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:3',
    ];
  }

  start(): void {
    activeSources += 1;
    void this.connect();
  }

  attach(video: Writable, audio: Writable): void {
    this.firstWrite = true;
    this.video = video;
    this.audio = audio;
    this.audioQueue = [];
    this.audioQueued = 0;
    this.startPacer();
  }

  detach(): void {
    this.pacerGeneration += 1;
    this.video = null;
    this.audio = null;
    if (this.pacer) clearTimeout(this.pacer);
    this.pacer = null;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.encoder?.stop();
    this.detach();
    const room = this.room;
    this.room = null;
    // Neither a LiveKit that already closed the room nor the native client may hold up shutdown.
    await bounded(room?.disconnect(), STOP_STEP_MS);
    await bounded(releaseNative(), STOP_STEP_MS);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const room = new Room();
    this.room = room;
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, publication: RemoteTrackPublication, participant: RemoteParticipant) => {
      if (!participant.identity.startsWith(HOST_IDENTITY_PREFIX)) return;
      const announced = publication.width && publication.height ? { width: publication.width & ~1, height: publication.height & ~1 } : null;
      if (track.kind === TrackKind.KIND_VIDEO) void this.readVideo(track, announced);
      else if (track.kind === TrackKind.KIND_AUDIO) void this.readAudio(track);
    });
    room.on(RoomEvent.Disconnected, () => this.scheduleReconnect(room));
    try {
      const { token, livekitUrl } = await this.options.livekit.ingestToken(this.options.room);
      await room.connect(livekitUrl, token, { autoSubscribe: true, dynacast: false });
    } catch (error) {
      console.error(`[ingest] joining room ${this.options.room} failed: ${(error as Error).message}`);
      this.scheduleReconnect(room);
    }
  }

  private scheduleReconnect(room: Room): void {
    if (this.stopped || this.room !== room || this.reconnectTimer) return;
    this.room = null;
    void room.disconnect().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, RECONNECT_DELAY_MS);
  }

  /**
   * The SFU starts a new subscriber on a low simulcast layer and moves up as bandwidth allows, so
   * the encoder's input and ladder take the size the host announced, and it starts with the first
   * frame, of whatever layer: tick() fits smaller layers to that size.
   */
  private async readVideo(track: RemoteTrack, announced: { width: number; height: number } | null): Promise<void> {
    for await (const event of new VideoStream(track)) {
      if (this.stopped) break;
      this.latest = event.frame;
      if (this.encoder) continue;
      this.size = announced ?? evenSize(event.frame);
      this.encoder = this.options.onFirstFrame(this.size.width, this.size.height);
      this.encoder.start();
    }
  }

  private async readAudio(track: RemoteTrack): Promise<void> {
    const maxBytes = (SAMPLE_RATE * 2 * MAX_AUDIO_QUEUE_MS) / 1000;
    for await (const frame of new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 })) {
      if (this.stopped) break;
      if (!this.audio) continue;
      const pcm = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
      this.audioQueue.push(Buffer.from(pcm));
      this.audioQueued += pcm.length;
      while (this.audioQueued > maxBytes && this.audioQueue.length > 1) this.audioQueued -= this.audioQueue.shift()!.length;
    }
  }

  /**
   * Ticks at the output frame rate on a drift-free schedule. A tick may restart the encoder,
   * which detaches and attaches (starting a new schedule): the old schedule then stops itself.
   */
  private startPacer(): void {
    const period = 1000 / this.options.fps;
    const started = performance.now();
    const schedule = ++this.pacerGeneration;
    let tick = 0;
    const run = () => {
      if (schedule !== this.pacerGeneration || !this.video) return;
      this.tick();
      if (schedule !== this.pacerGeneration || !this.video) return;
      tick += 1;
      this.pacer = setTimeout(run, Math.max(0, started + tick * period - performance.now()));
    };
    run();
  }

  private tick(): void {
    const frame = this.latest;
    if (!frame || !this.video || !this.audio || !this.size) return;
    const size = evenSize(frame);
    if (!sameShape(size, this.size) || size.width > this.size.width || size.height > this.size.height) {
      // The host's picture changed shape (a phone turned) or outgrew the encoder's input: a new
      // encoder run, a discontinuity in the playlists. A smaller layer of the same shape is fitted.
      console.error(`[ingest] room ${this.options.room}: the host's picture went from ${this.size.width}x${this.size.height} to ${size.width}x${size.height}; restarting the encoder`);
      this.size = size;
      this.encoder?.restart();
      return;
    }
    const frameBytes = this.size.width * this.size.height * 1.5;
    const audioBytes = Math.round(SAMPLE_RATE / this.options.fps) * 2;
    // Sound is always written (ffmpeg reads both inputs in turn; starving one stalls the other),
    // unless a whole second of it is already waiting.
    const sound = this.takeAudio(audioBytes);
    if (this.audio.writableLength < audioBytes * this.options.fps) this.audio.write(sound);
    if (this.video.writableLength >= frameBytes) {
      this.droppedTicks += 1;
      return;
    }
    // Decoded frames are I420 already: converting would cross the FFI and copy the picture twice.
    this.video.write(fitI420(frame.type === VideoBufferType.I420 ? frame : frame.convert(VideoBufferType.I420), this.size));
    if (this.firstWrite) {
      // ffmpeg stamps video with the time it reads it: this first frame is media time 0.
      this.firstWrite = false;
      this.encoder?.markStart(Date.now());
    }
  }

  /** Exactly `bytes` of queued sound, padded with silence when the host sent less. */
  private takeAudio(bytes: number): Buffer {
    const out = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes && this.audioQueue.length > 0) {
      const head = this.audioQueue[0]!;
      const take = Math.min(head.length, bytes - filled);
      head.copy(out, filled, 0, take);
      filled += take;
      if (take === head.length) this.audioQueue.shift();
      else this.audioQueue[0] = head.subarray(take);
      this.audioQueued -= take;
    }
    return out;
  }
}

const evenSize = (frame: VideoFrame) => ({ width: frame.width & ~1, height: frame.height & ~1 });
