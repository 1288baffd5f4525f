// <live-shop-studio> wires the media pipeline in: camera and microphone go on air processed, and the
// media controls appear. (The relay is absent here; only the local media path is under test.)
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './node-env.ts';
import '../../../widget/studio.ts';
import type { LiveShopStudioElement } from '../../../widget/live-shop-studio.ts';

describe('<live-shop-studio> media processing', () => {
  it('sends the camera through the pipeline and shows the media controls', async () => {
    const el = await fixture<LiveShopStudioElement>(html`<live-shop-studio room="media-test" host-key="k" media-base="/dist/widget/media"></live-shop-studio>`);
    await waitUntil(() => el.state === 'previewing', 'the studio never previewed', { timeout: 10000 });
    const controls = el.shadowRoot!.querySelector('live-shop-media-controls');
    expect(controls, 'media controls').to.not.equal(null);
    const video = el.mediaStream!.getVideoTracks()[0];
    // A processed camera is a generated track, not the capture device.
    expect(video.label).to.not.match(/fake/i);
    await waitUntil(() => /ms \/ frame/.test(controls!.shadowRoot!.querySelector('[part=timing]')?.textContent ?? ''), 'no processing time shown', { timeout: 10000 });
    el.remove();
  });

  it('leaves the camera as captured with processing="off"', async () => {
    const el = await fixture<LiveShopStudioElement>(html`<live-shop-studio room="media-test" host-key="k" processing="off"></live-shop-studio>`);
    await waitUntil(() => el.state === 'previewing', 'the studio never previewed', { timeout: 10000 });
    expect(el.shadowRoot!.querySelector('live-shop-media-controls')).to.equal(null);
    expect(el.mediaStream!.getVideoTracks()[0].label).to.match(/fake/i);
    el.remove();
  });
});
