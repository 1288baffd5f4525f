// The one media API the studio uses: wraps the microphone in the denoise worklet and the camera in
// the beauty worker (or the canvas fallback), and reports what the controls show.
import { ABI_VERSION, instantiateMediaCore } from '../../../wasm/host/media-core.ts';
import { CanvasVideoProcessor } from './canvas-fallback.ts';
import type { DenoiseControl, DenoiseProcessorOptions, DenoiseReport } from './denoise-worklet.ts';
import { MEDIA_DEFAULTS, type MediaOptions, mergeMediaOptions } from './options.ts';
import type { VideoWorkerMessage, VideoWorkerReport } from './video-worker.ts';

export { MEDIA_DEFAULTS, type MediaOptions } from './options.ts';

export interface MediaStats {
  /** Beauty processing time per frame (ms, smoothed), null while beauty is off or no frame went through. */
  videoMsPerFrame: number | null;
  /** Voice heard in the denoised microphone (false while denoise is off). */
  voiceActive: boolean;
  /** Denoise processing time per 128-sample quantum (ms), null without audio. */
  audioMsPerQuantum: number | null;
  /** Delay the frame pacer holds frames back by (ms). */
  pacingDelayMs: number;
  /** Camera frames into and out of the video processor per second (insertable-streams path), null otherwise. */
  videoInputFps: number | null;
  videoOutputFps: number | null;
  /** 'insertable-streams' (worker), 'canvas' (fallback) or null before processVideo(). */
  videoPath: 'insertable-streams' | 'canvas' | null;
}

type TrackGeneratorCtor = new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream<VideoFrame> };
type TrackProcessorCtor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };

/** Where the worklet, worker and .wasm are served: `${wasmBase}/media.wasm` etc. */
export interface MediaPipelineInit {
  wasmBase: string;
  options?: Partial<MediaOptions>;
}

export class MediaPipeline {
  private options: MediaOptions;
  private readonly cleanups: (() => void)[] = [];
  private worklet: AudioWorkletNode | null = null;
  private audioContext: AudioContext | null = null;
  private videoWorker: Worker | null = null;
  private fallback: CanvasVideoProcessor | null = null;
  private readonly current: MediaStats = {
    videoMsPerFrame: null, voiceActive: false, audioMsPerQuantum: null, pacingDelayMs: 0, videoInputFps: null, videoOutputFps: null, videoPath: null,
  };

  private constructor(private readonly base: string, private readonly module: WebAssembly.Module, options: MediaOptions) {
    this.options = options;
  }

  /** Fetches and compiles the media core once; both processors instantiate it where they run. */
  static async create(init: MediaPipelineInit): Promise<MediaPipeline> {
    const options = mergeMediaOptions(MEDIA_DEFAULTS, init.options ?? {});
    const base = init.wasmBase.replace(/\/$/, '');
    const response = await fetch(`${base}/media.wasm`);
    if (!response.ok) throw new Error(`media core not found at ${base}/media.wasm (HTTP ${response.status}): check wasmBase`);
    const module = await WebAssembly.compile(await response.arrayBuffer());
    await instantiateMediaCore(module); // fails early, naming the ABI, if the build is stale
    return new MediaPipeline(base, module, options);
  }

  static get abiVersion(): number {
    return ABI_VERSION;
  }

  /** The camera track with beauty (and pacing) applied; the input track stays owned by the caller. */
  async processVideo(track: MediaStreamTrack): Promise<MediaStreamTrack> {
    const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor;
    const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorCtor }).MediaStreamTrackGenerator;
    if (!Processor || !Generator) {
      const core = await instantiateMediaCore(this.module);
      const fallback = new CanvasVideoProcessor(core, track, () => this.options);
      this.fallback = fallback;
      this.current.videoPath = 'canvas';
      this.cleanups.push(() => fallback.destroy());
      return fallback.track;
    }
    const processor = new Processor({ track });
    const generator = new Generator({ kind: 'video' });
    const worker = new Worker(`${this.base}/video-worker.js`, { type: 'module' });
    this.videoWorker = worker;
    this.current.videoPath = 'insertable-streams';
    worker.onmessage = (event: MessageEvent<VideoWorkerReport>) => {
      if (event.data.type === 'stats') {
        this.current.videoMsPerFrame = event.data.msPerFrame;
        this.current.pacingDelayMs = event.data.pacingDelayMs;
        this.current.videoInputFps = event.data.inputFps;
        this.current.videoOutputFps = event.data.outputFps;
      } else {
        console.warn(`live-shop media: video processing stopped: ${event.data.message}`);
      }
    };
    const start: VideoWorkerMessage = {
      type: 'start', module: this.module, readable: processor.readable, writable: generator.writable,
      options: this.options, frameRate: track.getSettings().frameRate ?? 30,
    };
    worker.postMessage(start, [processor.readable as unknown as Transferable, generator.writable as unknown as Transferable]);
    this.cleanups.push(() => {
      worker.postMessage({ type: 'stop' } satisfies VideoWorkerMessage);
      setTimeout(() => worker.terminate(), 200);
      generator.stop();
    });
    return generator;
  }

  /** The microphone track through the denoise worklet, at 48 kHz. */
  async processAudio(track: MediaStreamTrack): Promise<MediaStreamTrack> {
    const context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    await context.audioWorklet.addModule(`${this.base}/denoise-worklet.js`);
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const processorOptions: DenoiseProcessorOptions = { module: this.module, strength: this.options.denoiseStrength, enabled: this.options.denoise };
    const node = new AudioWorkletNode(context, 'live-shop-denoise', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions });
    node.port.onmessage = (event: MessageEvent<DenoiseReport>) => {
      this.current.voiceActive = event.data.voiceActive;
      this.current.audioMsPerQuantum = event.data.msPerQuantum;
    };
    const destination = context.createMediaStreamDestination();
    source.connect(node).connect(destination);
    this.worklet = node;
    this.audioContext = context;
    // Without a user gesture yet the context starts suspended (autoplay policy): resume() on the first click.
    void context.resume();
    this.cleanups.push(() => {
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      void context.close();
    });
    return destination.stream.getAudioTracks()[0];
  }

  /**
   * Starts the audio processing if the browser held it back until a user gesture (autoplay policy):
   * call it from a click handler, e.g. "Go live". Until then the processed microphone is silent.
   */
  async resume(): Promise<void> {
    if (this.audioContext && this.audioContext.state !== 'running') await this.audioContext.resume();
  }

  /** Applies at once to both processors; throws a MediaOptionError naming a bad option. */
  setOptions(patch: Partial<MediaOptions>): void {
    this.options = mergeMediaOptions(this.options, patch);
    const control: DenoiseControl = { enabled: this.options.denoise, strength: this.options.denoiseStrength };
    this.worklet?.port.postMessage(control);
    this.videoWorker?.postMessage({ type: 'options', options: this.options } satisfies VideoWorkerMessage);
    if (!this.options.denoise) this.current.voiceActive = false;
  }

  getOptions(): MediaOptions {
    return { ...this.options };
  }

  stats(): MediaStats {
    if (this.fallback) this.current.videoMsPerFrame = this.options.beauty ? this.fallback.msPerFrame : null;
    return { ...this.current };
  }

  /** Stops everything this pipeline created (not the caller's input tracks). */
  destroy(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.worklet = null;
    this.audioContext = null;
    this.videoWorker = null;
    this.fallback = null;
  }
}
