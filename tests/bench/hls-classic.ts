/**
 * The classic-HLS row of `bench:latency`: the same show, from the relay's classic playlists (6 s
 * segments, no parts, no blocking reload), played by hls.js with its defaults in a bare <video>,
 * and measured like the other rows: the capture clock read from each displayed frame.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { readClockCode } from '../../widget/studio/clock-code.ts';

export interface ClassicFigures {
  latencies: number[];
  unreadable: number;
  firstFrameMs: number;
}

const HLS_MODULE = '/__bench/hls.light.mjs';

export async function measureClassicHls(page: Page, relayUrl: string, room: string, seconds: number): Promise<ClassicFigures> {
  // hls.js straight from node_modules, served on the relay's origin for this page only.
  const source = readFileSync('node_modules/hls.js/dist/hls.light.mjs', 'utf8');
  await page.route(`${relayUrl}${HLS_MODULE}`, (route) => route.fulfill({ body: source, contentType: 'text/javascript' }));
  await page.addInitScript({ content: `window.__readClockCode = ${readClockCode.toString()};` });
  await page.goto(`${relayUrl}/v1/health`);
  return page.evaluate(
    async ({ moduleUrl, playlist, durationMs }) => {
      const read = (window as unknown as { __readClockCode: (p: Uint8ClampedArray, w: number, h: number) => number | null }).__readClockCode;
      const { default: Hls } = (await import(moduleUrl)) as { default: { new (): { loadSource(u: string): void; attachMedia(v: HTMLVideoElement): void } } };
      const video = document.createElement('video');
      video.muted = true;
      document.body.append(video);
      const started = performance.now();
      const hls = new Hls();
      hls.loadSource(playlist);
      hls.attachMedia(video);
      void video.play().catch(() => undefined);
      const firstFrameMs = await new Promise<number>((resolve) => video.requestVideoFrameCallback((now) => resolve(now - started)));
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const latencies: number[] = [];
      let unreadable = 0;
      await new Promise<void>((resolve) => {
        const from = performance.now();
        const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
          const width = Math.min(640, video.videoWidth);
          const height = Math.round((width * video.videoHeight) / video.videoWidth);
          if (width > 0 && height > 0) {
            canvas.width = width;
            canvas.height = height;
            ctx.drawImage(video, 0, 0, width, height);
            const captured = read(ctx.getImageData(0, 0, width, height).data, width, height);
            if (captured === null) unreadable += 1;
            else latencies.push(performance.timeOrigin + meta.expectedDisplayTime - captured);
          }
          if (performance.now() - from < durationMs) video.requestVideoFrameCallback(onFrame);
          else resolve();
        };
        video.requestVideoFrameCallback(onFrame);
      });
      return { latencies, unreadable, firstFrameMs };
    },
    { moduleUrl: HLS_MODULE, playlist: `${relayUrl}/v1/rooms/${room}/hls/classic.m3u8`, durationMs: seconds * 1000 },
  );
}
