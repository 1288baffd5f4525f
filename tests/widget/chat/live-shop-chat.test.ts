import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../player/node-env.ts';
import '../../../widget/shop/index.ts';
import type { LiveShopChatElement } from '../../../widget/chat/live-shop-chat.ts';
import type { LiveShopDanmakuElement } from '../../../widget/chat/live-shop-danmaku.ts';
import type { LiveShopLikesElement } from '../../../widget/chat/live-shop-likes.ts';
import type { ChatMessage } from '../../../widget/state/chat.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
const message = (n: number, overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${n}`,
  author: 'abcdefghijkl',
  name: `Shopper ${n}`,
  text: `hello ${n}`,
  host: false,
  time: Date.now(),
  ...overrides,
});

describe('<live-shop-chat>', () => {
  it('is accessible', async () => {
    const el = await fixture<LiveShopChatElement>(html`<live-shop-chat .messages=${[message(1)]}></live-shop-chat>`);
    await expect(el).to.be.accessible();
  });

  it('lists messages with names, marks the host, and shows join notices', async () => {
    const el = await fixture<LiveShopChatElement>(
      html`<live-shop-chat .messages=${[message(1), message(2, { host: true, name: 'Mia' })]} .joins=${{ names: ['Ann', 'Bob'], others: 3, seq: 9 }}></live-shop-chat>`,
    );
    const items = [...el.shadowRoot!.querySelectorAll('[part=message]')].map((li) => li.textContent);
    expect(items).to.deep.equal(['Shopper 1hello 1', 'Mia (host)hello 2']);
    expect(el.shadowRoot!.querySelector('[part=notice]')!.textContent).to.equal('Ann, Bob and 3 others joined');
  });

  it('shows markup and script sent as chat, and as names, as inert text', async () => {
    const el = await fixture<LiveShopChatElement>(html`<live-shop-chat .messages=${[message(1, { text: HOSTILE, name: HOSTILE })]}></live-shop-chat>`);
    const li = el.shadowRoot!.querySelector('[part=message]')!;
    expect(li.textContent).to.equal(`${HOSTILE}${HOSTILE}`);
    expect(el.shadowRoot!.querySelectorAll('script, img')).to.have.length(0);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('asks for a name once, then sends the message as a request and clears the input', async () => {
    const el = await fixture<LiveShopChatElement>(html`<live-shop-chat></live-shop-chat>`);
    const form = el.shadowRoot!.querySelector('form')!;
    (form.elements.namedItem('name') as HTMLInputElement).value = 'Ann';
    (form.elements.namedItem('text') as HTMLInputElement).value = 'Does it run small?';
    setTimeout(() => form.requestSubmit());
    const event = (await oneEvent(el, 'live-shop-chat-send-request')) as CustomEvent;
    expect(event.detail).to.deep.equal({ name: 'Ann', text: 'Does it run small?' });
    expect((form.elements.namedItem('text') as HTMLInputElement).value).to.equal('');
    el.name = 'Ann';
    el.error = 'Slow mode is on: one message every 30 s; try again in 12 s.';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('input[name=name]')).to.equal(null);
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).to.contain('try again in 12 s');
  });
});

describe('<live-shop-danmaku>', () => {
  it('is accessible (decorative, hidden from assistive technology)', async () => {
    const el = await fixture<LiveShopDanmakuElement>(html`<live-shop-danmaku .messages=${[]}></live-shop-danmaku>`);
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.querySelector('[part=layer]')!.getAttribute('aria-hidden')).to.equal('true');
  });

  it('flies new messages only, as text', async () => {
    const el = await fixture<LiveShopDanmakuElement>(html`<live-shop-danmaku .messages=${[message(1)]}></live-shop-danmaku>`);
    expect(el.shadowRoot!.querySelectorAll('[part=bullet]')).to.have.length(0, 'history does not fly');
    el.messages = [message(1), message(2, { text: HOSTILE })];
    await el.updateComplete;
    const bullets = [...el.shadowRoot!.querySelectorAll('[part=bullet]')];
    expect(bullets.map((b) => b.textContent)).to.deep.equal([`Shopper 2: ${HOSTILE}`]);
    expect(el.shadowRoot!.querySelectorAll('script, img')).to.have.length(0);
  });
});

describe('<live-shop-likes>', () => {
  it('is accessible', async () => {
    const el = await fixture<LiveShopLikesElement>(html`<live-shop-likes total="12"></live-shop-likes>`);
    await expect(el).to.be.accessible();
  });

  it('counts own taps at once and sends them as one batch', async () => {
    const el = await fixture<LiveShopLikesElement>(html`<live-shop-likes total="12"></live-shop-likes>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=button]')!;
    button.click();
    button.click();
    button.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=count]')!.textContent).to.equal('15');
    expect(el.shadowRoot!.querySelectorAll('[part=heart]').length).to.be.greaterThan(0);
    const event = (await oneEvent(el, 'live-shop-like-request')) as CustomEvent;
    expect(event.detail.count).to.equal(3);
  });
});
