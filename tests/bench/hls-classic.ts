/**
 * The classic-HLS row of `bench:latency`: the same show, from the relay's classic playlists (6 s
 * segments, no parts, no blocking reload), played by hls.js with its defaults in a bare <video>,
 * and measured like the other rows: the capture clock read from each displayed frame.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { installClockSampler, type ClockSamplerWindow } from './clock-sampler.ts';

export interface ClassicFigures {
  latencies: number[];
  unreadable: number;
  freezes: number;
  frozenMs: number;
  firstFrameMs: number;
}

const HLS_MODULE = '/__bench/hls.light.mjs';

export async function measureClassicHls(page: Page, relayUrl: string, room: string, seconds: number): Promise<ClassicFigures> {
  // hls.js straight from node_modules, served on the relay's origin for this page only.
  const source = readFileSync('node_modules/hls.js/dist/hls.light.mjs', 'utf8');
  await page.route(`${relayUrl}${HLS_MODULE}`, (route) => route.fulfill({ body: source, contentType: 'text/javascript' }));
  await installClockSampler(page);
  await page.goto(`${relayUrl}/v1/health`);
  return page.evaluate(
    async ({ moduleUrl, playlist, durationMs }) => {
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
      const { latencies, unreadable, freezes, frozenMs } = await (window as unknown as ClockSamplerWindow).__sampleClock(video, durationMs);
      return { latencies, unreadable, freezes, frozenMs, firstFrameMs };
    },
    { moduleUrl: HLS_MODULE, playlist: `${relayUrl}/v1/rooms/${room}/hls/classic.m3u8`, durationMs: seconds * 1000 },
  );
}
