import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Pin } from '../state/shop.ts';
import { shopStyles } from './shop-styles.ts';

/**
 * The products the host is showing now: up to three highlighted cards, newest first.
 *
 * @csspart list - The list of cards.
 * @cssproperty [--live-shop-accent=#e11d48] - Highlight colour of the cards.
 */
export class LiveShopProductListElement extends LitElement {
  static override properties = {
    pins: { attribute: false },
    server: {},
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: block; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
      h2 { font-size: 14px; margin: 0 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
    `,
  ];

  declare pins: Pin[];
  declare server: string;

  constructor() {
    super();
    this.pins = [];
    this.server = '';
  }

  protected override render() {
    if (this.pins.length === 0) return nothing;
    const newestFirst = [...this.pins].reverse().slice(0, 3);
    return html`
      <section aria-label="Products in the show">
        <h2>In the show</h2>
        <ul part="list" aria-live="polite">
          ${repeat(
            newestFirst,
            (pin) => pin.sku,
            (pin) => html`<li><live-shop-product-card .product=${pin.product} server=${this.server} highlighted></live-shop-product-card></li>`,
          )}
        </ul>
      </section>
    `;
  }
}
