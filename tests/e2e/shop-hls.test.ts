import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { goLive, launchChromium, newPage, openStudio, startStack, waitForViewerState, type Stack } from './harness.ts';

/**
 * On LL-HLS the picture is seconds behind the studio. A pinned product must appear when the
 * delayed video reaches the moment the host pinned it (the player's PROGRAM-DATE-TIME clock),
 * not when the relay's event arrives.
 */
describe('pins in step with the video over LL-HLS', { timeout: 180_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let studio: Page;
  let shopper: Page;

  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
    studio = await openStudio(browser, stack, { source: 'test-pattern' });
    await goLive(studio);
    shopper = await newPage(browser, 'hls shopper');
    await shopper.goto(`${stack.url}/demo/player.html?room=spring-drop&transport=hls`);
    await waitForViewerState(shopper, 'live', 60_000);
    assert.equal(await shopper.evaluate(() => document.querySelector('live-shop')!.transport), 'hls');
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the card when the video reaches the pin, not when the event arrives', async () => {
    await shopper.waitForFunction(() => !!customElements.get('live-shop-panel'), undefined, { timeout: 10_000 });
    await shopper.evaluate(() => {
      const w = window as unknown as { eventAt?: number; cardAt?: number; videoBehindMs?: number };
      const show = document.querySelector('live-shop') as unknown as HTMLElement & { playback?: { player?: { playbackClock(): number | null } } };
      const look = (): void => {
        const panel = show.shadowRoot?.querySelector('live-shop-panel') as (HTMLElement & { roomStore?: { get(): unknown } }) | null;
        const list = panel?.shadowRoot?.querySelector('live-shop-product-list');
        if (list?.shadowRoot?.querySelector('live-shop-product-card')) {
          w.cardAt = Date.now();
          const clock = show.playback?.player?.playbackClock() ?? null;
          if (clock !== null) w.videoBehindMs = Date.now() - clock;
          return;
        }
        requestAnimationFrame(look);
      };
      look();
    });
    await studio.evaluate(() => document.addEventListener('click', () => ((window as unknown as { clickAt: number }).clickAt = Date.now()), { capture: true, once: true }));
    await studio.locator('live-shop-host-panel').getByRole('listitem').filter({ hasText: 'Trail Runner 2' }).getByRole('button', { name: 'Pin' }).click();
    const clickedAt = await studio.evaluate(() => (window as unknown as { clickAt: number }).clickAt);
    await shopper.waitForFunction(() => (window as unknown as { cardAt?: number }).cardAt !== undefined, undefined, { timeout: 20_000 });
    const { cardAt, videoBehindMs } = await shopper.evaluate(() => {
      const w = window as unknown as { cardAt: number; videoBehindMs: number };
      return { cardAt: w.cardAt, videoBehindMs: w.videoBehindMs };
    });
    const delay = cardAt - clickedAt;
    console.log(`LL-HLS: pin -> card ${delay} ms; the video was ${videoBehindMs} ms behind the studio then`);
    assert.ok(videoBehindMs > 500, `LL-HLS runs behind the studio (${videoBehindMs} ms)`);
    assert.ok(delay >= videoBehindMs - 250, `the card came ${videoBehindMs - delay} ms before the video reached the pin`);
    assert.ok(delay <= videoBehindMs + 500, `the card came ${delay - videoBehindMs} ms after the video reached the pin`);
  });
});
