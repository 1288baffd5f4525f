import { LitElement, css, html, nothing } from 'lit';
import type { FlashSale } from '../state/shop.ts';
import { formatCountdown, formatPrice, resolveLink } from './format.ts';
import { shopStyles } from './shop-styles.ts';
import { Ticker } from './ticker.ts';

/**
 * A flash sale: sale price against the regular one, a countdown, the stock falling live, and
 * "Sold out" or "Ended" when it is over.
 *
 * @fires live-shop-flash-sale-request - Bubbling and composed, `detail: { sale }`: the shopper wants one.
 *
 * @csspart sale - The sale's box.
 * @csspart countdown - The time left.
 * @csspart stock - The stock bar and "N left".
 * @csspart buy - The "Buy now" button.
 * @csspart message - What happened to the shopper's request (reserved, or why not).
 *
 * @cssproperty [--live-shop-accent=#e11d48] - Colour of the bar and the button.
 * @cssproperty [--live-shop-sale-background=#fff1f2] - Background of the sale.
 * @cssproperty [--live-shop-sale-ink=#9f1239] - Colour of the "Flash sale" tag.
 */
export class LiveShopFlashSaleElement extends LitElement {
  static override properties = {
    sale: { attribute: false },
    server: {},
    message: {},
    busy: { type: Boolean },
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: block; }
      .sale { background: var(--live-shop-sale-background, #fff1f2); border-radius: var(--radius); padding: 10px; display: grid; gap: 6px; }
      .head { display: flex; justify-content: space-between; gap: 8px; font-weight: 700; }
      .tag { color: var(--live-shop-sale-ink, #9f1239); text-transform: uppercase; font-size: 12px; letter-spacing: 0.08em; }
      .row { display: flex; gap: 10px; align-items: center; }
      img { width: 48px; height: 48px; object-fit: cover; border-radius: 8px; }
      s { color: var(--muted); font-weight: 400; }
      .bar { height: 6px; background: #fecdd3; border-radius: 3px; overflow: hidden; }
      .bar span { display: block; height: 100%; background: var(--accent); transition: width 0.3s; }
      .message { font-size: 13px; color: var(--muted); margin: 0; }
    `,
  ];

  declare sale: FlashSale | null;
  declare server: string;
  declare message: string;
  declare busy: boolean;

  constructor() {
    super();
    this.sale = null;
    this.server = '';
    this.message = '';
    this.busy = false;
    new Ticker(this, 1000);
  }

  protected override render() {
    const sale = this.sale;
    if (!sale) return nothing;
    const left = sale.endsAt - Date.now();
    const status = sale.status === 'active' && left <= 0 ? 'ended' : sale.status;
    const image = resolveLink(this.server, sale.image);
    const share = sale.quantity > 0 ? (sale.remaining / sale.quantity) * 100 : 0;
    return html`
      <section part="sale" class="sale" aria-label="Flash sale: ${sale.title}">
        <div class="head">
          <span class="tag">Flash sale</span>
          <span part="countdown" role="timer" aria-label="Time left">${status === 'ended' ? 'Ended' : formatCountdown(left)}</span>
        </div>
        <div class="row">
          ${image ? html`<img src=${image} alt="" />` : nothing}
          <div>
            <div>${sale.title}</div>
            <strong>${formatPrice(sale.price, sale.currency)}</strong> <s>${formatPrice(sale.regularPrice, sale.currency)}</s>
          </div>
        </div>
        <div part="stock">
          <div class="bar" aria-hidden="true"><span style="width:${share}%"></span></div>
          <span aria-live="polite">${status === 'sold-out' ? 'Sold out' : `${sale.remaining} of ${sale.quantity} left`}</span>
        </div>
        <button part="buy" ?disabled=${status !== 'active' || this.busy} @click=${this.request}>
          ${status === 'sold-out' ? 'Sold out' : status === 'ended' ? 'Sale ended' : 'Buy now'}
        </button>
        ${this.message ? html`<p part="message" class="message" role="status">${this.message}</p>` : nothing}
      </section>
    `;
  }

  private request(): void {
    this.dispatchEvent(new CustomEvent('live-shop-flash-sale-request', { detail: { sale: this.sale }, bubbles: true, composed: true }));
  }
}
