import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './node-env.ts';
import '../../../widget/index.ts';
import type { LiveShopElement } from '../../../widget/live-shop.ts';
import { liveShow } from './player-contract.ts';

describe('<live-shop debug> overlay', function () {
  this.timeout(30_000);

  it('is accessible while playing with the overlay', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopElement>(html`<live-shop room=${show.room} server=${show.server} transport="hls" debug></live-shop>`);
    await waitUntil(() => el.state === 'live', 'live over LL-HLS', { timeout: 20_000 });
    await expect(el).to.be.accessible();
  });

  it('shows no overlay without the attribute', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopElement>(html`<live-shop room=${show.room} server=${show.server} transport="hls"></live-shop>`);
    await waitUntil(() => el.state === 'live', 'live over LL-HLS', { timeout: 20_000 });
    expect(el.shadowRoot!.querySelector('[part="debug"]')).to.equal(null);
  });

  it('overlays the transport, latency and rendition of a forced LL-HLS viewer', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopElement>(html`<live-shop room=${show.room} server=${show.server} transport="hls" debug></live-shop>`);
    await waitUntil(() => el.state === 'live', 'live over LL-HLS', { timeout: 20_000 });
    expect(el.transport).to.equal('hls');
    const field = (name: string) => el.shadowRoot!.querySelector(`[part="debug"] [data-field="${name}"]`)?.textContent ?? '';
    await waitUntil(() => /^\d+ ms$/.test(field('latency')) && /^\d+x\d+$/.test(field('rendition')), 'diagnostics shown', { timeout: 5000 });
    expect(field('transport')).to.equal('hls');
    // Glass-to-glass on loopback should be a second or two; more than 10 s would be broken.
    expect(Number.parseInt(field('latency'), 10)).to.be.within(0, 10_000);
  });
});
