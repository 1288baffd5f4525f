import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../player/node-env.ts';
import { map } from 'nanostores';
import type { AddToCartDetail } from '../../../widget/events.ts';
import { addToShopifyCart } from '../../../widget/shop/cart.ts';
import '../../../widget/shop/index.ts';
import type { LiveShopPanelElement } from '../../../widget/shop/live-shop-panel.ts';
import type { RoomState } from '../../../widget/state/room.ts';
import { shopStore } from '../../../widget/state/shop.ts';
import { $shopperToken } from '../../../widget/state/shopper.ts';
import { coupon, product, sale } from './fixtures.ts';

function roomWithPins(clock: number) {
  const room = map<RoomState>({ info: null, viewers: 0, stream: 'open', error: null });
  shopStore(room).set({
    pins: [
      { sku: 'A', at: clock - 1000, product: product({ sku: 'A', title: 'Shown' }) },
      { sku: 'B', at: clock + 2000, product: product({ sku: 'B', title: 'Later', variants: [], url: 'https://shop.test/products/b' }) },
    ],
    flashSales: [],
    coupons: [],
  });
  return room;
}

const cards = (el: LiveShopPanelElement) =>
  [...el.shadowRoot!.querySelector('live-shop-product-list')!.shadowRoot!.querySelectorAll('live-shop-product-card')].map((c) => c.product!.title);

