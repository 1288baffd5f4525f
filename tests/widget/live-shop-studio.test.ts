import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './player/node-env.ts';
import '../../widget/studio.ts';
import type { LiveShopStudioElement } from '../../widget/live-shop-studio.ts';
import { liveShow } from './player/player-contract.ts';

const shadow = (el: LiveShopStudioElement) => el.shadowRoot!;

describe('<live-shop-studio>', function () {
  this.timeout(30_000);

  it('is accessible while previewing', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopStudioElement>(html`<live-shop-studio room=${show.room} server=${show.server} source="test-pattern" processing="off"></live-shop-studio>`);
    await waitUntil(() => el.state === 'previewing', 'a preview', { timeout: 10_000 });
    await expect(el).to.be.accessible();
  });

  it('defaults to the camera, and asks for the host key when it has none', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopStudioElement>(html`<live-shop-studio room=${show.room} server=${show.server} processing="off"></live-shop-studio>`);
    expect(el.source).to.equal('camera');
    await waitUntil(() => el.state === 'previewing', 'a camera preview', { timeout: 10_000 });
    expect(shadow(el).querySelectorAll('select')).to.have.length(2);
    expect(shadow(el).querySelector('input[type=password]')).not.to.equal(null);
    expect(shadow(el).querySelector('.message')!.textContent).to.contain('Enter the host key');
    const preview = shadow(el).querySelector('video')!;
    await waitUntil(() => preview.videoWidth > 0, 'preview frames');
  });

  it('follows the source attribute when a page sets it after the studio started', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopStudioElement>(html`<live-shop-studio room=${show.room} server=${show.server} processing="off"></live-shop-studio>`);
    await waitUntil(() => el.state === 'previewing', 'a camera preview', { timeout: 10_000 });
    el.setAttribute('source', 'test-pattern');
    await waitUntil(() => shadow(el).querySelector('.note')?.textContent?.includes('test pattern'), 'the test pattern source');
    await waitUntil(() => el.mediaStream?.getAudioTracks().length === 1 && el.mediaStream.getVideoTracks()[0]?.getSettings().width === 1280, 'test pattern tracks');
  });

  it('refuses to go live with a wrong host key and says why', async () => {
    const show = await liveShow();
    const el = await fixture<LiveShopStudioElement>(html`<live-shop-studio room=${show.room} server=${show.server} source="test-pattern" host-key="not-the-host-key-123"></live-shop-studio>`);
    await waitUntil(() => el.state === 'previewing', 'a preview', { timeout: 10_000 });
    shadow(el).querySelector<HTMLButtonElement>('[part=go-live]')!.click();
    await waitUntil(() => el.state === 'error', 'an error', { timeout: 10_000 });
    await el.updateComplete;
    const message = shadow(el).querySelector('.message')!;
    expect(message.getAttribute('role')).to.equal('alert');
    expect(message.textContent).to.contain('needs the host key');
  });
});
