import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import { emit, type LiveShopState } from './events.ts';
import { DebugOverlay, debugOverlayStyles } from './player/debug-overlay.ts';
import { PlayerController } from './player/player-controller.ts';
import type { TransportPreference } from './player/create-player.ts';
import type { Transport } from './player/player.ts';
import { relayBase, relayFetch } from './relay/client.ts';
import { roomStore, type RoomState } from './state/room.ts';
import { $shopperToken } from './state/shopper.ts';
import type { Pin } from './state/shop.ts';
// The shop's and chat's stores listen to the room's stream from the start, so that nothing is
// missed while the (lazy) shop elements load.
import './state/chat.ts';
import './state/shop.ts';
import { StoreController } from './state/store-controller.ts';

const TRANSPORTS: readonly TransportPreference[] = ['auto', 'webrtc', 'hls'];

/**
 * The live show as a shopper sees it on a product page.
 *
 * @attr room - The show's room name (required).
 * @attr server - The live-shop relay's base URL; the page's origin when absent.
 * @attr transport - `auto` (default): WebRTC, LL-HLS when WebRTC cannot connect; `webrtc` or `hls` forces one.
 * @attr poster - Image shown before and after the show; the room's own poster when absent.
 * @attr debug - Overlays the transport, estimated latency and rendition (for developers).
 * @attr cart - Built-in cart adapter for "Add to cart" when no listener cancels `live-shop:add-to-cart`:
 *   `shopify` (POST /cart/add.js on the page's origin). Absent: the product page opens.
 * @attr danmaku - `off` starts with the chat not flying over the video (the shopper can still turn it on).
 * @attr shopper-token - The shop's signed token for its signed-in customer (see the relay's
 *   LIVE_SHOP_SHOPPER_SECRET): the customer is then one shopper on every device. Absent: anonymous.
 * @attr product - A product's sku: without `room`, shows a small "live now" teaser while a show features it,
 *   and opens that show when pressed.
 *
 * @fires live-shop:state - On every change of `state` or `transport`; `detail` has both.
 * @fires live-shop:add-to-cart - Cancelable; `detail` has sku, variant, quantity, price, currency, room.
 * @fires live-shop:sign-in-required - A claim needs a signed-in customer; `detail` has room and action.
 *
 * @csspart stage - The box holding the video and every overlay.
 * @csspart video - The `<video>` element.
 * @csspart poster - The poster image shown when no video plays.
 * @csspart badge - The "LIVE" badge.
 * @csspart viewers - The viewer count.
 * @csspart status - The message shown while not playing (not live yet, connecting, ended, error).
 * @csspart unmute - The "Tap to unmute" button.
 * @csspart retry - The "Try again" button shown after an error.
 * @csspart replay - The "Watch the replay" button shown once the show is over and recorded.
 * @csspart debug - The diagnostics overlay shown with the `debug` attribute.
 * @csspart overlay - Chat flying over the video, likes and their toggle (while live).
 * @csspart panel - Products, flash sales, coupons and chat under the video while live; during a replay,
 *   the products pinned at that moment of the show.
 * @csspart teaser - The "live now" teaser of the `product` attribute.
 *
 * @cssproperty [--live-shop-accent=#e11d48] - Badge and button colour.
 * @cssproperty [--live-shop-radius=12px] - Corner radius of the stage.
 * @cssproperty [--live-shop-aspect-ratio=16 / 9] - Shape of the stage.
 * @cssproperty [--live-shop-font=system-ui, sans-serif] - Font of every text.
 */
export class LiveShopElement extends LitElement {
  static override properties = {
    room: { reflect: true },
    server: {},
    transportPreference: { attribute: 'transport' },
    poster: {},
    debug: { type: Boolean },
    cart: {},
    danmaku: {},
    product: {},
    shopperToken: { attribute: 'shopper-token' },
    replayPins: { state: true },
  };

