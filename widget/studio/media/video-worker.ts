// Video worker: camera frames (a ReadableStream<VideoFrame> from MediaStreamTrackProcessor) go through
// the WASM beauty filter, then to the generator feeding the encoder. With pacing on, processed frames
// are handed over on an even encoder tick chosen by the WASM pacer instead of whenever they finish.
import { BeautyFilter, type PixelFormat } from '../../../wasm/host/beauty-filter.ts';
import { FramePacer } from '../../../wasm/host/frame-pacer.ts';
import { instantiateMediaCore } from '../../../wasm/host/media-core.ts';
import type { MediaOptions } from './options.ts';

export type VideoWorkerStart = {
  type: 'start';
  module: WebAssembly.Module;
  readable: ReadableStream<VideoFrame>;
  writable: WritableStream<VideoFrame>;
  options: MediaOptions;
  frameRate: number;
};
export type VideoWorkerMessage = VideoWorkerStart | { type: 'options'; options: MediaOptions } | { type: 'stop' };
export type VideoWorkerReport =
  | { type: 'stats'; msPerFrame: number | null; pacingDelayMs: number; inputFps: number; outputFps: number }
  | { type: 'error'; message: string };

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<VideoWorkerMessage>) => void) | null;
  postMessage(message: VideoWorkerReport): void;
};

const MAX_QUEUED = 6;
let options: MediaOptions | null = null;
let stopped = false;
let msPerFrame: number | null = null;
let framesIn = 0;
let framesOut = 0;

function formatOf(frame: VideoFrame): { format: PixelFormat; convert: boolean } | null {
  if (frame.format === 'I420' || frame.format === 'NV12') return { format: frame.format, convert: false };
  return { format: 'RGBA', convert: true }; // BGRA, RGBX, I420A...: let copyTo convert
}

async function beautify(filter: BeautyFilter, frame: VideoFrame): Promise<VideoFrame> {
  const layout = formatOf(frame);
  const rect = frame.visibleRect;
  if (!layout || !rect) return frame;
  const started = performance.now();
  const view = filter.frameView(rect.width, rect.height, layout.format);
  try {
    await frame.copyTo(view, layout.convert ? ({ format: 'RGBA' } as VideoFrameCopyToOptions) : {});
  } catch {
    return frame; // this browser cannot convert the camera's format: pass it through untouched
  }
  filter.processInPlace();
  const processed = new VideoFrame(filter.frameView(rect.width, rect.height, layout.format), {
    format: layout.format,
    codedWidth: rect.width,
    codedHeight: rect.height,
    timestamp: frame.timestamp,
    duration: frame.duration ?? undefined,
  });
  frame.close();
  const elapsed = performance.now() - started;
  msPerFrame = msPerFrame === null ? elapsed : 0.9 * msPerFrame + 0.1 * elapsed;
  return processed;
}

async function run(start: VideoWorkerStart): Promise<void> {
  const core = await instantiateMediaCore(start.module);
  const filter = new BeautyFilter(core);
  const tickMs = 1000 / start.frameRate;
  const pacer = new FramePacer(core, tickMs, 100);
  const writer = start.writable.getWriter();
  const reader = start.readable.getReader();
  const queue = new Map<number, VideoFrame>();
  let shown = -1;

  // The pacer says when frames are due on the encoder's tick. A late timer (a loaded CPU) must not
  // cost frames: everything due is handed over in order, only the timing is evened out.
  const tick = setInterval(() => {
    if (!options?.pacing) return;
    const seq = pacer.select(performance.now());
    if (seq < 0 || seq === shown) return;
    for (const [key, frame] of queue) {
      if (key > seq) break;
      queue.delete(key);
      framesOut++;
      writer.write(frame).catch(() => frame.close()); // the generator has stopped: nothing to feed
    }
    shown = seq;
  }, tickMs);
  let reportedAt = performance.now();
  const report = setInterval(() => {
    const now = performance.now();
    const seconds = (now - reportedAt) / 1000;
    scope.postMessage({
      type: 'stats', msPerFrame: options?.beauty ? msPerFrame : null, pacingDelayMs: pacer.delayMs,
      inputFps: framesIn / seconds, outputFps: framesOut / seconds,
    });
    framesIn = 0;
    framesOut = 0;
    reportedAt = now;
  }, 1000);

  try {
    while (!stopped) {
      const { value: frame, done } = await reader.read();
      if (done || !frame) break;
      framesIn++;
      const current = options;
      const out = current?.beauty ? await beautify(filter, frame) : frame;
      if (current?.pacing) {
        queue.set(pacer.push(out.timestamp / 1000, performance.now()), out);
        for (const [key, old] of queue) {
          if (queue.size <= MAX_QUEUED) break;
          old.close(); // the encoder is not keeping up: never hold more than a few frames
          queue.delete(key);
        }
      } else {
        framesOut++;
        await writer.write(out);
      }
    }
  } catch (error) {
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    clearInterval(tick);
    clearInterval(report);
    for (const frame of queue.values()) frame.close();
    queue.clear();
    reader.releaseLock();
    await writer.close().catch(() => undefined);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'start') {
    options = message.options;
    void run(message);
  } else if (message.type === 'options') {
    options = message.options;
  } else {
    stopped = true;
  }
};
