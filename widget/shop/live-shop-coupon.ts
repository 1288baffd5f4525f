import { LitElement, css, html, nothing } from 'lit';
import type { Coupon } from '../state/shop.ts';
import { formatCountdown } from './format.ts';
import { shopStyles } from './shop-styles.ts';
import { Ticker } from './ticker.ts';

/**
 * A coupon the host pushed: what it gives, how many are left, when it expires, and a one-tap
 * "Claim". Once claimed, the code shows with a copy button.
 *
 * @fires live-shop-coupon-claim-request - Bubbling and composed, `detail: { coupon }`.
 *
 * @csspart coupon - The coupon's box.
 * @csspart claim - The "Claim" button.
 * @csspart code - The claimed code.
 * @csspart message - Why a claim did not work.
 *
 * @cssproperty [--live-shop-accent=#e11d48] - Border and button colour.
 * @cssproperty [--live-shop-coupon-background=#fffbeb] - Background of the coupon.
 */
export class LiveShopCouponElement extends LitElement {
  static override properties = {
    coupon: { attribute: false },
    code: {},
    message: {},
    busy: { type: Boolean },
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: block; }
      .coupon {
        border: 2px dashed var(--accent);
        background: var(--live-shop-coupon-background, #fffbeb);
        border-radius: var(--radius);
        padding: 10px;
        display: grid;
        gap: 6px;
      }
      .title { font-weight: 700; overflow-wrap: anywhere; }
      .meta { font-size: 13px; color: var(--muted); }
      code { font-size: 18px; font-weight: 700; letter-spacing: 0.08em; }
      .message { font-size: 13px; margin: 0; color: #b91c1c; }
    `,
  ];

  declare coupon: Coupon | null;
  declare code: string | null;
  declare message: string;
  declare busy: boolean;

  constructor() {
    super();
    this.coupon = null;
    this.code = null;
    this.message = '';
    this.busy = false;
    new Ticker(this, 1000);
  }

  protected override render() {
    const coupon = this.coupon;
    if (!coupon) return nothing;
    const left = coupon.expiresAt - Date.now();
    const expired = coupon.status === 'expired' || left <= 0;
    const gone = coupon.status === 'claimed-out' || coupon.remaining <= 0;
    return html`
      <section part="coupon" class="coupon" aria-label="Coupon: ${coupon.title}">
        <span class="title">${coupon.title}</span>
        <span class="meta" aria-live="polite">
          ${expired ? 'Expired' : `${coupon.remaining} of ${coupon.quantity} left · ends in ${formatCountdown(left)}`}
        </span>
        ${this.code
          ? html`<div>Your code: <code part="code">${this.code}</code>
              <button @click=${this.copy} aria-label="Copy the code">Copy</button></div>`
          : html`<button part="claim" ?disabled=${expired || gone || this.busy} @click=${this.request}>
              ${expired ? 'Expired' : gone ? 'All claimed' : 'Claim'}
            </button>`}
        ${this.message ? html`<p part="message" class="message" role="alert">${this.message}</p>` : nothing}
      </section>
    `;
  }

  private request(): void {
    this.dispatchEvent(new CustomEvent('live-shop-coupon-claim-request', { detail: { coupon: this.coupon }, bubbles: true, composed: true }));
  }

  private copy(): void {
    if (this.code) void navigator.clipboard?.writeText(this.code).catch(() => undefined);
  }
}
