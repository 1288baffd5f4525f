import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../player/node-env.ts';
import '../../../widget/shop/index.ts';
import type { LiveShopCouponElement } from '../../../widget/shop/live-shop-coupon.ts';
import type { LiveShopFlashSaleElement } from '../../../widget/shop/live-shop-flash-sale.ts';
import { HOSTILE, coupon, sale } from './fixtures.ts';

describe('<live-shop-flash-sale>', () => {
  it('is accessible', async () => {
    const el = await fixture<LiveShopFlashSaleElement>(html`<live-shop-flash-sale .sale=${sale()}></live-shop-flash-sale>`);
    await expect(el).to.be.accessible();
  });

  it('shows both prices, the countdown and the stock left', async () => {
    const el = await fixture<LiveShopFlashSaleElement>(html`<live-shop-flash-sale .sale=${sale()}></live-shop-flash-sale>`);
    const root = el.shadowRoot!;
    expect(root.textContent).to.contain('99').and.to.contain('129');
    expect(root.querySelector('[part=countdown]')!.textContent).to.match(/^2:0[45]$/);
    expect(root.querySelector('[part=stock]')!.textContent).to.contain('7 of 20 left');
    setTimeout(() => root.querySelector<HTMLButtonElement>('[part=buy]')!.click());
    const event = (await oneEvent(el, 'live-shop-flash-sale-request')) as CustomEvent;
    expect(event.detail.sale.id).to.equal('sale-1');
  });

  it('follows the stock down to sold out, then to ended', async () => {
    const el = await fixture<LiveShopFlashSaleElement>(html`<live-shop-flash-sale .sale=${sale()}></live-shop-flash-sale>`);
    el.sale = sale({ remaining: 0, status: 'sold-out' });
    await el.updateComplete;
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=buy]')!;
    expect(button.disabled).to.equal(true);
    expect(button.textContent!.trim()).to.equal('Sold out');
    el.sale = sale({ status: 'active', endsAt: Date.now() - 1 });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=countdown]')!.textContent).to.equal('Ended');
  });

  it('renders a hostile product title as text', async () => {
    const el = await fixture<LiveShopFlashSaleElement>(html`<live-shop-flash-sale .sale=${sale({ title: HOSTILE })}></live-shop-flash-sale>`);
    expect(el.shadowRoot!.textContent).to.contain(HOSTILE);
    expect(el.shadowRoot!.querySelectorAll('script, img')).to.have.length(0);
  });
});

describe('<live-shop-coupon>', () => {
  it('is accessible', async () => {
    const el = await fixture<LiveShopCouponElement>(html`<live-shop-coupon .coupon=${coupon()}></live-shop-coupon>`);
    await expect(el).to.be.accessible();
  });

  it('claims with one tap and then shows the code', async () => {
    const el = await fixture<LiveShopCouponElement>(html`<live-shop-coupon .coupon=${coupon()}></live-shop-coupon>`);
    expect(el.shadowRoot!.textContent).to.contain('12 of 50 left');
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('[part=claim]')!.click());
    const event = (await oneEvent(el, 'live-shop-coupon-claim-request')) as CustomEvent;
    expect(event.detail.coupon.id).to.equal('c-1');
    el.code = 'SPRING10';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=code]')!.textContent).to.equal('SPRING10');
    expect(el.shadowRoot!.querySelector('[part=claim]')).to.equal(null);
  });

  it('cannot be claimed when all are gone or it expired, and says why a claim failed', async () => {
    const el = await fixture<LiveShopCouponElement>(html`<live-shop-coupon .coupon=${coupon({ remaining: 0, status: 'claimed-out' })} message="Every one of these coupons has been claimed."></live-shop-coupon>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=claim]')!;
    expect(button.disabled).to.equal(true);
    expect(button.textContent!.trim()).to.equal('All claimed');
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('has been claimed');
    el.coupon = coupon({ expiresAt: Date.now() - 1 });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=claim]')!.textContent!.trim()).to.equal('Expired');
  });

  it('renders a hostile coupon title as text', async () => {
    const el = await fixture<LiveShopCouponElement>(html`<live-shop-coupon .coupon=${coupon({ title: HOSTILE })}></live-shop-coupon>`);
    expect(el.shadowRoot!.querySelector('.title')!.textContent).to.equal(HOSTILE);
    expect(el.shadowRoot!.querySelectorAll('script, img')).to.have.length(0);
  });
});