  static override styles = [debugOverlayStyles, css`
    :host {
      display: block;
      font-family: var(--live-shop-font, system-ui, sans-serif);
      --accent: var(--live-shop-accent, #e11d48);
    }
    .stage {
      position: relative;
      aspect-ratio: var(--live-shop-aspect-ratio, 16 / 9);
      background: #111 center / cover no-repeat;
      border-radius: var(--live-shop-radius, 12px);
      overflow: hidden;
      color: #fff;
    }
    video, .poster {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      object-fit: cover;
    }
    .poster[hidden] { display: none; }
    /* Laid out but transparent until it plays: livekit-client's adaptive stream sends video only to
       an element that is on screen and has a size, so display: none would hold the first frame back. */
    video.waiting { opacity: 0; }
    .top { position: absolute; top: 12px; left: 12px; display: flex; gap: 8px; align-items: center; }
    .badge {
      background: var(--accent);
      font-weight: 700;
      font-size: 12px;
      letter-spacing: 0.08em;
      padding: 4px 8px;
      border-radius: 4px;
    }
    .badge.replay { background: rgb(0 0 0 / 55%); }
    .viewers { background: rgb(0 0 0 / 55%); font-size: 13px; padding: 4px 8px; border-radius: 4px; }
    .status {
      position: absolute;
      inset: 0;
      display: grid;
      place-content: center;
      justify-items: center;
      gap: 12px;
      text-align: center;
      padding: 16px;
      /* Dim and blur whatever is behind (a poster with its own text, the last frame) so the message reads. */
      background: rgb(15 23 42 / 70%);
      backdrop-filter: blur(6px);
      font-size: 16px;
    }
    .status strong { font-size: 20px; }
    .spinner {
      width: 28px;
      height: 28px;
      border: 3px solid rgb(255 255 255 / 30%);
      border-top-color: #fff;
      border-radius: 50%;
      animation: spin 0.9s linear infinite;
    }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } }
    button {
      font: inherit;
      font-weight: 600;
      border: 0;
      border-radius: 999px;
      padding: 10px 16px;
      cursor: pointer;
      background: var(--accent);
      color: #fff;
    }
    button:focus-visible { outline: 3px solid #fff; outline-offset: 2px; }
    .unmute { position: absolute; left: 12px; bottom: 12px; }
  `];

  declare room: string;
  declare server: string | null;
  declare transportPreference: string;
  declare poster: string | null;
  declare debug: boolean;
  declare cart: string | null;
  declare danmaku: string | null;
  declare shopperToken: string | null;
  /** The pins of the replay that plays; null until they arrive. */
  declare private replayPins: Pin[] | null;
  declare product: string | null;

  private roomState: StoreController<RoomState> | null = null;
  private playback: PlayerController | null = null;
  private lastEmitted = '';
  private readonly debugOverlay = new DebugOverlay(this);

  constructor() {
    super();
    this.room = '';
    this.server = null;
    this.transportPreference = 'auto';
    this.poster = null;
    this.debug = false;
    this.cart = null;
    this.danmaku = null;
    this.product = null;
    this.shopperToken = null;
    this.replayPins = null;
  }

  /** Where the show is: `idle` (not live yet), `connecting`, `live`, `reconnecting`, `ended`, `replay` (its recording plays) or `error`. */
  get state(): LiveShopState {
    return this.playback?.state ?? (this.room ? 'connecting' : this.product ? 'idle' : 'error');
  }

