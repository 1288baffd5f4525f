import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  endShow,
  framesPresented,
  goLive,
  launchChromium,
  openStorefront,
  openStudio,
  partText,
  pictureLuma,
  startStack,
  waitForViewerState,
  type Stack,
} from './harness.ts';

describe('the live room over WebRTC', { timeout: 180_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let studio: Page;
  let early: Page;
  let late: Page;

  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows "not live yet" to a shopper who arrives before the show', async () => {
    early = await openStorefront(browser, stack, 'early viewer');
    await waitForViewerState(early, 'idle');
    assert.match((await partText(early, 'status')) ?? '', /Not live yet/);
  });

  it('goes live from the studio with three simulcast layers', async () => {
    studio = await openStudio(browser, stack);
    await goLive(studio);
    await studio.waitForFunction(
      () => (document.querySelector('live-shop-studio')?.shadowRoot?.querySelector('.layers')?.textContent ?? '').split(',').length >= 3,
      undefined,
      { timeout: 20_000 },
    );
  });

  it('plays the show, muted with a tap-to-unmute, for the shopper who was waiting', async () => {
    await waitForViewerState(early, 'live', 20_000);
    assert.equal(await early.evaluate(() => document.querySelector('live-shop')!.transport), 'webrtc');
    const frames = await framesPresented(early, 3000);
    assert.ok(frames >= 30, `expected the picture to move (>= 30 frames in 3 s), got ${frames}`);
    const luma = await pictureLuma(early);
    assert.ok(luma.mean > 20 && luma.spread > 10, `picture looks black or flat: ${JSON.stringify(luma)}`);
    assert.match((await partText(early, 'unmute')) ?? '', /Tap to unmute/);
    assert.match((await partText(early, 'badge')) ?? '', /LIVE/);
  });

  it('lets a shopper join mid-show and updates everyone\'s viewer count', async () => {
    await early.waitForFunction(() => /^1 watching/.test(document.querySelector('live-shop')!.shadowRoot!.querySelector('[part=viewers]')?.textContent ?? ''), undefined, { timeout: 5000 });
    late = await openStorefront(browser, stack, 'late viewer');
    await waitForViewerState(late, 'live', 10_000);
    assert.ok((await framesPresented(late, 2000)) >= 20, 'the late viewer sees a moving picture');
    await early.waitForFunction(() => /^2 watching/.test(document.querySelector('live-shop')!.shadowRoot!.querySelector('[part=viewers]')?.textContent ?? ''), undefined, { timeout: 5000 });
  });

  it('shows "reconnecting" while the connection recovers from an SFU restart, then plays again', async () => {
    await late.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStates: string[] }).seenStates = seen;
      document.addEventListener('live-shop:state', (event) => seen.push((event as CustomEvent<{ state: string }>).detail.state));
    });
    // The relay's supervisor restarts the LiveKit it runs; every client has to reconnect.
    execFileSync('pkill', ['-KILL', '-f', stack.relay.livekit.localServer!.configPath]);
    await late.waitForFunction(() => (window as unknown as { seenStates: string[] }).seenStates.includes('reconnecting'), undefined, { timeout: 15_000 });
    await waitForViewerState(late, 'live', 30_000);
    assert.ok((await framesPresented(late, 2000)) >= 20, 'the picture moves again after reconnecting');
    assert.equal(await studio.evaluate(() => document.querySelector('live-shop-studio')!.state), 'live');
  });

  it('unmutes on tap', async () => {
    await late.locator('live-shop').getByRole('button', { name: /Tap to unmute/ }).click();
    assert.equal(await partText(late, 'unmute'), null);
  });

  it('shows "the show has ended" to every shopper when the host ends it', async () => {
    await endShow(studio);
    await waitForViewerState(early, 'ended');
    await waitForViewerState(late, 'ended');
    assert.match((await partText(late, 'status')) ?? '', /The show has ended/);
    const room = (await (await fetch(`${stack.url}/v1/rooms/spring-drop`)).json()) as { status: string };
    assert.equal(room.status, 'ended');
  });
});
