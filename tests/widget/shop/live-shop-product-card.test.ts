import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../player/node-env.ts';
import '../../../widget/shop/index.ts';
import type { LiveShopProductCardElement } from '../../../widget/shop/live-shop-product-card.ts';
import { HOSTILE, product } from './fixtures.ts';

describe('<live-shop-product-card>', () => {
  it('is accessible', async () => {
    const el = await fixture<LiveShopProductCardElement>(html`<live-shop-product-card .product=${product()} server="http://relay.test"></live-shop-product-card>`);
    await expect(el).to.be.accessible();
  });

  it('shows image, title, price, variants and low stock; sold-out variants cannot be chosen', async () => {
    const el = await fixture<LiveShopProductCardElement>(html`<live-shop-product-card .product=${product()} server="http://relay.test"></live-shop-product-card>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('[part=title]')!.textContent).to.equal('Trail Runner 2');
    expect(root.querySelector('[part=price]')!.textContent).to.contain('129');
    expect(root.querySelector('img')!.getAttribute('src')).to.equal('http://relay.test/demo/images/trail-runner.svg');
    const options = [...root.querySelectorAll('option')];
    expect(options.map((o) => o.disabled)).to.deep.equal([true, false, false]);
    expect(root.querySelector('select')!.value).to.equal('eu-42', 'the first variant in stock is preselected');
    expect(root.querySelector('[part=stock]')!.textContent).to.equal('Only 4 left');
  });

  it("shows prices with the currency's minor units: whole yen, three decimals for dinars", async () => {
    const yen = await fixture<LiveShopProductCardElement>(html`<live-shop-product-card .product=${product({ price: '1500', currency: 'JPY', variants: [] })}></live-shop-product-card>`);
    const yenPrice = yen.shadowRoot!.querySelector('[part=price]')!.textContent!;
    expect(yenPrice).to.equal(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'JPY' }).format(1500));
    expect(yenPrice).to.match(/1.?500/).and.not.match(/[.,]00\b/);
    const dinar = await fixture<LiveShopProductCardElement>(html`<live-shop-product-card .product=${product({ price: '12.500', currency: 'KWD', variants: [] })}></live-shop-product-card>`);
    expect(dinar.shadowRoot!.querySelector('[part=price]')!.textContent).to.match(/12.500/);
  });

  it('asks for add-to-cart with the chosen variant', async () => {
    const el = await fixture<LiveShopProductCardElement>(html`<live-shop-product-card .product=${product()}></live-shop-product-card>`);
    const select = el.shadowRoot!.querySelector('select')!;
    select.value = 'eu-43';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=price]')!.textContent).to.contain('119');
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('[part=add]')!.click());
    const event = (await oneEvent(el, 'live-shop-add-to-cart-request')) as CustomEvent;
    expect(event.detail.variant).to.equal('eu-43');
    expect(event.detail.quantity).to.equal(1);
    expect(event.bubbles && event.composed).to.equal(true);
  });

  it('says sold out and disables the button when nothing is left', async () => {
    const el = await fixture<LiveShopProductCardElement>(html`<live-shop-product-card .product=${product({ variants: [], stock: 0 })}></live-shop-product-card>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=add]')!;
    expect(button.disabled).to.equal(true);
    expect(el.shadowRoot!.querySelector('[part=stock]')!.textContent).to.equal('Sold out');
  });

  it('renders markup in product fields as inert text, and drops non-http image links', async () => {
    const el = await fixture<LiveShopProductCardElement>(
      html`<live-shop-product-card .product=${product({ title: HOSTILE, image: 'javascript:alert(1)', variants: [{ id: 'x', title: HOSTILE, price: null, stock: 1 }] })}></live-shop-product-card>`,
    );
    const root = el.shadowRoot!;
    expect(root.querySelector('[part=title]')!.textContent).to.equal(HOSTILE);
    expect(root.querySelector('option')!.textContent).to.contain(HOSTILE);
    expect(root.querySelectorAll('script, img')).to.have.length(0);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });
});