  /** How the picture arrives now: `webrtc`, `hls`, or null when nothing plays. */
  get transport(): Transport | null {
    return this.playback?.transport ?? null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('debug')) this.debugOverlay.setEnabled(this.debug);
    if (changed.has('shopperToken')) $shopperToken.set(this.shopperToken ?? '');
    if ((changed.has('room') || changed.has('server') || changed.has('transportPreference')) && this.isConnected) this.bind();
  }

  /** (Re)creates the controllers for the current room, server and transport. */
  private bind(): void {
    if (this.playback) {
      this.playback.hostDisconnected();
      this.removeController(this.playback);
    }
    if (this.roomState) {
      this.roomState.hostDisconnected();
      this.removeController(this.roomState);
    }
    this.playback = null;
    this.roomState = null;
    if (!this.room) return;
    const base = relayBase(this.server);
    const store = roomStore(base, this.room);
    const preference = (TRANSPORTS as readonly string[]).includes(this.transportPreference)
      ? (this.transportPreference as TransportPreference)
      : 'auto';
    this.roomState = new StoreController(this, store);
    this.playback = new PlayerController(this, {
      store,
      server: base,
      room: this.room,
      preference,
      video: () => this.renderRoot.querySelector('video')!,
      onChange: () => this.requestUpdate(),
    });
  }

  protected override updated(): void {
    const detail = { state: this.state, transport: this.transport, room: this.room, error: this.playback?.error ?? null };
    const key = `${detail.state}|${detail.transport}|${detail.error}`;
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    emit(this, 'live-shop:state', detail);
  }

  protected override render() {
    if (!this.room && this.product) {
      return html`<live-shop-teaser part="teaser" product=${this.product} server=${relayBase(this.server)}
        @live-shop-open-room-request=${(e: CustomEvent<{ room: string }>) => (this.room = e.detail.room)}></live-shop-teaser>`;
    }
    const room = this.roomState?.value;
    const state = this.state;
    const playing = state === 'live' || state === 'buffering' || state === 'reconnecting';
    // The shopping layer is a lazy chunk: fetched the first time a show is live (or replayed), defined once.
    if (playing || state === 'replay') void import('./shop/index.ts');
    const store = this.roomState?.store;
    const poster = this.poster ?? room?.info?.poster ?? null;
    return html`
      <div part="stage" class="stage" role="region" aria-label=${room?.info?.title ? `Live show: ${room.info.title}` : 'Live show'}>
        ${poster ? html`<img part="poster" class="poster" src=${poster} alt="" ?hidden=${playing || state === 'replay'} />` : nothing}
        <video part="video" class=${playing || state === 'replay' ? '' : 'waiting'} playsinline autoplay muted ?controls=${state === 'replay'}></video>
        ${playing
          ? html`<div class="top">
              <span part="badge" class="badge">LIVE</span>
              <span part="viewers" class="viewers" aria-live="polite">${viewerLabel(room?.viewers ?? 0)}</span>
            </div>`
          : state === 'replay'
            ? html`<div class="top"><span part="badge" class="badge replay">REPLAY</span></div>`
            : nothing}
        ${this.renderStatus(state, room)}
        ${playing && store
          ? html`<live-shop-overlay part="overlay" .roomStore=${store} server=${relayBase(this.server)} room=${this.room} ?danmaku=${this.danmaku !== 'off'}></live-shop-overlay>`
          : nothing}
        ${this.debugOverlay.render(this.playback?.player ?? null)}
        ${(state === 'live' || state === 'buffering') && this.playback?.muted
          ? html`<button part="unmute" class="unmute" @click=${() => this.playback?.setMuted(false)}>${MUTED_ICON} Tap to unmute</button>`
          : nothing}
      </div>
      ${(playing || state === 'replay') && store
        ? html`<live-shop-panel part="panel" .roomStore=${store} .clock=${() => this.playback?.player?.playbackClock() ?? null}
            .replayPins=${state === 'replay' ? (this.replayPins ?? []) : null}
            server=${relayBase(this.server)} room=${this.room} cart=${this.cart ?? ''}></live-shop-panel>`
        : nothing}
    `;
  }

  /** Plays the recording, with the products pinned during the show (fetched alongside; none if that fails). */
  private watchReplay(url: string): void {
    this.playback?.playReplay(url);
    this.replayPins = null;
    const pins = new URL('pins', url);
    relayFetch<{ pins: Pin[] }>(pins.origin, pins.pathname)
      .then((reply) => (this.replayPins = reply.pins))
      .catch(() => (this.replayPins = []));
  }

  private renderStatus(state: LiveShopState, room: RoomState | undefined) {
    const scheduledAt = room?.info?.scheduledAt;
    switch (state) {
      case 'idle':
        return html`<div part="status" class="status" role="status">
          <strong>Not live yet</strong>
          <span>${scheduledAt ? `The show starts ${formatStart(scheduledAt)}.` : 'The show will start here soon.'}</span>
        </div>`;
      case 'connecting':
        return html`<div part="status" class="status" role="status"><div class="spinner"></div><span>Connecting to the show…</span></div>`;
      case 'buffering':
        return html`<div part="status" class="status" role="status"><div class="spinner"></div><span>Buffering…</span></div>`;
      case 'reconnecting':
        return html`<div part="status" class="status" role="status"><div class="spinner"></div><span>Reconnecting…</span></div>`;
      case 'ended': {
        const replayUrl = room?.info?.replayUrl;
        return html`<div part="status" class="status" role="status">
          <strong>The show has ended</strong>
          ${replayUrl
            ? html`<button part="replay" @click=${() => this.watchReplay(replayUrl)}>Watch the replay</button>`
            : html`<span>Thanks for watching.</span>`}
        </div>`;
      }
      case 'error':
        return html`<div part="status" class="status" role="alert">
          <strong>The show can't be played</strong>
          <span>${this.playback?.error ?? (this.room ? 'Something went wrong.' : 'This player has no room attribute.')}</span>
          ${this.playback ? html`<button part="retry" @click=${() => this.playback?.retry()}>Try again</button>` : nothing}
        </div>`;
      default:
        return nothing;
    }
  }
}

const MUTED_ICON = svg`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" style="vertical-align:-3px"><path fill="currentColor" d="M3 9v6h4l5 5V4L7 9H3z"/><path d="M16 9l6 6M22 9l-6 6" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>`;

function viewerLabel(count: number): string {
  return `${count.toLocaleString()} watching`;
}

function formatStart(epochMs: number): string {
  const date = new Date(epochMs);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  return sameDay ? `today at ${time}` : `${date.toLocaleDateString([], { weekday: 'long', month: 'short', day: 'numeric' })} at ${time}`;
}
