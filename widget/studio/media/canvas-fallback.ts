// Where MediaStreamTrackProcessor / MediaStreamTrackGenerator are missing: the camera plays in a hidden
// <video>, a worker timer (page timers and rAF are throttled in background tabs) pulls frames through a
// 2D canvas and the WASM filter (RGBA), and canvas.captureStream() is the processed track.
import { BeautyFilter } from '../../../wasm/host/beauty-filter.ts';
import type { MediaCoreExports } from '../../../wasm/host/media-core.ts';
import type { MediaOptions } from './options.ts';

export class CanvasVideoProcessor {
  private readonly video = document.createElement('video');
  private readonly canvas = document.createElement('canvas');
  private readonly ticker: Worker;
  private readonly filter: BeautyFilter;
  private readonly output: MediaStreamTrack;
  msPerFrame: number | null = null;

  constructor(core: MediaCoreExports, track: MediaStreamTrack, private options: () => MediaOptions) {
    this.filter = new BeautyFilter(core);
    const frameRate = track.getSettings().frameRate ?? 30;
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = new MediaStream([track]);
    void this.video.play();
    const tickerSource = `setInterval(() => postMessage(0), ${Math.round(1000 / frameRate)});`;
    this.ticker = new Worker(URL.createObjectURL(new Blob([tickerSource], { type: 'text/javascript' })));
    this.ticker.onmessage = () => this.draw();
    this.output = this.canvas.captureStream(frameRate).getVideoTracks()[0];
  }

  get track(): MediaStreamTrack {
    return this.output;
  }

  private draw(): void {
    const { videoWidth: width, videoHeight: height } = this.video;
    if (width < 2 || height < 2) return;
    if (this.canvas.width !== width || this.canvas.height !== height) Object.assign(this.canvas, { width, height });
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    context.drawImage(this.video, 0, 0);
    if (!this.options().beauty) {
      this.msPerFrame = null;
      return;
    }
    const started = performance.now();
    const image = context.getImageData(0, 0, width, height);
    this.filter.process(new Uint8Array(image.data.buffer), width, height, 'RGBA');
    context.putImageData(image, 0, 0);
    const elapsed = performance.now() - started;
    this.msPerFrame = this.msPerFrame === null ? elapsed : 0.9 * this.msPerFrame + 0.1 * elapsed;
  }

  destroy(): void {
    this.ticker.terminate();
    this.output.stop();
    this.video.srcObject = null;
  }
}