describe('<live-shop-panel>', () => {
  let now: number;
  let clock: number | null;

  beforeEach(() => {
    now = Date.now();
    clock = now;
  });

  it('is accessible', async () => {
    const el = await fixture<LiveShopPanelElement>(html`<live-shop-panel .roomStore=${roomWithPins(now)} .clock=${() => clock} room="r" server="http://relay.test"></live-shop-panel>`);
    await expect(el).to.be.accessible();
  });

  it('shows a pinned product only once the video reaches the moment it was pinned', async () => {
    const el = await fixture<LiveShopPanelElement>(html`<live-shop-panel .roomStore=${roomWithPins(now)} .clock=${() => clock} room="r"></live-shop-panel>`);
    await waitUntil(() => cards(el).length === 1);
    expect(cards(el)).to.deep.equal(['Shown']);
    clock = now + 2500; // the delayed player reaches the second pin
    await waitUntil(() => cards(el).length === 2, 'the second card appears on the playback clock');
    expect(cards(el)).to.deep.equal(['Later', 'Shown'], 'newest first');
  });

  it('reveals a flash sale and a coupon when the video reaches the moment they were started', async () => {
    const room = roomWithPins(now);
    const shop = shopStore(room);
    shop.set({ ...shop.get(), flashSales: [sale({ startedAt: now + 1000 })], coupons: [coupon({ createdAt: now + 1000 })] });
    const el = await fixture<LiveShopPanelElement>(html`<live-shop-panel .roomStore=${room} .clock=${() => clock} room="r"></live-shop-panel>`);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('live-shop-flash-sale, live-shop-coupon')).to.equal(null);
    clock = now + 1500;
    await waitUntil(() => el.shadowRoot!.querySelector('live-shop-flash-sale') && el.shadowRoot!.querySelector('live-shop-coupon'), 'both offers appear with the video');
  });

  it('hands add-to-cart to the page as a cancelable typed event with sku, variant, quantity, price, currency and room', async () => {
    clock = now + 5000;
    const el = await fixture<LiveShopPanelElement>(html`<live-shop-panel .roomStore=${roomWithPins(now)} .clock=${() => clock} room="spring-drop"></live-shop-panel>`);
    await waitUntil(() => cards(el).length === 2);
    const received: AddToCartDetail[] = [];
    const take = (e: Event) => {
      received.push((e as CustomEvent<AddToCartDetail>).detail);
      e.preventDefault();
    };
    document.addEventListener('live-shop:add-to-cart', take);
    const opened: unknown[] = [];
    const open = window.open;
    window.open = (...args: unknown[]) => (opened.push(args), null);
    try {
      const card = el.shadowRoot!.querySelector('live-shop-product-list')!.shadowRoot!.querySelectorAll('live-shop-product-card')[1]!;
      card.shadowRoot!.querySelector<HTMLButtonElement>('[part=add]')!.click();
      await waitUntil(() => received.length === 1);
      expect(received[0]).to.deep.include({ sku: 'A', variant: 'eu-42', variantTitle: 'EU 42', quantity: 1, price: '129.00', currency: 'EUR', room: 'spring-drop', source: 'pin' });
      expect(opened).to.have.length(0, 'a handled event opens nothing');
      document.removeEventListener('live-shop:add-to-cart', take);
      const later = el.shadowRoot!.querySelector('live-shop-product-list')!.shadowRoot!.querySelectorAll('live-shop-product-card')[0]!;
      later.shadowRoot!.querySelector<HTMLButtonElement>('[part=add]')!.click();
      await waitUntil(() => opened.length === 1, 'nobody cancelled: the product page opens');
      expect(opened[0]).to.deep.equal(['https://shop.test/products/b', '_blank', 'noopener']);
    } finally {
      window.open = open;
      document.removeEventListener('live-shop:add-to-cart', take);
    }
  });

  it("sends the shop's shopper token with a claim, and asks the shop to sign in when the relay wants a signed-in customer", async () => {
    const room = roomWithPins(now);
    shopStore(room).setKey('coupons', [coupon({ createdAt: now - 1000 })]);
    const bodies: Array<Record<string, unknown>> = [];
    const asked: unknown[] = [];
    const realFetch = window.fetch;
    window.fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init!.body)));
      return new Response(JSON.stringify({ error: { code: 'sign_in_required', message: 'sign in to the shop to claim this' } }), { status: 401 });
    };
    const listen = (e: Event) => asked.push((e as CustomEvent).detail);
    document.addEventListener('live-shop:sign-in-required', listen);
    $shopperToken.set('cust-7.1900000000.' + 'a'.repeat(43));
    try {
      const el = await fixture<LiveShopPanelElement>(html`<live-shop-panel .roomStore=${room} .clock=${() => clock} room="r" server="http://relay.test"></live-shop-panel>`);
      const offer = el.shadowRoot!.querySelector('live-shop-coupon')!;
      await offer.updateComplete;
      offer.shadowRoot!.querySelector<HTMLButtonElement>('[part=claim]')!.click();
      await waitUntil(() => asked.length > 0, 'the shop is asked to sign the shopper in');
      expect(bodies[0]!.shopperToken).to.equal('cust-7.1900000000.' + 'a'.repeat(43));
      expect(typeof bodies[0]!.shopper).to.equal('string');
      expect(asked[0]).to.deep.equal({ room: 'r', action: 'coupon' });
      await waitUntil(() => offer.shadowRoot!.querySelector('[role=alert]')?.textContent?.includes('Sign in to the shop to claim this.'), 'and the shopper is told why');
    } finally {
      window.fetch = realFetch;
      $shopperToken.set('');
      document.removeEventListener('live-shop:sign-in-required', listen);
    }
  });

  it('adds to a Shopify cart through /cart/add.js', async () => {
    const calls: Array<[string, RequestInit]> = [];
    const realFetch = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push([String(input), init!]);
      return new Response('{}', { status: 200 });
    };
    try {
      const ok = await addToShopifyCart({ sku: 'A', variant: '4000123', variantTitle: 'EU 42', quantity: 2, price: '129.00', currency: 'EUR', room: 'r', title: 'A', url: null, source: 'pin' });
      expect(ok).to.equal(true);
      expect(calls[0]![0]).to.equal('/cart/add.js');
      expect(calls[0]![1].method).to.equal('POST');
      expect(JSON.parse(String(calls[0]![1].body))).to.deep.equal({ items: [{ id: '4000123', quantity: 2, properties: { _live_shop_room: 'r' } }] });
    } finally {
      window.fetch = realFetch;
    }
  });
});
