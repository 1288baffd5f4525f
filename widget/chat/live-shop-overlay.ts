import { LitElement, css, html, nothing } from 'lit';
import type { MapStore } from 'nanostores';
import { sendLikes } from '../shop/actions.ts';
import { chatStore, type ChatState } from '../state/chat.ts';
import type { RoomState } from '../state/room.ts';
import { StoreController } from '../state/store-controller.ts';

/**
 * What floats over the video during a live show: chat as danmaku (the shopper can turn it off)
 * and the like button with its hearts.
 *
 * @csspart danmaku-toggle - The button that turns the flying chat on and off.
 * @csspart likes - The like button with the total.
 */
export class LiveShopOverlayElement extends LitElement {
  static override properties = {
    roomStore: { attribute: false },
    server: {},
    room: {},
    danmaku: { type: Boolean },
  };

  static override styles = css`
    :host { position: absolute; inset: 0; pointer-events: none; display: block; }
    .controls { position: absolute; right: 12px; bottom: 12px; display: grid; gap: 8px; justify-items: center; pointer-events: auto; }
    .toggle {
      font: 600 12px var(--live-shop-font, system-ui, sans-serif); border: 0; border-radius: 999px; padding: 6px 10px;
      background: rgb(0 0 0 / 45%); color: #fff; cursor: pointer;
    }
    .toggle:focus-visible { outline: 3px solid #fff; outline-offset: 2px; }
  `;

  declare roomStore: MapStore<RoomState> | null;
  declare server: string;
  declare room: string;
  /** Whether chat flies over the video; the shopper toggles it. */
  declare danmaku: boolean;
  private chat: StoreController<ChatState> | null = null;

  constructor() {
    super();
    this.roomStore = null;
    this.server = '';
    this.room = '';
    this.danmaku = true;
    this.addEventListener('live-shop-like-request', (e) => {
      void sendLikes(this.server, this.room, (e as CustomEvent<{ count: number }>).detail.count).catch(() => undefined);
    });
  }

  protected override willUpdate(): void {
    if (this.roomStore && this.chat?.store !== chatStore(this.roomStore)) {
      if (this.chat) this.removeController(this.chat);
      this.chat = new StoreController(this, chatStore(this.roomStore));
      if (this.isConnected) this.chat.hostConnected();
    }
  }

  protected override render() {
    const chat = this.chat?.value;
    if (!chat) return nothing;
    return html`
      ${this.danmaku ? html`<live-shop-danmaku .messages=${chat.messages}></live-shop-danmaku>` : nothing}
      <div class="controls">
        <live-shop-likes part="likes" total=${chat.likes} delta=${chat.likesDelta} burst=${chat.likesSeq}></live-shop-likes>
        <button part="danmaku-toggle" class="toggle" aria-pressed=${this.danmaku ? 'true' : 'false'} @click=${() => (this.danmaku = !this.danmaku)}>
          ${this.danmaku ? 'Hide chat on video' : 'Show chat on video'}
        </button>
      </div>
    `;
  }
}
