import { LitElement, css, html, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatMessage } from '../state/chat.ts';

interface Flying {
  message: ChatMessage;
  lane: number;
}

const LANES = 5;
const MAX_ON_SCREEN = 24;

/**
 * Chat messages flying across the video (danmaku). Decorative: the chat list carries the same
 * messages for assistive technology, so this layer is hidden from it. Text only, never HTML.
 *
 * @csspart layer - The layer over the video.
 * @csspart bullet - One flying message.
 *
 * @cssproperty [--live-shop-danmaku-duration=8s] - How long a message takes to cross.
 * @cssproperty [--live-shop-danmaku-color=#fff] - Text colour.
 */
export class LiveShopDanmakuElement extends LitElement {
  static override properties = {
    messages: { attribute: false },
    flying: { state: true },
  };

  static override styles = css`
    :host { position: absolute; inset: 44px 0 40% 0; pointer-events: none; overflow: hidden; display: block; }
    .bullet {
      position: absolute;
      left: 100%;
      white-space: nowrap;
      color: var(--live-shop-danmaku-color, #fff);
      font: 600 16px/1.2 var(--live-shop-font, system-ui, sans-serif);
      text-shadow: 0 1px 2px #000, 0 0 4px #000;
      animation: fly var(--live-shop-danmaku-duration, 8s) linear forwards;
    }
    @keyframes fly { to { transform: translateX(calc(-100vw - 100%)); } }
    @media (prefers-reduced-motion: reduce) { .bullet { animation-duration: 16s; } }
  `;

  declare messages: ChatMessage[];
  declare flying: Flying[];
  private seen = new Set<string>();
  private nextLane = 0;
  private primed = false;

  constructor() {
    super();
    this.messages = [];
    this.flying = [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('messages')) return;
    const fresh = this.messages.filter((m) => !this.seen.has(m.id));
    for (const m of fresh) this.seen.add(m.id);
    // Messages already there when the layer appears (the snapshot's history) do not fly.
    if (!this.primed) {
      this.primed = true;
      return;
    }
    const added = fresh.map((message) => ({ message, lane: this.nextLane++ % LANES }));
    if (added.length > 0) this.flying = [...this.flying, ...added].slice(-MAX_ON_SCREEN);
  }

  protected override render() {
    return html`<div part="layer" aria-hidden="true">
      ${repeat(
        this.flying,
        (f) => f.message.id,
        (f) => html`<span part="bullet" class="bullet" style="top:${(f.lane * 100) / LANES}%" @animationend=${() => this.land(f)}>${f.message.name}: ${f.message.text}</span>`,
      )}
    </div>`;
  }

  private land(landed: Flying): void {
    this.flying = this.flying.filter((f) => f !== landed);
  }
}
