import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { MapStore } from 'nanostores';
import { RelayRequestError, relayBase, relayFetch, roomPath } from '../relay/client.ts';
import { chatStore, type ChatState } from '../state/chat.ts';
import { roomStore, type RoomState } from '../state/room.ts';
import { shopStore, type Product, type ShopState } from '../state/shop.ts';
import { StoreController } from '../state/store-controller.ts';
import { shopStyles } from '../shop/shop-styles.ts';

const MAX_PINS = 3;

/**
 * The host's shop controls in the studio: pin products (up to three), start and stop flash
 * sales, push coupons, and moderate the chat (delete, mute, slow mode, blocklist). Every action
 * goes to the relay with the host key; what shoppers see changes when the relay's event says so.
 *
 * @attr room - The show's room.
 * @attr server - The relay's base URL; the page's origin when absent.
 * @attr host-key - The host credential.
 *
 * @csspart section - Each group of controls.
 * @csspart error - The relay's reason when an action was refused.
 * @cssproperty [--live-shop-accent=#e11d48] - Button colour.
 */
export class LiveShopHostPanelElement extends LitElement {
  static override properties = {
    room: {},
    server: {},
    hostKey: { attribute: 'host-key' },
    products: { state: true },
    error: { state: true },
    blocklist: { state: true },
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: grid; gap: 12px; font-size: 14px; margin-top: 12px; }
      section { background: var(--surface); border-radius: var(--radius); padding: 12px; box-shadow: 0 1px 3px rgb(0 0 0 / 12%); }
      h3 { margin: 0 0 8px; font-size: 15px; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
      li { display: flex; gap: 8px; align-items: center; justify-content: space-between; overflow-wrap: anywhere; }
      form { display: flex; flex-wrap: wrap; gap: 6px; align-items: end; }
      label { display: grid; gap: 2px; font-size: 12px; color: var(--muted); }
      input, select, textarea { font: inherit; padding: 6px; border-radius: 6px; border: 1px solid #cbd5e1; }
      input[type='number'] { width: 6em; }
      .secondary { background: #e2e8f0; color: var(--ink); }
      .error { color: #b91c1c; margin: 0; }
      .chat { max-height: 14rem; overflow-y: auto; }
    `,
  ];

  declare room: string;
  declare server: string | null;
  declare hostKey: string | null;
  declare products: Product[];
  declare error: string;
  declare blocklist: string;
  private shop: StoreController<ShopState> | null = null;
  private chat: StoreController<ChatState> | null = null;
  private store: MapStore<RoomState> | null = null;
  private roomState: StoreController<RoomState> | null = null;

  constructor() {
    super();
    this.room = '';
    this.server = null;
    this.hostKey = null;
    this.products = [];
    this.error = '';
    this.blocklist = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!(changed.has('room') || changed.has('server')) || !this.room) return;
    for (const old of [this.shop, this.chat, this.roomState]) if (old) {
      old.hostDisconnected();
      this.removeController(old);
    }
    this.store = roomStore(relayBase(this.server), this.room, { host: true });
    this.shop = new StoreController(this, shopStore(this.store));
    this.chat = new StoreController(this, chatStore(this.store));
    // The room store connects the event stream; the shop and chat stores ride on it.
    this.roomState = new StoreController(this, this.store);
    if (this.isConnected) for (const c of [this.shop, this.chat, this.roomState]) c.hostConnected();
    void this.load();
  }

  protected override render() {
    const shop = this.shop?.value;
    const chat = this.chat?.value;
    if (!shop || !chat) return nothing;
    const pinned = new Set(shop.pins.filter((p) => p.until === undefined).map((p) => p.sku));
    return html`
      ${this.error ? html`<p part="error" class="error" role="alert">${this.error}</p>` : nothing}
      <section part="section" aria-label="Products">
        <h3>Products (${pinned.size} of ${MAX_PINS} pinned)</h3>
        <ul>
          ${this.products.map((p) => html`<li>
            <span>${p.title}</span>
            ${pinned.has(p.sku)
              ? html`<button class="secondary" @click=${() => this.act('DELETE', `/pins/${encodeURIComponent(p.sku)}?at=${Date.now()}`)}>Unpin</button>`
              : html`<button ?disabled=${pinned.size >= MAX_PINS} @click=${() => this.act('PUT', `/pins/${encodeURIComponent(p.sku)}`, { at: Date.now() })}>Pin</button>`}
          </li>`)}
        </ul>
      </section>
      <section part="section" aria-label="Flash sale">
        <h3>Flash sale</h3>
        <form @submit=${this.startSale}>
          <label>Product <select name="sku">${this.products.map((p) => html`<option value=${p.sku}>${p.title}</option>`)}</select></label>
          <label>Price <input name="price" required inputmode="decimal" pattern="\\d+(\\.\\d{1,2})?" size="6" /></label>
          <label>Quantity <input name="quantity" type="number" min="1" value="20" required /></label>
          <label>Minutes <input name="minutes" type="number" min="1" max="1440" value="5" required /></label>
          <button type="submit">Start sale</button>
        </form>
        <ul>
          ${shop.flashSales.filter((s) => s.status !== 'ended').map((s) => html`<li>
            <span>${s.title}: ${s.remaining} of ${s.quantity} left</span>
            <button class="secondary" @click=${() => this.act('POST', `/flash-sales/${encodeURIComponent(s.id)}/stop`)}>Stop</button>
          </li>`)}
        </ul>
      </section>
      <section part="section" aria-label="Coupon">
        <h3>Coupon</h3>
        <form @submit=${this.pushCoupon}>
          <label>Code <input name="code" required pattern="[A-Za-z0-9_\\-]{3,32}" size="10" /></label>
          <label>What it gives <input name="title" required maxlength="80" placeholder="10% off everything" /></label>
          <label>Quantity <input name="quantity" type="number" min="1" value="50" required /></label>
          <label>Minutes <input name="minutes" type="number" min="1" max="10080" value="15" required /></label>
          <button type="submit">Push coupon</button>
        </form>
        <ul>${shop.coupons.map((c) => html`<li><span>${c.title}: ${c.remaining} of ${c.quantity} left (${c.status})</span></li>`)}</ul>
      </section>
      <section part="section" aria-label="Chat moderation">
        <h3>Chat</h3>
        <form @submit=${this.saveSettings}>
          <label>Slow mode
            <select name="slow">${[0, 5, 10, 30, 60].map((s) => html`<option value=${s} ?selected=${s === chat.slowModeSeconds}>${s ? `${s} s` : 'Off'}</option>`)}</select>
          </label>
          <label>Blocked words (one per line) <textarea name="blocklist" rows="2" .value=${this.blocklist}></textarea></label>
          <button type="submit">Save</button>
        </form>
        <ul class="chat" aria-label="Recent messages">
          ${[...chat.messages].reverse().map((m) => html`<li>
            <span><strong>${m.name}</strong> ${m.text}</span>
            ${m.host
              ? nothing
              : html`<span>
                  <button class="secondary" aria-label="Delete message from ${m.name}" @click=${() => this.act('DELETE', `/chat/${encodeURIComponent(m.id)}`)}>Delete</button>
                  <button class="secondary" aria-label="Mute ${m.name} for an hour" @click=${() => this.act('POST', '/chat/mutes', { author: m.author, minutes: 60 })}>Mute</button>
                </span>`}
          </li>`)}
        </ul>
      </section>
    `;
  }

  private async load(): Promise<void> {
    try {
      const base = relayBase(this.server);
      this.products = (await relayFetch<{ products: Product[] }>(base, '/v1/catalog')).products;
      if (this.hostKey) {
        const settings = await relayFetch<{ blocklist: string[] }>(base, `${roomPath(this.room)}/chat/settings`, { hostKey: this.hostKey });
        this.blocklist = settings.blocklist.join('\n');
      }
    } catch (error) {
      this.error = reason(error);
    }
  }

  private async act(method: string, path: string, body?: unknown): Promise<boolean> {
    if (!this.hostKey) {
      this.error = 'Enter the host key first.';
      return false;
    }
    try {
      await relayFetch(relayBase(this.server), `${roomPath(this.room)}${path}`, {
        method,
        hostKey: this.hostKey,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      this.error = '';
      return true;
    } catch (error) {
      this.error = reason(error);
      return false;
    }
  }

  private startSale(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void this.act('POST', '/flash-sales', {
      sku: form.get('sku'),
      price: String(form.get('price')),
      quantity: Number(form.get('quantity')),
      durationSeconds: Number(form.get('minutes')) * 60,
    });
  }

  private pushCoupon(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void this.act('POST', '/coupons', {
      code: form.get('code'),
      title: form.get('title'),
      quantity: Number(form.get('quantity')),
      expiresInSeconds: Number(form.get('minutes')) * 60,
    });
  }

  private saveSettings(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const words = String(form.get('blocklist') ?? '').split('\n').map((w) => w.trim()).filter(Boolean);
    void this.act('PUT', '/chat/settings', { slowModeSeconds: Number(form.get('slow')), blocklist: words }).then((ok) => {
      if (ok) this.blocklist = words.join('\n');
    });
  }
}

function reason(error: unknown): string {
  return error instanceof RelayRequestError ? error.message : 'Something went wrong.';
}
