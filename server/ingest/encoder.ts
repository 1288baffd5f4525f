import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Show } from '../hls/origin.ts';
import { AUDIO_KBPS, type Rung } from './ladder.ts';

/** Where the encoder's picture and sound come from. Video is ffmpeg input 0, audio input 1. */
export interface EncoderSource {
  /** ffmpeg input arguments; raw sources read video from `pipe:0` and audio from `pipe:3`. */
  inputArgs(): string[];
  /** True when the source writes raw frames into the encoder's pipes. */
  readonly raw: boolean;
  /** Called for every encoder run with its input pipes (raw sources only). */
  attach?(video: Writable, audio: Writable): void;
  detach?(): void;
}

export interface EncoderOptions {
  show: Show;
  ladder: Rung[];
  fps: number;
  /** Keyframe interval in seconds: the segment target duration. */
  keyframeSeconds: number;
  ffmpeg?: string;
}

const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 5000;

/**
 * Runs ffmpeg (x264 zero-latency + AAC) for the whole ladder in one process, one fragmented MP4
 * output per rendition on its own pipe, and feeds each rendition of the show. If ffmpeg dies it
 * is started again: the renditions begin a new run, so the playlist gets a discontinuity and
 * goes on. `restart()` does the same on purpose (source resolution changed).
 */
export class Encoder {
  private child: ChildProcess | null = null;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  /** Number of ffmpeg runs so far (1 after the first start). */
  runs = 0;
  private stderrTail: string[] = [];

  constructor(
    private readonly source: EncoderSource,
    private readonly options: EncoderOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.launch();
  }

  /** Ends the current run and starts a new one at once (a discontinuity in the playlist). */
  restart(): void {
    const running = this.child;
    this.child = null;
    this.source.detach?.();
    running?.removeAllListeners('exit');
    running?.kill('SIGKILL');
    if (!this.stopped) this.launch();
  }

  /** The source wrote the run's first frame at `at` (epoch ms): that is media time 0, for PROGRAM-DATE-TIME. */
  markStart(at: number): void {
    for (const rendition of this.options.show.renditions) rendition.setClockOrigin(at);
  }

  /** The process id of the running ffmpeg, or null. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.source.detach?.();
    const running = this.child;
    this.child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private launch(): void {
    const { show, ladder } = this.options;
    const outputFd = this.source.raw ? 4 : 3;
    const stdio: ('pipe' | 'ignore')[] = [this.source.raw ? 'pipe' : 'ignore', 'ignore', 'pipe'];
    if (this.source.raw) stdio.push('pipe');
    for (let i = 0; i < ladder.length; i += 1) stdio.push('pipe');
    const child = spawn(this.options.ffmpeg ?? 'ffmpeg', this.args(outputFd), { stdio });
    this.child = child;
    this.runs += 1;
    const startedAt = Date.now();
    for (const rendition of show.renditions) rendition.beginRun(startedAt);
    ladder.forEach((rung, i) => {
      const output = child.stdio[outputFd + i] as Readable;
      const rendition = show.rendition(rung.name)!;
      output.on('data', (chunk: Buffer) => {
        if (this.child === child) rendition.push(chunk);
      });
      output.on('error', () => undefined);
    });
    this.stderrTail = [];
    (child.stderr as Readable).on('data', (chunk: Buffer) => {
      this.stderrTail = [...this.stderrTail, ...chunk.toString().split('\n').filter(Boolean)].slice(-8);
    });
    if (this.source.raw) {
      const video = child.stdin!;
      const audio = child.stdio[3] as Writable;
      video.on('error', () => undefined);
      audio.on('error', () => undefined);
      this.source.attach?.(video, audio);
    }
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.source.detach?.();
      if (this.stopped) return;
      this.failures = Date.now() - startedAt > 10_000 ? 1 : this.failures + 1;
      const delay = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * this.failures);
      console.error(`[ingest] ffmpeg for room ${show.room} exited (${signal ?? code}); restarting in ${delay} ms. ${this.stderrTail.join(' | ')}`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (!this.stopped) this.launch();
      }, delay);
    });
  }

  private args(outputFd: number): string[] {
    const { ladder, fps, keyframeSeconds } = this.options;
    const gop = Math.round(fps * keyframeSeconds);
    const split = `[0:v]fps=${fps},split=${ladder.length}${ladder.map((_, i) => `[s${i}]`).join('')}`;
    const scales = ladder.map(
      (r, i) => `[s${i}]scale=${r.width}:${r.height}:force_original_aspect_ratio=decrease,pad=${r.width}:${r.height}:-1:-1,setsar=1,format=yuv420p[v${i}]`,
    );
    const args = ['-hide_banner', '-loglevel', 'error', '-nostats', ...this.source.inputArgs(), '-filter_complex', [split, ...scales].join(';')];
    ladder.forEach((rung, i) => {
      args.push(
        '-map', `[v${i}]`, '-map', '1:a',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'main', '-threads', '2',
        '-b:v', `${rung.videoKbps}k`, '-maxrate', `${rung.videoKbps}k`, '-bufsize', `${Math.round(rung.videoKbps / 2)}k`,
        // A keyframe exactly every segment: segments start on keyframes and all renditions align.
        '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
        '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ar', '48000', '-ac', '2',
        // One fragment per frame: the packager groups them into parts of exactly the right length.
        '-f', 'mp4', '-movflags', '+empty_moov+default_base_moof+frag_every_frame', `pipe:${outputFd + i}`,
      );
    });
    return args;
  }
}

/** An ffmpeg test source (moving pattern and a tone) in real time: for tests, benches and demos without a camera. */
export class TestPatternSource implements EncoderSource {
  readonly raw = false;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly fps: number,
  ) {}

  inputArgs(): string[] {
    return [
      '-re', '-f', 'lavfi', '-i', `testsrc2=size=${this.width}x${this.height}:rate=${this.fps}`,
      '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    ];
  }
}
