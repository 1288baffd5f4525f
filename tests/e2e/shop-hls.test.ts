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
    // The shopper page follows the player's playback clock (the capture time of the frame on
    // screen) every frame, and notes it just before and when the card appears.
    await shopper.evaluate(() => {
      const w = window as unknown as { cardAt?: number; videoBehindMs?: number; clockBefore?: number | null; clockAtCard?: number | null };
      const show = document.querySelector('live-shop') as unknown as HTMLElement & { playback?: { player?: { playbackClock(): number | null } } };
      let last: number | null = null;
      const look = (): void => {
        const clock = show.playback?.player?.playbackClock() ?? null;
        const panel = show.shadowRoot?.querySelector('live-shop-panel');
        const list = panel?.shadowRoot?.querySelector('live-shop-product-list');
        if (list?.shadowRoot?.querySelector('live-shop-product-card')) {
          w.cardAt = Date.now();
          w.clockBefore = last;
          w.clockAtCard = clock;
          if (clock !== null) w.videoBehindMs = Date.now() - clock;
          return;
        }
        last = clock;
        requestAnimationFrame(look);
      };
      look();
    });
    await studio.evaluate(() => document.addEventListener('click', () => ((window as unknown as { clickAt: number }).clickAt = Date.now()), { capture: true, once: true }));
    await studio.locator('live-shop-host-panel').getByRole('listitem').filter({ hasText: 'Trail Runner 2' }).getByRole('button', { name: 'Pin' }).click();
    const clickedAt = await studio.evaluate(() => (window as unknown as { clickAt: number }).clickAt);
    await shopper.waitForFunction(() => (window as unknown as { cardAt?: number }).cardAt !== undefined, undefined, { timeout: 20_000 });
    const { cardAt, videoBehindMs, clockBefore, clockAtCard } = await shopper.evaluate(() => {
      const w = window as unknown as { cardAt: number; videoBehindMs: number; clockBefore: number | null; clockAtCard: number | null };
      return { cardAt: w.cardAt, videoBehindMs: w.videoBehindMs, clockBefore: w.clockBefore, clockAtCard: w.clockAtCard };
    });
    const delay = cardAt - clickedAt;
    console.log(`LL-HLS: pin -> card ${delay} ms; the video was ${videoBehindMs} ms behind the studio then; the playback clock went from ${clockBefore === null ? 'n/a' : clockBefore - clickedAt} to ${clockAtCard === null ? 'n/a' : clockAtCard - clickedAt} ms around the pin`);
    assert.ok(videoBehindMs > 500, `LL-HLS runs behind the studio (${videoBehindMs} ms)`);
    assert.ok(clockAtCard !== null && clockBefore !== null, 'the player has a playback clock');
    // Not before the video shows the pin's moment; and not long after the video showed it (a
    // catch-up jump may skip past the moment, and then the card comes with the first frame after it).
    assert.ok(clockAtCard! >= clickedAt - 250, `the card came ${clickedAt - clockAtCard!} ms before the video reached the pin`);
    assert.ok(clockBefore! <= clickedAt + 500, `the video had passed the pin ${clockBefore! - clickedAt} ms before the card came`);
  });
});
