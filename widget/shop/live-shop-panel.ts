import { LitElement, css, html, nothing } from 'lit';
import type { MapStore } from 'nanostores';
import { emit } from '../events.ts';
import { RelayRequestError } from '../relay/client.ts';
import { $shopperName } from '../state/shopper.ts';
import { chatStore, type ChatState } from '../state/chat.ts';
import type { RoomState } from '../state/room.ts';
import { shopStore, visiblePins, type Coupon, type FlashSale, type Pin, type ShopState } from '../state/shop.ts';
import { StoreController } from '../state/store-controller.ts';
import { claimCoupon, claimFlashSale, sendChat } from './actions.ts';
import { cartAdapter, handOff } from './cart.ts';
import type { AddToCartRequest } from './live-shop-product-card.ts';
import { resolveLink } from './format.ts';
import { shopStyles } from './shop-styles.ts';
import { Ticker } from './ticker.ts';

/** How long an ended sale stays on screen saying so. */
const ENDED_SALE_SHOWN_MS = 10_000;

/**
 * Everything a shopper does in a live show, under the video: the pinned products (in step with
 * the video's playback clock), flash sales, coupons and the chat. It turns its children's
 * requests into calls to the relay and the cart hand-off.
 *
 * @csspart products - The product list.
 * @csspart offers - Flash sales and coupons.
 * @csspart chat - The chat.
 */
