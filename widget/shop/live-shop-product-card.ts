import { LitElement, css, html, nothing } from 'lit';
import type { Product } from '../state/shop.ts';
import { formatPrice, resolveLink } from './format.ts';
import { shopStyles } from './shop-styles.ts';

export interface AddToCartRequest {
  product: Product;
  variant: string | null;
  quantity: number;
}

/**
 * One product of the show: image, title, price, variants, stock and "Add to cart". All product
 * text is rendered as text.
 *
 * @fires live-shop-add-to-cart-request - Bubbling and composed, `detail: { product, variant, quantity }`;
 *   the show turns it into the public, cancelable `live-shop:add-to-cart`.
 *
 * @csspart card - The card's box.
 * @csspart image - The product image.
 * @csspart title - The product title.
 * @csspart price - The price.
 * @csspart variants - The variant picker.
 * @csspart stock - The stock line ("Only 3 left", "Sold out").
 * @csspart add - The "Add to cart" button.
 *
 * @cssproperty [--live-shop-accent=#e11d48] - Button and highlight colour.
 * @cssproperty [--live-shop-surface=#fff] - Card background.
 * @cssproperty [--live-shop-ink=#0f172a] - Text colour.
 * @cssproperty [--live-shop-radius=12px] - Corner radius.
 */
export class LiveShopProductCardElement extends LitElement {
  static override properties = {
    product: { attribute: false },
    server: {},
    highlighted: { type: Boolean, reflect: true },
    variant: { state: true },
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: block; }
      .card {
        display: grid;
        grid-template-columns: 72px 1fr;
        gap: 4px 12px;
        align-items: center;
        background: var(--surface);
        border-radius: var(--radius);
        padding: 10px;
        box-shadow: 0 1px 3px rgb(0 0 0 / 15%);
      }
      :host([highlighted]) .card { box-shadow: 0 0 0 2px var(--accent); }
      img { grid-row: span 4; width: 72px; height: 72px; object-fit: cover; border-radius: calc(var(--radius) / 2); background: #f1f5f9; }
      h3 { margin: 0; font-size: 15px; line-height: 1.25; overflow-wrap: anywhere; }
      .price { font-weight: 700; }
      .stock { font-size: 13px; color: var(--muted); }
      .stock.out { color: #b91c1c; font-weight: 600; }
      .actions { display: flex; gap: 8px; align-items: center; }
      select { font: inherit; padding: 6px; border-radius: 8px; border: 1px solid #cbd5e1; max-width: 10em; }
    `,
  ];

  declare product: Product | null;
  declare server: string;
  declare highlighted: boolean;
  declare variant: string | null;

  constructor() {
    super();
    this.product = null;
    this.server = '';
    this.highlighted = false;
    this.variant = null;
  }

  protected override render() {
    const product = this.product;
    if (!product) return nothing;
    const variants = product.variants;
    const chosen = variants.find((v) => v.id === this.variant) ?? variants.find((v) => v.stock !== 0) ?? variants[0] ?? null;
    const stock = chosen?.stock ?? product.stock;
    const soldOut = stock === 0;
    const price = chosen?.price ?? product.price;
    const image = resolveLink(this.server, product.image);
    const titleId = `title-${product.sku}`;
    return html`
      <article part="card" class="card" aria-labelledby=${titleId}>
        ${image ? html`<img part="image" src=${image} alt="" loading="lazy" />` : html`<span></span>`}
        <h3 part="title" id=${titleId}>${product.title}</h3>
        <span part="price" class="price">${formatPrice(price, product.currency)}</span>
        <span part="stock" class="stock ${soldOut ? 'out' : ''}">${soldOut ? 'Sold out' : stock !== null && stock <= 5 ? `Only ${stock} left` : 'In stock'}</span>
        <div class="actions">
          ${variants.length > 0
            ? html`<select part="variants" aria-label="Option for ${product.title}" @change=${(e: Event) => (this.variant = (e.target as HTMLSelectElement).value)}>
                ${variants.map((v) => html`<option value=${v.id} ?selected=${v.id === chosen?.id} ?disabled=${v.stock === 0}>${v.title}${v.stock === 0 ? ' (sold out)' : ''}</option>`)}
              </select>`
            : nothing}
          <button part="add" ?disabled=${soldOut} aria-label="${soldOut ? 'Sold out' : 'Add to cart'}: ${product.title}" @click=${() => this.request(chosen?.id ?? null)}>
            ${soldOut ? 'Sold out' : 'Add to cart'}
          </button>
        </div>
      </article>
    `;
  }

  private request(variant: string | null): void {
    if (!this.product) return;
    const detail: AddToCartRequest = { product: this.product, variant, quantity: 1 };
    this.dispatchEvent(new CustomEvent('live-shop-add-to-cart-request', { detail, bubbles: true, composed: true }));
  }
}
