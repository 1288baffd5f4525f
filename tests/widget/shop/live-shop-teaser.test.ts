import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../player/node-env.ts';
import '../../../widget/index.ts';
import type { LiveShopElement } from '../../../widget/live-shop.ts';
import type { LiveShopTeaserElement } from '../../../widget/shop/live-shop-teaser.ts';

/** Answers the relay's "live now" question as a show pinning `sku` would. */
function fakeRelay(live: Array<{ room: string; title: string; viewers: number }>) {
  const asked: string[] = [];
  const realFetch = window.fetch;
  window.fetch = async (input: RequestInfo | URL) => {
    const url = String(input);
    asked.push(url);
    if (url.includes('/v1/live?product=')) return new Response(JSON.stringify({ product: 'TR2', live }), { status: 200, headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no such room' } }), { status: 404 });
  };
  return { asked, restore: () => (window.fetch = realFetch) };
}

describe('<live-shop-teaser>', () => {
  it('is accessible', async () => {
    const relay = fakeRelay([{ room: 'spring-drop', title: 'Spring drop', viewers: 12 }]);
    try {
      const el = await fixture<LiveShopTeaserElement>(html`<live-shop-teaser product="TR2" server="http://relay.test"></live-shop-teaser>`);
      await waitUntil(() => el.shadowRoot!.querySelector('[part=teaser]'));
      await expect(el).to.be.accessible();
    } finally {
      relay.restore();
    }
  });

  it('shows nothing while no show features the product', async () => {
    const relay = fakeRelay([]);
    try {
      const el = await fixture<LiveShopTeaserElement>(html`<live-shop-teaser product="TR2" server="http://relay.test"></live-shop-teaser>`);
      await waitUntil(() => relay.asked.length > 0);
      await el.updateComplete;
      expect(relay.asked[0]).to.equal('http://relay.test/v1/live?product=TR2');
      expect(el.shadowRoot!.querySelector('[part=teaser]')).to.equal(null);
    } finally {
      relay.restore();
    }
  });

  it('says "Live now" with the show\'s title as text, and asks to open the room', async () => {
    const relay = fakeRelay([{ room: 'spring-drop', title: '<b>Spring</b> drop', viewers: 12 }]);
    try {
      const el = await fixture<LiveShopTeaserElement>(html`<live-shop-teaser product="TR2" server="http://relay.test"></live-shop-teaser>`);
      const button = await waitUntil(() => el.shadowRoot!.querySelector<HTMLButtonElement>('[part=teaser]')).then(() => el.shadowRoot!.querySelector<HTMLButtonElement>('[part=teaser]')!);
      expect(button.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Live now · <b>Spring</b> drop · Watch');
      expect(el.shadowRoot!.querySelector('b')).to.equal(null);
      setTimeout(() => button.click());
      const event = (await oneEvent(el, 'live-shop-open-room-request')) as CustomEvent;
      expect(event.detail.room).to.equal('spring-drop');
    } finally {
      relay.restore();
    }
  });

  it('opens the show in place from <live-shop product="...">', async () => {
    const relay = fakeRelay([{ room: 'spring-drop', title: 'Spring drop', viewers: 12 }]);
    try {
      const el = await fixture<LiveShopElement>(html`<live-shop product="TR2" server="http://relay.test"></live-shop>`);
      expect(el.state).to.equal('idle');
      const teaser = el.shadowRoot!.querySelector('live-shop-teaser')!;
      await waitUntil(() => teaser.shadowRoot!.querySelector('[part=teaser]'));
      teaser.shadowRoot!.querySelector<HTMLButtonElement>('[part=teaser]')!.click();
      await waitUntil(() => el.room === 'spring-drop', 'the element takes the room');
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('live-shop-teaser')).to.equal(null);
      expect(el.shadowRoot!.querySelector('[part=stage]')).to.not.equal(null);
    } finally {
      relay.restore();
    }
  });
});
