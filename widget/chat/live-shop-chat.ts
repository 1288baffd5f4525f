import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatMessage, JoinNotice } from '../state/chat.ts';
import { shopStyles } from '../shop/shop-styles.ts';

export const MAX_MESSAGE_LENGTH = 280;

/**
 * The show's chat as a list, with join notices and a form to write. Names and messages are
 * rendered as text, never as HTML.
 *
 * @fires live-shop-chat-send-request - Bubbling and composed, `detail: { name, text }`.
 *
 * @csspart list - The list of messages.
 * @csspart message - One message.
 * @csspart name - The sender's name in a message.
 * @csspart notice - The "... joined" line.
 * @csspart form - The name and message inputs with the send button.
 * @csspart error - Why the last message was not sent (slow mode, muted, too fast).
 *
 * @cssproperty [--live-shop-chat-height=16rem] - Height of the message list.
 * @cssproperty [--live-shop-accent=#e11d48] - Colour of the host's name and the button.
 */
export class LiveShopChatElement extends LitElement {
  static override properties = {
    messages: { attribute: false },
    joins: { attribute: false },
    name: {},
    error: {},
    slowModeSeconds: { type: Number, attribute: 'slow-mode-seconds' },
  };

  static override styles = [
    shopStyles,
    css`
      :host { display: block; }
      ol {
        list-style: none;
        margin: 0;
        padding: 8px;
        height: var(--live-shop-chat-height, 16rem);
        overflow-y: auto;
        background: var(--surface);
        border-radius: var(--radius);
        box-shadow: inset 0 0 0 1px #e2e8f0;
        font-size: 14px;
      }
      li { padding: 2px 0; overflow-wrap: anywhere; }
      .name { font-weight: 700; margin-right: 6px; }
      .host .name { color: var(--accent); }
      .notice { color: var(--muted); font-style: italic; font-size: 13px; }
      form { display: flex; gap: 6px; margin-top: 6px; flex-wrap: wrap; }
      input { font: inherit; flex: 1 1 8em; min-width: 0; padding: 8px 10px; border-radius: 999px; border: 1px solid #cbd5e1; }
      .error { color: #b91c1c; font-size: 13px; margin: 4px 0 0; }
      .slow { color: var(--muted); font-size: 12px; margin: 4px 0 0; }
    `,
  ];

  declare messages: ChatMessage[];
  declare joins: JoinNotice | null;
  declare name: string;
  declare error: string;
  declare slowModeSeconds: number;

  constructor() {
    super();
    this.messages = [];
    this.joins = null;
    this.name = '';
    this.error = '';
    this.slowModeSeconds = 0;
  }

  protected override render() {
    return html`
      <section aria-label="Chat">
        <ol part="list" aria-live="polite" aria-label="Chat messages" tabindex="0">
          ${repeat(
            this.messages,
            (m) => m.id,
            (m) => html`<li part="message" class=${m.host ? 'host' : ''}><span part="name" class="name">${m.name}${m.host ? ' (host)' : ''}</span><span>${m.text}</span></li>`,
          )}
          ${this.joins ? html`<li part="notice" class="notice">${joinText(this.joins)}</li>` : nothing}
        </ol>
        <form part="form" @submit=${this.submit}>
          ${this.name
            ? nothing
            : html`<input name="name" aria-label="Your name" placeholder="Your name" maxlength="40" autocomplete="nickname" required />`}
          <input name="text" aria-label="Message" placeholder=${this.name ? `Chat as ${this.name}` : 'Say something'} maxlength=${MAX_MESSAGE_LENGTH} required />
          <button type="submit">Send</button>
        </form>
        ${this.slowModeSeconds > 0 ? html`<p class="slow">Slow mode: one message every ${this.slowModeSeconds} s.</p>` : nothing}
        ${this.error ? html`<p part="error" class="error" role="alert">${this.error}</p>` : nothing}
      </section>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('messages')) return;
    const list = this.renderRoot.querySelector('ol');
    if (list) list.scrollTop = list.scrollHeight;
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = this.name || String(data.get('name') ?? '').trim();
    const text = String(data.get('text') ?? '').trim();
    if (!name || !text) return;
    this.dispatchEvent(new CustomEvent('live-shop-chat-send-request', { detail: { name, text }, bubbles: true, composed: true }));
    (form.elements.namedItem('text') as HTMLInputElement).value = '';
  }
}

export function joinText(joins: JoinNotice): string {
  const names = joins.names.join(', ');
  if (joins.others > 0) return `${names} and ${joins.others} ${joins.others === 1 ? 'other' : 'others'} joined`;
  return `${names} joined`;
}
