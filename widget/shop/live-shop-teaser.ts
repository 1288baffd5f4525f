import { LitElement, css, html, nothing } from 'lit';
import { relayFetch } from '../relay/client.ts';

interface LiveNow {
  room: string;
  title: string;
  viewers: number;
}

const POLL_MS = 30_000;

/**
 * On a product page, `<live-shop product="SKU">` shows this small "live now" teaser while a show
 * features that product; pressing it opens the show in place.
 *
 * @fires live-shop-open-room-request - Bubbling and composed, `detail: { room }`.
 *
 * @csspart teaser - The teaser button.
 * @cssproperty [--live-shop-accent=#e11d48] - Colour of the live dot and border.
 */
export class LiveShopTeaserElement extends LitElement {
  static override properties = {
    product: {},
    server: {},
    live: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: var(--live-shop-font, system-ui, sans-serif); }
    button {
      display: flex; align-items: center; gap: 10px; width: 100%; text-align: left; font: inherit; cursor: pointer;
      background: #fff; color: #0f172a; border: 2px solid var(--live-shop-accent, #e11d48); border-radius: 999px; padding: 8px 14px;
    }
    button:focus-visible { outline: 3px solid var(--live-shop-accent, #e11d48); outline-offset: 2px; }
    .dot { width: 10px; height: 10px; border-radius: 50%; background: var(--live-shop-accent, #e11d48); flex: none; }
    strong { color: var(--live-shop-accent, #e11d48); }
  `;

  declare product: string;
  declare server: string;
  declare live: LiveNow | null;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.product = '';
    this.server = '';
    this.live = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.check();
    this.timer = setInterval(() => void this.check(), POLL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  protected override render() {
    if (!this.live) return nothing;
    const { room, title } = this.live;
    return html`<button part="teaser" @click=${() => this.dispatchEvent(new CustomEvent('live-shop-open-room-request', { detail: { room }, bubbles: true, composed: true }))}>
      <span class="dot" aria-hidden="true"></span>
      <span><strong>Live now</strong> · ${title} · Watch</span>
    </button>`;
  }

  private async check(): Promise<void> {
    if (!this.product) return;
    try {
      const answer = await relayFetch<{ live: LiveNow[] }>(this.server, `/v1/live?product=${encodeURIComponent(this.product)}`);
      this.live = answer.live[0] ?? null;
    } catch {
      this.live = null; // no teaser is the right thing to show when the relay cannot say
    }
  }
}
