/**
 * The one way the latency benchmarks read a played video: for `durationMs`, every displayed frame
 * is drawn to a canvas and its capture clock decoded (widget/studio/clock-code.ts), giving
 * display time minus capture time. Pages get it, and the clock reader, as source through
 * `installClockSampler`, so both functions here are self-contained.
 */
import type { Page } from 'playwright-core';
import { readClockCode } from '../../widget/studio/clock-code.ts';

export interface ClockSamples {
  /** Glass-to-glass latency of each readable frame, in ms. */
  latencies: number[];
  /** When each of those frames was shown, in ms since sampling started. */
  times: number[];
  unreadable: number;
  /**
   * Freezes: the same picture on screen for 150 ms or more (the next frame presented that much
   * after the last one, with no frame in between that the sampler missed), and their total ms.
   */
  freezes: number;
  frozenMs: number;
}

export function sampleClock(
  video: HTMLVideoElement,
  durationMs: number,
  read: (pixels: Uint8ClampedArray, width: number, height: number) => number | null,
): Promise<ClockSamples> {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const samples: ClockSamples = { latencies: [], times: [], unreadable: 0, freezes: 0, frozenMs: 0 };
  return new Promise((resolve) => {
    const started = performance.now();
    let last: VideoFrameCallbackMetadata | null = null;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      const held = last ? meta.expectedDisplayTime - last.expectedDisplayTime : 0;
      if (last && meta.presentedFrames === last.presentedFrames + 1 && held >= 150) {
        samples.freezes += 1;
        samples.frozenMs += held;
      }
      last = meta;
      const width = Math.min(640, video.videoWidth);
      const height = Math.round((width * video.videoHeight) / video.videoWidth);
      if (width > 0 && height > 0) {
        canvas.width = width;
        canvas.height = height;
        ctx.drawImage(video, 0, 0, width, height);
        const captured = read(ctx.getImageData(0, 0, width, height).data, width, height);
        if (captured === null) samples.unreadable += 1;
        else {
          samples.latencies.push(performance.timeOrigin + meta.expectedDisplayTime - captured);
          samples.times.push(performance.now() - started);
        }
      }
      if (performance.now() - started < durationMs) video.requestVideoFrameCallback(onFrame);
      else resolve(samples);
    };
    video.requestVideoFrameCallback(onFrame);
  });
}

/** What pages see after `installClockSampler`. */
export interface ClockSamplerWindow {
  __sampleClock(video: HTMLVideoElement, durationMs: number): Promise<ClockSamples>;
}

export async function installClockSampler(page: Page): Promise<void> {
  await page.addInitScript({
    content: `window.__sampleClock = (video, durationMs) => (${sampleClock.toString()})(video, durationMs, ${readClockCode.toString()});`,
  });
}
