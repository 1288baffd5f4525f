/**
 * The LL-HLS path end to end: the studio goes live with its test pattern, the relay's ingest turns
 * it into LL-HLS, and shoppers watch it with hls.js in Chromium. A shopper forced to `hls` plays;
 * a shopper without MSE (as on iPhone Safari) plays through the browser's own HLS; a shopper whose
 * page cannot reach LiveKit (its connection blocked, as behind a strict corporate firewall) falls
 * back to LL-HLS by itself; all see the ended state when the host ends the show, and can then
 * watch its recording, with the products pinned during the show appearing at their moment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  DEMO_ROOM,
  endShow,
  framesPresented,
  goLive,
  launchChromium,
  newPage,
  openStudio,
  partText,
  pictureLuma,
  startStack,
  waitForViewerState,
  type Stack,
} from './harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The demo storefront with extra attributes on its `<live-shop>`, as a shop would write them: set
 * while the page is parsed, before the widget's module script defines the element.
 */
async function openStorefrontWith(
  browser: Browser,
  stack: Stack,
  label: string,
  attributes: Record<string, string>,
  prepare: (page: Page) => Promise<void> = async () => undefined,
): Promise<Page> {
  const page = await newPage(browser, label);
  await prepare(page);
  await page.addInitScript((attrs: Record<string, string>) => {
    new MutationObserver((_records, observer) => {
      const element = document.querySelector('live-shop');
      if (!element) return;
      for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  }, attributes);
  await page.goto(`${stack.url}/`);
  return page;
}

const transportOf = (page: Page) => page.evaluate(() => document.querySelector('live-shop')!.transport);

describe('the live room over LL-HLS', { timeout: 180_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let studio: Page;
  let forced: Page;
  let blocked: Page;
  let native: Page;
  let livekitSignals = 0;

  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('gives a live room an hlsUrl that serves an LL-HLS ladder', async () => {
    studio = await openStudio(browser, stack, { source: 'test-pattern' });
    await goLive(studio);
    const info = (await (await fetch(`${stack.url}/v1/rooms/${DEMO_ROOM}`)).json()) as { hlsUrl: string; player: { transports: string[] } };
    assert.deepEqual(info.player.transports, ['webrtc', 'hls']);
    const multivariant = await fetch(info.hlsUrl);
    assert.equal(multivariant.status, 200);
    assert.ok((await multivariant.text()).split('#EXT-X-STREAM-INF').length - 1 >= 2, 'at least two renditions');
  });

  it('plays the show for a shopper forced to LL-HLS, with the debug overlay', async () => {
    forced = await openStorefrontWith(browser, stack, 'hls viewer', { transport: 'hls', debug: '' });
    await waitForViewerState(forced, 'live', 30_000);
    assert.equal(await transportOf(forced), 'hls');
    const frames = await framesPresented(forced, 3000);
    assert.ok(frames >= 30, `expected the picture to move (>= 30 frames in 3 s), got ${frames}`);
    const luma = await pictureLuma(forced);
    assert.ok(luma.mean > 20 && luma.spread > 10, `picture looks black or flat: ${JSON.stringify(luma)}`);
    await forced.waitForFunction(() => /\d+ ms/.test(document.querySelector('live-shop')!.shadowRoot!.querySelector('[data-field=latency]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const overlay = await partText(forced, 'debug');
    assert.match(overlay ?? '', /transport\s*hls/);
    console.log(`[hls viewer] debug overlay: ${overlay?.replace(/\s+/g, ' ')}`);
  });

  it("plays the show with the browser's own HLS where there is no MSE (as on iPhone Safari)", async () => {
    const hlsJsRequests: string[] = [];
    native = await openStorefrontWith(browser, stack, 'native hls viewer', { transport: 'hls' }, async (page) => {
      // No MediaSource, as on iPhone Safari: hls.js cannot run there, so the widget hands the
      // playlist to the <video> element itself. Chromium 156 plays HLS natively, standing in for
      // Safari's player; hls.js must not even be fetched.
      await page.addInitScript(() => {
        const scope = window as unknown as Record<string, unknown>;
        delete scope.MediaSource;
        delete scope.ManagedMediaSource;
      });
      page.on('request', (request) => {
        if (/\/hls\.light[^/]*\.js$/.test(request.url())) hlsJsRequests.push(request.url());
      });
    });
    await waitForViewerState(native, 'live', 30_000);
    assert.equal(await transportOf(native), 'hls');
    const source = await native.evaluate(() => document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!.currentSrc);
    assert.match(source, /\/hls\/index\.m3u8$/, 'the video element plays the multivariant playlist itself');
    assert.deepEqual(hlsJsRequests, [], 'hls.js is not fetched without MSE');
    const frames = await framesPresented(native, 3000);
    assert.ok(frames >= 30, `expected the picture to move (>= 30 frames in 3 s), got ${frames}`);
    const luma = await pictureLuma(native);
    assert.ok(luma.mean > 20 && luma.spread > 10, `picture looks black or flat: ${JSON.stringify(luma)}`);
  });

  it('falls back to LL-HLS by itself when the page cannot reach LiveKit', async () => {
    const page = await newPage(browser, 'blocked viewer');
    // LiveKit's signalling WebSocket is refused, as on a network that blocks it.
    await page.routeWebSocket(/\/rtc/, (ws) => {
      livekitSignals += 1;
      ws.close({ code: 1008, reason: 'blocked by the test' });
    });
    await page.goto(`${stack.url}/`);
    blocked = page;
    await waitForViewerState(blocked, 'live', 45_000);
    assert.ok(livekitSignals > 0, 'the player tried WebRTC first');
    assert.equal(await transportOf(blocked), 'hls');
    const frames = await framesPresented(blocked, 2000);
    assert.ok(frames >= 20, `the fallen-back viewer sees a moving picture (>= 20 frames in 2 s), got ${frames}`);
  });

  let pinnedAt = 0;

  it('shows "the show has ended" to LL-HLS shoppers when the host ends it', async () => {
    // A product pinned just before the end: the replay must show it at that moment of its picture.
    pinnedAt = Date.now();
    const pinned = await fetch(`${stack.url}/v1/rooms/${DEMO_ROOM}/pins/SHELL-EMBER`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.hostKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at: pinnedAt }),
    });
    assert.equal(pinned.status, 200, await pinned.text());
    await sleep(1500);
    await endShow(studio);
    await waitForViewerState(forced, 'ended', 20_000);
    await waitForViewerState(blocked, 'ended', 20_000);
    await waitForViewerState(native, 'ended', 30_000);
    assert.match((await partText(forced, 'status')) ?? '', /The show has ended/);
    const info = (await (await fetch(`${stack.url}/v1/rooms/${DEMO_ROOM}`)).json()) as { hlsUrl: string | null };
    assert.equal(info.hlsUrl, null);
  });

  it('offers the recording once the show is over, and plays it from the start with controls and sound', async () => {
    const button = forced.locator('live-shop').locator('[part=replay]');
    await button.waitFor({ timeout: 15_000 });
    assert.equal(await button.textContent(), 'Watch the replay');
    await button.click();
    await waitForViewerState(forced, 'replay', 20_000);
    assert.equal(await partText(forced, 'badge'), 'REPLAY');
    const video = await forced.evaluate(() => {
      const v = document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!;
      return { controls: v.controls, muted: v.muted, duration: v.duration, currentTime: v.currentTime };
    });
    assert.equal(video.controls, true, 'a replay can be paused and sought in');
    assert.equal(video.muted, false, 'the tap that asked for it lets it play with sound');
    assert.ok(Number.isFinite(video.duration) && video.duration > 3, `a finite recording, got ${video.duration} s`);
    assert.ok(video.currentTime < 3, `starts at the beginning, got ${video.currentTime} s`);
    assert.ok((await framesPresented(forced, 2000)) >= 20, 'the replay moves');
    const luma = await pictureLuma(forced);
    assert.ok(luma.mean > 20 && luma.spread > 10, `replay picture looks black or flat: ${JSON.stringify(luma)}`);
  });

  it('shows the products pinned during the show when the replay reaches their moment', async () => {
    const cards = () => forced.evaluate(() => {
      const panel = document.querySelector('live-shop')!.shadowRoot!.querySelector('live-shop-panel');
      const list = panel?.shadowRoot?.querySelector('live-shop-product-list');
      return [...(list?.shadowRoot?.querySelectorAll('live-shop-product-card') ?? [])].map((card) => (card as HTMLElement & { product?: { sku: string } }).product?.sku ?? '?');
    });
    const at = await forced.evaluate(() => ({
      clock: (document.querySelector('live-shop') as unknown as { playback: { player: { playbackClock(): number | null } } }).playback.player.playbackClock(),
      time: document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!.currentTime,
    }));
    assert.deepEqual(await cards(), [], `nothing pinned near the start of the show (at ${at.time.toFixed(1)} s, ${at.clock === null ? 'no clock' : `${pinnedAt - at.clock} ms before the pin`})`);
    // Seek to just before the pin, then play into it.
    const clockAtSeek = await forced.evaluate(async () => {
      const v = document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!;
      v.currentTime = Math.max(0, v.duration - 6);
      await new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
      return v.currentTime;
    });
    await forced.waitForFunction(() => {
      const panel = document.querySelector('live-shop')!.shadowRoot!.querySelector('live-shop-panel');
      return (panel?.shadowRoot?.querySelector('live-shop-product-list')?.shadowRoot?.querySelectorAll('live-shop-product-card').length ?? 0) > 0;
    }, undefined, { timeout: 15_000 });
    const clock = await forced.evaluate(() => (document.querySelector('live-shop') as unknown as { playback: { player: { playbackClock(): number | null } } }).playback.player.playbackClock());
    assert.deepEqual(await cards(), ['SHELL-EMBER']);
    assert.ok(clock !== null && clock >= pinnedAt - 250, `the card came ${pinnedAt - clock!} ms before the replay reached the pin (seeked to ${clockAtSeek.toFixed(1)} s)`);
  });
});
