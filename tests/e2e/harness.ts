/**
 * End-to-end harness: a real relay (with its own loopback LiveKit) serving the built widget and
 * the demo pages, and Debian's Chromium driven by playwright-core with fake media devices.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRelay, type Relay } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';

export const DEMO_ROOM = 'spring-drop';

/** REFERENCE.md's flags for this machine, plus fake media and loopback WebRTC. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

export interface Stack {
  relay: Relay;
  url: string;
  hostKey: string;
  close(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'live-shop-e2e-'));
  const hostKey = randomBytes(18).toString('base64url');
  const relay = await startRelay(
    loadConfig({
      LIVE_SHOP_HOST_KEY: hostKey,
      LIVE_SHOP_PORT: '0',
      LIVE_SHOP_DB: join(dir, 'relay.sqlite'),
      LIVE_SHOP_DEMO: '1',
      LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN,
      ...env,
    }),
  );
  relay.rooms.upsert(DEMO_ROOM, { title: 'Spring drop: trail shoes live' });
  return {
    relay,
    url: relay.url,
    hostKey,
    async close() {
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_FLAGS, ...extraFlags] });
}

export async function openStudio(browser: Browser, stack: Stack, options: { source?: 'camera' | 'test-pattern' } = {}): Promise<Page> {
  const page = await newPage(browser, 'studio', { width: 1280, height: 800 });
  const query = options.source ? `?source=${options.source}` : '';
  await page.goto(`${stack.url}/studio${query}#key=${stack.hostKey}`);
  await waitForStudioState(page, 'previewing');
  return page;
}

export async function openStorefront(browser: Browser, stack: Stack, label = 'viewer'): Promise<Page> {
  const page = await newPage(browser, label, { width: 1280, height: 900 });
  await page.goto(`${stack.url}/`);
  return page;
}

export async function goLive(studio: Page): Promise<void> {
  await studio.locator('live-shop-studio').getByRole('button', { name: 'Go live' }).click();
  await waitForStudioState(studio, 'live', 20_000);
}

export async function endShow(studio: Page): Promise<void> {
  await studio.locator('live-shop-studio').getByRole('button', { name: 'End show' }).click();
  await waitForStudioState(studio, 'ended');
}

export async function waitForStudioState(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('live-shop-studio')?.state === s, state, { timeout });
}

export async function waitForViewerState(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('live-shop')?.state === s, state, { timeout });
}

/**
 * Frames the viewer's video presented over `ms` milliseconds: requestVideoFrameCallback's
 * `presentedFrames` from the first callback to the last, not the number of callbacks. Chromium calls
 * back at most once per rendering of the page, so on a busy machine one callback stands for several
 * frames (e2e trace of the LL-HLS fallback: 8 callbacks for 18 frames, 24 for 47). A picture that
 * stands still presents no frames, however often the page renders.
 */
export function framesPresented(page: Page, ms: number): Promise<number> {
  return page.evaluate(
    (duration) =>
      new Promise<number>((resolve) => {
        const video = document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!;
        let first: number | null = null;
        let last = 0;
        let done = false;
        const count = (_now: number, metadata: VideoFrameCallbackMetadata): void => {
          if (done) return;
          first ??= metadata.presentedFrames;
          last = metadata.presentedFrames;
          video.requestVideoFrameCallback(count);
        };
        video.requestVideoFrameCallback(count);
        setTimeout(() => {
          done = true;
          resolve(first === null ? 0 : last - first + 1);
        }, duration);
      }),
    ms,
  );
}

/** Mean and spread of the luma of the viewer's current frame: a black picture has both near 0. */
export function pictureLuma(page: Page): Promise<{ mean: number; spread: number; width: number }> {
  return page.evaluate(() => {
    const video = document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!;
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 90;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let sumSq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const y = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      sum += y;
      sumSq += y * y;
    }
    const mean = sum / n;
    return { mean, spread: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), width: video.videoWidth };
  });
}

/** Text of a viewer element's shadow DOM part, as a shopper reads it. */
export function partText(page: Page, part: string): Promise<string | null> {
  return page.evaluate((p) => document.querySelector('live-shop')?.shadowRoot?.querySelector(`[part~="${p}"]`)?.textContent?.trim() ?? null, part);
}

/**
 * A page that reports its errors to the test log. tsx compiles this file with esbuild's
 * keepNames, so functions passed to `page.evaluate` may call `__name`; pages get a no-op one.
 */
export async function newPage(browser: Browser, label: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  forwardErrors(page, label);
  return page;
}

function forwardErrors(page: Page, label: string): void {
  page.on('pageerror', (error) => console.error(`[${label}] page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) console.error(`[${label}] HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[${label}] console: ${message.text()}`);
  });
}