export class LiveShopPanelElement extends LitElement {
  static override properties = {
    roomStore: { attribute: false },
    clock: { attribute: false },
    replayPins: { attribute: false },
    server: {},
    room: {},
    cart: {},
    messages: { state: true },
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: grid; gap: 12px; margin-top: 12px; }
      .offers { display: grid; gap: 8px; }
    `,
  ];

  declare roomStore: MapStore<RoomState> | null;
  /** The capture time of the frame on screen (Player.playbackClock); null before the first frame. */
  declare clock: () => number | null;
  /** Set while the show's replay plays: its pins, shown as the replay's picture reaches them; no offers, no chat. */
  declare replayPins: Pin[] | null;
  declare server: string;
  declare room: string;
  /** `shopify` for the built-in Shopify cart adapter; anything else: none. */
  declare cart: string;
  declare messages: Record<string, { text?: string; code?: string; busy?: boolean }>;

  private shop: StoreController<ShopState> | null = null;
  private chat: StoreController<ChatState> | null = null;
  private readonly name = new StoreController(this, $shopperName);
  private pinTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.roomStore = null;
    this.clock = () => null;
    this.replayPins = null;
    this.server = '';
    this.room = '';
    this.cart = '';
    this.messages = {};
    // Countdowns and ended sales; pins waiting for the video are checked more often (see updated()).
    new Ticker(this, 1000);
    this.addEventListener('live-shop-add-to-cart-request', (e) => void this.addToCart((e as CustomEvent<AddToCartRequest>).detail));
    this.addEventListener('live-shop-flash-sale-request', (e) => void this.buySale((e as CustomEvent<{ sale: FlashSale }>).detail.sale));
    this.addEventListener('live-shop-coupon-claim-request', (e) => void this.claim((e as CustomEvent<{ coupon: Coupon }>).detail.coupon));
    this.addEventListener('live-shop-chat-send-request', (e) => void this.send((e as CustomEvent<{ name: string; text: string }>).detail));
  }

  protected override willUpdate(): void {
    if (this.roomStore && this.shop?.store !== shopStore(this.roomStore)) {
      for (const old of [this.shop, this.chat]) if (old) this.removeController(old);
      this.shop = new StoreController(this, shopStore(this.roomStore));
      this.chat = new StoreController(this, chatStore(this.roomStore));
      if (this.isConnected) {
        this.shop.hostConnected();
        this.chat.hostConnected();
      }
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.pinTimer);
  }

  /** While a pin or an offer waits for the video to reach its moment, the playback clock is checked every 20 ms. */
  protected override updated(): void {
    clearTimeout(this.pinTimer);
    const shop = this.shop?.value;
    if (!shop) return;
    const now = this.now();
    const pins = this.replayPins ?? shop.pins;
    const waiting =
      pins.some((p) => p.at > now || (p.until !== undefined && p.until > now)) ||
      shop.flashSales.some((s) => s.startedAt > now) ||
      shop.coupons.some((c) => c.createdAt > now);
    if (waiting) {
      this.pinTimer = setTimeout(() => this.requestUpdate(), 20);
    }
  }

  protected override render() {
    if (!this.shop || !this.chat) return nothing;
    const shop = this.shop.value;
    const chat = this.chat.value;
    const now = this.now();
    if (this.replayPins) {
      return html`<live-shop-product-list part="products" .pins=${this.visible(this.replayPins, now)} server=${this.server}></live-shop-product-list>`;
    }
    // Offers, like pins, appear when the video reaches the moment the host started them.
    const sales = shop.flashSales.filter((s) => s.startedAt <= now && (s.status !== 'ended' || Date.now() - s.endsAt < ENDED_SALE_SHOWN_MS));
    const coupons = shop.coupons.filter((c) => c.createdAt <= now && (c.status !== 'expired' || this.messages[c.id]?.code));
    return html`
      <live-shop-product-list part="products" .pins=${this.visible(shop.pins, now)} server=${this.server}></live-shop-product-list>
      ${sales.length + coupons.length > 0
        ? html`<div part="offers" class="offers">
            ${sales.map((sale) => html`<live-shop-flash-sale .sale=${sale} server=${this.server} message=${this.messages[sale.id]?.text ?? ''} ?busy=${this.messages[sale.id]?.busy ?? false}></live-shop-flash-sale>`)}
            ${coupons.map((coupon) => html`<live-shop-coupon .coupon=${coupon} .code=${this.messages[coupon.id]?.code ?? null} message=${this.messages[coupon.id]?.text ?? ''} ?busy=${this.messages[coupon.id]?.busy ?? false}></live-shop-coupon>`)}
          </div>`
        : nothing}
      <live-shop-chat part="chat" .messages=${chat.messages} .joins=${chat.joins} name=${this.name.value} slow-mode-seconds=${chat.slowModeSeconds} error=${this.messages.chat?.text ?? ''}></live-shop-chat>
    `;
  }

  /**
   * The moment of the show on screen. Live, without a picture yet (or on a transport without a
   * capture clock), the wall clock stands in; a replay without one is at no moment yet.
   */
  private now(): number {
    return this.clock() ?? (this.replayPins ? -Infinity : Date.now());
  }

  /**
   * The pins on screen now; the same array while they stay the same, so the list re-renders only
   * when a pin comes or goes, not on every check of the playback clock.
   */
  private visible(pins: Pin[], now: number): Pin[] {
    const shown = visiblePins(pins, now);
    const last = this.lastVisible;
    if (shown.length === last.length && shown.every((pin, i) => pin === last[i])) return last;
    this.lastVisible = shown;
    return shown;
  }

  private lastVisible: Pin[] = [];

  private note(key: string, value: { text?: string; code?: string; busy?: boolean }): void {
    this.messages = { ...this.messages, [key]: { ...this.messages[key], ...value } };
  }

  private async addToCart(request: AddToCartRequest): Promise<void> {
    const { product, variant, quantity } = request;
    const chosen = product.variants.find((v) => v.id === variant);
    const price = chosen?.price ?? product.price;
    await handOff(this, { sku: product.sku, variant, variantTitle: chosen?.title ?? null, quantity, price, currency: product.currency, room: this.room, title: product.title, url: this.link(product.url), source: 'pin' }, cartAdapter(this.cart));
  }

  private async buySale(sale: FlashSale): Promise<void> {
    this.note(sale.id, { busy: true, text: '' });
    try {
      await claimFlashSale(this.server, this.room, sale.id);
      const product = this.shop?.value.pins.find((p) => p.sku === sale.sku)?.product;
      const result = await handOff(
        this,
        { sku: sale.sku, variant: null, variantTitle: null, quantity: 1, price: sale.price, currency: sale.currency, room: this.room, title: sale.title, url: this.link(product?.url ?? null), source: 'flash-sale' },
        cartAdapter(this.cart),
      );
      this.note(sale.id, { busy: false, text: result === 'failed' ? 'Reserved for you, but the cart could not be reached.' : 'Reserved for you at the sale price.' });
    } catch (error) {
      this.note(sale.id, { busy: false, text: explain(error) });
      this.askSignIn(error, 'flash-sale');
    }
  }

  private async claim(coupon: Coupon): Promise<void> {
    this.note(coupon.id, { busy: true, text: '' });
    try {
      const claimed = await claimCoupon(this.server, this.room, coupon.id);
      this.note(coupon.id, { busy: false, code: claimed.code });
    } catch (error) {
      this.note(coupon.id, { busy: false, text: explain(error) });
      this.askSignIn(error, 'coupon');
    }
  }

  private async send({ name, text }: { name: string; text: string }): Promise<void> {
    if (name !== $shopperName.get()) $shopperName.set(name);
    try {
      await sendChat(this.server, this.room, name, text);
      this.note('chat', { text: '' });
    } catch (error) {
      this.note('chat', { text: explain(error) });
    }
  }

  /** The relay wants a signed-in customer: the shop hears it and may open its sign-in. */
  private askSignIn(error: unknown, action: 'coupon' | 'flash-sale'): void {
    if (error instanceof RelayRequestError && error.code === 'sign_in_required') emit(this, 'live-shop:sign-in-required', { room: this.room, action });
  }

  private link(url: string | null): string | null {
    return resolveLink(this.server, url);
  }
}

/** The relay's own sentence when it refused (it says what to do); a plain one otherwise. */
function explain(error: unknown): string {
  if (error instanceof RelayRequestError) return error.code === 'network' ? 'The show cannot be reached; try again.' : error.message.charAt(0).toUpperCase() + error.message.slice(1) + '.';
  return 'Something went wrong; try again.';
}
