import { LitElement, css, html, type PropertyValues } from 'lit';

const BATCH_MS = 400;
const MAX_HEARTS = 16;

/**
 * The like button with the show's running total, and hearts floating up for every like (the
 * shopper's own at once, everyone's as the relay sums them). Taps are sent in small batches.
 *
 * @fires live-shop-like-request - Bubbling and composed, `detail: { count }`: taps since the last batch.
 *
 * @csspart button - The heart button.
 * @csspart count - The total.
 * @csspart heart - One floating heart.
 *
 * @cssproperty [--live-shop-heart-color=#f43f5e] - Colour of the hearts.
 */
export class LiveShopLikesElement extends LitElement {
  static override properties = {
    total: { type: Number },
    delta: { type: Number },
    burst: { type: Number },
    hearts: { state: true },
  };

  static override styles = css`
    :host { display: inline-grid; justify-items: center; position: relative; font: 600 13px var(--live-shop-font, system-ui, sans-serif); color: #fff; }
    button {
      width: 44px; height: 44px; border-radius: 50%; border: 0; cursor: pointer;
      background: rgb(0 0 0 / 45%); color: var(--live-shop-heart-color, #f43f5e); font-size: 22px; line-height: 1;
    }
    button:focus-visible { outline: 3px solid #fff; outline-offset: 2px; }
    .count { background: rgb(0 0 0 / 70%); padding: 0 6px; border-radius: 999px; }
    .heart {
      position: absolute; bottom: 40px; color: var(--live-shop-heart-color, #f43f5e); font-size: 20px; pointer-events: none;
      animation: rise 1.6s ease-out forwards;
    }
    @keyframes rise { to { transform: translate(var(--dx), -160px) scale(1.4); opacity: 0; } }
    @media (prefers-reduced-motion: reduce) { .heart { display: none; } }
  `;

  declare total: number;
  /** Likes in the latest update from the relay, and a counter that changes with each update. */
  declare delta: number;
  declare burst: number;
  declare hearts: Array<{ id: number; dx: number }>;
  private pending = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartId = 0;
  private ownInFlight = 0;

  constructor() {
    super();
    this.total = 0;
    this.delta = 0;
    this.burst = 0;
    this.hearts = [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.flush();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('burst') && changed.get('burst') !== undefined) {
      // The shopper's own likes are already floating: only the others' float now.
      const others = Math.max(0, this.delta - this.ownInFlight);
      this.ownInFlight = Math.max(0, this.ownInFlight - this.delta);
      this.float(Math.min(others, 6));
    }
  }

  protected override render() {
    const shown = this.total + this.ownInFlight; // own taps count at once, before the relay's sum
    return html`
      <button part="button" aria-label="Like the show" @click=${this.tap}>♥</button>
      <span part="count" class="count" aria-live="off">${shown.toLocaleString()}</span>
      ${this.hearts.map((h) => html`<span part="heart" class="heart" style="--dx:${h.dx}px" aria-hidden="true" @animationend=${() => this.pop(h.id)}>♥</span>`)}
    `;
  }

  private tap(): void {
    this.pending += 1;
    this.ownInFlight += 1;
    this.float(1);
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === 0) return;
    const count = this.pending;
    this.pending = 0;
    this.dispatchEvent(new CustomEvent('live-shop-like-request', { detail: { count }, bubbles: true, composed: true }));
  }

  private float(n: number): void {
    const added = Array.from({ length: n }, () => ({ id: ++this.heartId, dx: Math.round(Math.random() * 40 - 20) }));
    this.hearts = [...this.hearts, ...added].slice(-MAX_HEARTS);
  }

  private pop(id: number): void {
    this.hearts = this.hearts.filter((h) => h.id !== id);
  }
}
