import { LitElement, css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { MediaOptions } from './media/options.ts';
import type { MediaStats } from './media/pipeline.ts';

/** What the controls need from a media pipeline (MediaPipeline implements it). */
export interface MediaControlsPipeline {
  getOptions(): MediaOptions;
  setOptions(patch: Partial<MediaOptions>): void;
  stats(): MediaStats;
}

/** Polls the pipeline's stats while the element is connected; stops on disconnect. */
class StatsPoller implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: ReactiveControllerHost & { refreshStats(): void }, private readonly everyMs: number) {
    host.addController(this);
  }

  hostConnected(): void {
    this.timer = setInterval(() => this.host.refreshStats(), this.everyMs);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Studio controls for the media pipeline: denoise and beauty toggles, strength sliders, the live
 * processing time per frame and a voice-activity light. Changes go to the pipeline at once; what is
 * shown is read back from it.
 *
 * @fires live-shop-media:change - After an option changed; `detail` is the pipeline's options.
 *
 * @csspart voice - The voice-activity light.
 * @csspart timing - The processing time per frame.
 *
 * @cssproperty [--live-shop-accent=#e11d48] - Toggle and slider colour.
 * @cssproperty [--live-shop-voice=#16a34a] - The voice light when a voice is heard.
 */
export class LiveShopMediaControlsElement extends LitElement {
  static override properties = {
    pipeline: { attribute: false },
    options: { state: true },
    current: { state: true },
    error: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; font-size: 14px; --accent: var(--live-shop-accent, #e11d48); }
    fieldset { border: 1px solid #cbd5e1; border-radius: 10px; padding: 8px 12px 12px; margin: 0 0 8px; display: grid; gap: 8px; }
    legend { font-weight: 700; padding: 0 4px; }
    label { display: flex; align-items: center; gap: 8px; }
    label.slider { display: grid; grid-template-columns: 7em 1fr 3em; }
    input { accent-color: var(--accent); }
    output { font-variant-numeric: tabular-nums; text-align: right; }
    .status { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
    .voice { display: inline-flex; align-items: center; gap: 6px; }
    .light { width: 12px; height: 12px; border-radius: 50%; background: #94a3b8; }
    .light.on { background: var(--live-shop-voice, #16a34a); box-shadow: 0 0 6px var(--live-shop-voice, #16a34a); }
    .error { color: #b91c1c; margin: 0; }
  `;

  /** The pipeline to control (a MediaPipeline); the controls are disabled until it is set. */
  declare pipeline: MediaControlsPipeline | null;
  declare private options: MediaOptions | null;
  declare private current: MediaStats | null;
  declare private error: string;

  constructor() {
    super();
    this.pipeline = null;
    this.options = null;
    this.current = null;
    this.error = '';
    new StatsPoller(this, 250);
  }

  /** Called by the poller: re-reads the options and stats from the pipeline. */
  refreshStats(): void {
    if (!this.pipeline) return;
    this.options = this.pipeline.getOptions();
    this.current = this.pipeline.stats();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('pipeline')) {
      this.options = this.pipeline?.getOptions() ?? null;
      this.current = this.pipeline?.stats() ?? null;
    }
  }

  private change(patch: Partial<MediaOptions>): void {
    if (!this.pipeline) return;
    try {
      this.pipeline.setOptions(patch);
      this.error = '';
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.refreshStats();
    this.dispatchEvent(new CustomEvent('live-shop-media:change', { detail: this.options, bubbles: true, composed: true }));
  }

  private slider(label: string, key: 'denoiseStrength' | 'smooth' | 'brighten', disabled: boolean) {
    const value = Math.round((this.options?.[key] ?? 0) * 100);
    return html`<label class="slider">
      <span>${label}</span>
      <input type="range" name=${key} min="0" max="100" step="1" .value=${String(value)} ?disabled=${disabled}
        aria-valuetext=${`${value}%`}
        @input=${(e: Event) => this.change({ [key]: Number((e.target as HTMLInputElement).value) / 100 })} />
      <output>${value}%</output>
    </label>`;
  }

  protected override render() {
    const o = this.options;
    const none = !o;
    const ms = this.current?.videoMsPerFrame;
    const voice = this.current?.voiceActive ?? false;
    return html`
      <fieldset>
        <legend>Microphone</legend>
        <label><input type="checkbox" name="denoise" .checked=${o?.denoise ?? false} ?disabled=${none}
          @change=${(e: Event) => this.change({ denoise: (e.target as HTMLInputElement).checked })} /> Noise suppression</label>
        ${this.slider('Strength', 'denoiseStrength', none || !o.denoise)}
        <div class="status">
          <span class="voice" role="status" part="voice">
            <span class=${voice ? 'light on' : 'light'} aria-hidden="true"></span>${voice ? 'Voice detected' : 'No voice'}
          </span>
        </div>
      </fieldset>
      <fieldset>
        <legend>Camera</legend>
        <label><input type="checkbox" name="beauty" .checked=${o?.beauty ?? false} ?disabled=${none}
          @change=${(e: Event) => this.change({ beauty: (e.target as HTMLInputElement).checked })} /> Skin smoothing</label>
        ${this.slider('Smoothing', 'smooth', none || !o.beauty)}
        ${this.slider('Brightening', 'brighten', none || !o.beauty)}
        <div class="status"><span>Processing</span>
          <span part="timing" class="timing">${ms === null || ms === undefined ? 'off' : `${ms.toFixed(1)} ms / frame`}</span>
        </div>
      </fieldset>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    `;
  }
}
