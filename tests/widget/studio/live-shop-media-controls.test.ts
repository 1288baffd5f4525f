import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../../widget/studio/media/index.ts';
import type { LiveShopMediaControlsElement, MediaControlsPipeline } from '../../../widget/studio/live-shop-media-controls.ts';
import { MEDIA_DEFAULTS, type MediaOptions, mergeMediaOptions } from '../../../widget/studio/media/options.ts';
import type { MediaStats } from '../../../widget/studio/media/pipeline.ts';

/** A pipeline double with the real option validation. */
class FakePipeline implements MediaControlsPipeline {
  options: MediaOptions = { ...MEDIA_DEFAULTS };
  calls: Partial<MediaOptions>[] = [];
  current: MediaStats = { videoMsPerFrame: 3.25, voiceActive: false, audioMsPerQuantum: 0.02, pacingDelayMs: 20, videoInputFps: 30, videoOutputFps: 30, videoPath: 'insertable-streams' };
  getOptions(): MediaOptions {
    return { ...this.options };
  }
  setOptions(patch: Partial<MediaOptions>): void {
    this.calls.push(patch);
    this.options = mergeMediaOptions(this.options, patch);
  }
  stats(): MediaStats {
    return { ...this.current };
  }
}

const query = <T extends Element>(el: LiveShopMediaControlsElement, selector: string) => el.shadowRoot!.querySelector(selector) as T;

describe('<live-shop-media-controls>', () => {
  it('is accessible', async () => {
    const el = await fixture<LiveShopMediaControlsElement>(html`<live-shop-media-controls .pipeline=${new FakePipeline()}></live-shop-media-controls>`);
    await expect(el).to.be.accessible();
  });

  it('is disabled until it has a pipeline, then shows its options and timing', async () => {
    const el = await fixture<LiveShopMediaControlsElement>(html`<live-shop-media-controls></live-shop-media-controls>`);
    expect(query<HTMLInputElement>(el, 'input[name=denoise]').disabled).to.equal(true);
    el.pipeline = new FakePipeline();
    await el.updateComplete;
    expect(query<HTMLInputElement>(el, 'input[name=denoise]').checked).to.equal(true);
    expect(query<HTMLInputElement>(el, 'input[name=beauty]').checked).to.equal(true);
    expect(query<HTMLInputElement>(el, 'input[name=smooth]').value).to.equal('70');
    expect(query<HTMLElement>(el, '[part=timing]').textContent).to.equal('3.3 ms / frame');
    expect(query<HTMLElement>(el, '[part=voice]').textContent!.trim()).to.equal('No voice');
  });

  it('sends toggles and sliders to the pipeline and disables a switched-off processor\'s sliders', async () => {
    const pipeline = new FakePipeline();
    const el = await fixture<LiveShopMediaControlsElement>(html`<live-shop-media-controls .pipeline=${pipeline}></live-shop-media-controls>`);
    const changes: MediaOptions[] = [];
    el.addEventListener('live-shop-media:change', (e) => changes.push((e as CustomEvent<MediaOptions>).detail));
    query<HTMLInputElement>(el, 'input[name=beauty]').click();
    await el.updateComplete;
    expect(pipeline.calls).to.deep.equal([{ beauty: false }]);
    expect(query<HTMLInputElement>(el, 'input[name=smooth]').disabled).to.equal(true);
    const strength = query<HTMLInputElement>(el, 'input[name=denoiseStrength]');
    strength.value = '35';
    strength.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(pipeline.options.denoiseStrength).to.equal(0.35);
    expect(changes.at(-1)?.denoiseStrength).to.equal(0.35);
    expect(query<HTMLElement>(el, 'label.slider output').textContent).to.equal('35%');
  });

  it('follows the live stats: voice light and processing time', async () => {
    const pipeline = new FakePipeline();
    const el = await fixture<LiveShopMediaControlsElement>(html`<live-shop-media-controls .pipeline=${pipeline}></live-shop-media-controls>`);
    pipeline.current = { ...pipeline.current, voiceActive: true, videoMsPerFrame: 4.04 };
    await waitUntil(() => query<HTMLElement>(el, '[part=voice]').textContent!.includes('Voice detected'), 'voice light never came on');
    expect(query<HTMLElement>(el, '.light').classList.contains('on')).to.equal(true);
    expect(query<HTMLElement>(el, '[part=timing]').textContent).to.equal('4.0 ms / frame');
  });

  it('shows the pipeline\'s error when it rejects an option', async () => {
    const pipeline = new FakePipeline();
    pipeline.setOptions = () => {
      throw new Error('media option smooth must be a number within [0, 1], got 2');
    };
    const el = await fixture<LiveShopMediaControlsElement>(html`<live-shop-media-controls .pipeline=${pipeline}></live-shop-media-controls>`);
    const smooth = query<HTMLInputElement>(el, 'input[name=smooth]');
    smooth.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(query<HTMLElement>(el, '[role=alert]').textContent).to.contain('smooth');
  });
});
