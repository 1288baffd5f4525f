import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import './player/node-env.ts';
import '../../widget/index.ts';
import type { LiveShopEventMap } from '../../widget/events.ts';
import type { LiveShopElement } from '../../widget/live-shop.ts';
import { liveShow } from './player/player-contract.ts';

const part = (el: LiveShopElement, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

describe('<live-shop>', function () {
  this.timeout(30_000);

  it('is accessible while playing a live show', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopElement>(html`<live-shop room=${show.room} server=${show.server}></live-shop>`);
    await waitUntil(() => el.state === 'live', 'the show plays', { timeout: 20_000 });
    await expect(el).to.be.accessible();
  });

  it('defaults to automatic transport and starts by connecting', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopElement>(html`<live-shop room=${show.room} server=${show.server}></live-shop>`);
    expect(el.transportPreference).to.equal('auto');
    expect(el.state).to.equal('connecting');
    expect(part(el, 'status')!.textContent).to.contain('Connecting');
    expect(el.shadowRoot!.querySelector('video')!.muted).to.equal(true);
  });

  it('says so when it has no room', async () => {
    const el = await fixture<LiveShopElement>(html`<live-shop></live-shop>`);
    expect(el.state).to.equal('error');
    expect(part(el, 'status')!.textContent).to.contain('no room attribute');
  });

  it('tells the shopper when the show does not exist', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopElement>(html`<live-shop room="no-such-show" server=${show.server}></live-shop>`);
    await waitUntil(() => el.state === 'error', 'an error state', { timeout: 5000 });
    expect(part(el, 'status')!.getAttribute('role')).to.equal('alert');
    expect(part(el, 'status')!.textContent).to.contain('There is no show called "no-such-show"');
  });

  it('tells the shopper when the server cannot be reached, with a way to try again', async () => {
    const el = await fixture<LiveShopElement>(html`<live-shop room="spring-drop" server="http://127.0.0.1:9"></live-shop>`);
    await waitUntil(() => el.state === 'error', 'an error state', { timeout: 5000 });
    expect(part(el, 'status')!.textContent).to.contain('cannot reach the live-shop server');
    expect(part(el, 'retry')).not.to.equal(null);
  });

  it('plays muted with a live badge, a viewer count and a tap-to-unmute that unmutes', async () => {
    const show = await liveShow();
    const states: LiveShopEventMap['live-shop:state'][] = [];
    const el = document.createElement('live-shop');
    el.addEventListener('live-shop:state', (event) => states.push(event.detail));
    el.setAttribute('room', show.room);
    el.setAttribute('server', show.server);
    el.setAttribute('transport', 'webrtc');
    document.body.append(el);
    try {
      await waitUntil(() => el.state === 'live', 'the show plays', { timeout: 20_000 });
      expect(el.transport).to.equal('webrtc');
      expect(states.map((s) => s.state)).to.include.members(['connecting', 'live']);
      expect(states.at(-1)).to.deep.include({ state: 'live', transport: 'webrtc', room: show.room, error: null });
      expect(part(el, 'badge')!.textContent).to.equal('LIVE');
      await waitUntil(() => /^\d+ watching$/.test(part(el, 'viewers')?.textContent ?? ''), 'a viewer count');
      const video = el.shadowRoot!.querySelector('video')!;
      expect(getComputedStyle(video).opacity).to.equal('1');
      expect(video.muted).to.equal(true);
      part(el, 'unmute')!.click();
      await el.updateComplete;
      expect(part(el, 'unmute')).to.equal(null);
    } finally {
      el.remove();
    }
  });

  it('fires live-shop:state as a bubbling, composed event', async () => {
    const show = await liveShow();
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('live-shop');
    el.setAttribute('room', 'no-such-show');
    el.setAttribute('server', show.server);
    const heard = oneEvent(host, 'live-shop:state');
    host.append(el);
    const event = (await heard) as CustomEvent<LiveShopEventMap['live-shop:state']>;
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(event.detail.room).to.equal('no-such-show');
  });
});
