import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { emit, type StudioState } from './events.ts';
import { relayBase } from './relay/client.ts';
import { roomStore, type RoomState } from './state/room.ts';
import { StoreController } from './state/store-controller.ts';
import { Publisher, type PublishedLayer } from './studio/publisher.ts';
import { TestPattern } from './studio/test-pattern.ts';
import type { MediaPipeline } from './studio/media/pipeline.ts';

/** How long the relay may take to confirm, through LiveKit's webhook, that the show is live. */
const LIVE_CONFIRM_TIMEOUT_MS = 15_000;

/**
 * The host's console: camera and microphone preview, device choice, going live and ending the show.
 *
 * @attr room - The show's room name (required; the relay must know it).
 * @attr server - The live-shop relay's base URL; the page's origin when absent.
 * @attr host-key - The host credential; when absent the studio asks for it.
 * @attr source - `camera` (default) or `test-pattern`: a moving picture carrying its capture time, and a tone.
 * @attr processing - `on` (default): the camera goes through skin smoothing and the microphone through noise
 *   suppression before they go on air, with their controls; `off`: sent as captured. (Not applied to the test pattern.)
 * @attr media-base - Where the media worklet, worker and `media.wasm` are served; `media/` next to this script by default.
 *
 * @fires live-shop-studio:state - On every change of `state`.
 *
 * @csspart preview - The preview `<video>`.
 * @csspart go-live - The "Go live" button.
 * @csspart end - The "End show" button.
 * @csspart shop - The host's shop controls (`<live-shop-host-panel>`): pins, flash sales, coupons, chat moderation.
 *
 * @cssproperty [--live-shop-accent=#e11d48] - Button and badge colour.
 */
export class LiveShopStudioElement extends LitElement {
  static override properties = {
    room: { reflect: true },
    server: {},
    hostKey: { attribute: 'host-key' },
    source: {},
    processing: {},
    mediaBase: { attribute: 'media-base' },
    studioState: { state: true },
    message: { state: true },
    cameras: { state: true },
    microphones: { state: true },
    layers: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; --accent: var(--live-shop-accent, #e11d48); }
    .studio { display: grid; grid-template-columns: minmax(0, 2fr) minmax(260px, 1fr); gap: 16px; }
    @media (max-width: 720px) { .studio { grid-template-columns: 1fr; } }
    .preview { position: relative; aspect-ratio: 16 / 9; background: #111; border-radius: 12px; overflow: hidden; }
    video { width: 100%; height: 100%; object-fit: contain; }
    .chip { position: absolute; top: 12px; left: 12px; padding: 4px 10px; border-radius: 4px; font-weight: 700; font-size: 12px; background: #334155; color: #fff; letter-spacing: 0.06em; }
    .chip.live { background: var(--accent); }
    .controls { display: grid; gap: 12px; align-content: start; }
    label { display: grid; gap: 4px; font-size: 14px; font-weight: 600; }
    select, input { font: inherit; padding: 8px; border-radius: 8px; border: 1px solid #cbd5e1; }
    button { font: inherit; font-weight: 700; padding: 12px; border-radius: 999px; border: 0; cursor: pointer; background: var(--accent); color: #fff; }
    button.secondary { background: #0f172a; }
    button:disabled { opacity: 0.55; cursor: progress; }
    .message, .note { margin: 0; min-height: 1.4em; font-size: 14px; }
    .message.error { color: #b91c1c; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0; font-size: 14px; }
    dt { color: #475569; }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
  `;

  declare room: string;
  declare server: string | null;
  declare hostKey: string | null;
  declare source: string;
  declare processing: string;
  declare mediaBase: string | null;
  declare private studioState: StudioState;
  declare private message: string;
  declare private cameras: MediaDeviceInfo[];
  declare private microphones: MediaDeviceInfo[];
  declare private layers: PublishedLayer[];

  private media: MediaStream | null = null;
  private pattern: TestPattern | null = null;
  private pipeline: MediaPipeline | null = null;
  private rawTracks: MediaStreamTrack[] = [];
  private publisher: Publisher | null = null;
  private roomState: StoreController<RoomState> | null = null;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private confirmTimer: ReturnType<typeof setTimeout> | undefined;
  private previewSource: string | null = null;
  private cameraId = '';
  private microphoneId = '';

  constructor() {
    super();
    this.room = '';
    this.server = null;
    this.hostKey = null;
    this.source = 'camera';
    this.processing = 'on';
    this.mediaBase = null;
    this.studioState = 'idle';
    this.message = '';
    this.cameras = [];
    this.microphones = [];
    this.layers = [];
  }

  /** `idle`, `previewing`, `going-live`, `live`, `ending`, `ended` or `error`. */
  get state(): StudioState {
    return this.studioState;
  }

  /** The camera and microphone as they go on air (after any processing). */
  get mediaStream(): MediaStream | null {
    return this.media;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.statsTimer);
    clearTimeout(this.confirmTimer);
    void this.publisher?.disconnect();
    this.stopMedia();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('room') || changed.has('server')) && this.room) {
      if (this.roomState) this.removeController(this.roomState);
      this.roomState = new StoreController(this, roomStore(relayBase(this.server), this.room, { host: true }));
    }
    const status = this.roomState?.value.info?.status;
    if (this.studioState === 'going-live' && status === 'live') {
      clearTimeout(this.confirmTimer);
      this.setState('live', 'You are live.');
    }
  }

  protected override updated(changed: PropertyValues): void {
    // The preview follows the `source` attribute, also when a page sets it after the element started.
    const onAir = this.studioState === 'going-live' || this.studioState === 'live' || this.studioState === 'ending';
    if (this.isConnected && this.source !== this.previewSource && !onAir) {
      this.stopMedia();
      void this.startPreview();
    }
    if (changed.has('studioState')) emit(this, 'live-shop-studio:state', { state: this.studioState, room: this.room, error: this.studioState === 'error' ? this.message : null });
  }

  protected override render() {
    const live = this.studioState === 'live';
    const busy = this.studioState === 'going-live' || this.studioState === 'ending';
    const canGoLive = (this.studioState === 'previewing' || this.studioState === 'ended' || this.studioState === 'error') && this.media !== null;
    const viewers = this.roomState?.value.viewers ?? 0;
    return html`
      <section class="studio" aria-label="Live studio">
        <div class="preview">
          <video part="preview" autoplay muted playsinline aria-label="Camera preview"></video>
          <span class="chip ${live ? 'live' : ''}">${live ? 'LIVE' : busy ? '…' : 'PREVIEW'}</span>
        </div>
        <div class="controls">
          ${this.source === 'test-pattern'
            ? html`<p class="note">Source: test pattern with tone.</p>`
            : html`
                <label>Camera
                  <select @change=${(e: Event) => this.pickDevice('video', (e.target as HTMLSelectElement).value)}>
                    ${this.cameras.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === this.cameraId}>${d.label || `Camera ${i + 1}`}</option>`)}
                  </select>
                </label>
                <label>Microphone
                  <select @change=${(e: Event) => this.pickDevice('audio', (e.target as HTMLSelectElement).value)}>
                    ${this.microphones.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === this.microphoneId}>${d.label || `Microphone ${i + 1}`}</option>`)}
                  </select>
                </label>`}
          ${this.hostKey
            ? nothing
            : html`<label>Host key <input type="password" autocomplete="off" @change=${(e: Event) => (this.hostKey = (e.target as HTMLInputElement).value)} /></label>`}
          ${live || this.studioState === 'ending'
            ? html`<button part="end" class="secondary" ?disabled=${busy} @click=${this.end}>End show</button>`
            : html`<button part="go-live" ?disabled=${!canGoLive || busy} @click=${this.goLive}>${busy ? 'Going live…' : 'Go live'}</button>`}
          <p class="message ${this.studioState === 'error' ? 'error' : ''}" role=${this.studioState === 'error' ? 'alert' : 'status'}>${this.message}</p>
          <dl aria-label="Live stats">
            <dt>Viewers</dt><dd class="viewers">${viewers}</dd>
            <dt>Layers</dt><dd class="layers">${this.layers.length ? this.layers.map((l) => `${l.width}x${l.height}@${Math.round(l.framesPerSecond)}`).join(', ') : '-'}</dd>
            <dt>Upload</dt><dd>${this.layers.length ? `${Math.round(this.layers.reduce((sum, l) => sum + l.bitrateKbps, 0))} kbps` : '-'}</dd>
          </dl>
          ${this.pipeline ? html`<live-shop-media-controls .pipeline=${this.pipeline}></live-shop-media-controls>` : nothing}
          <slot name="panel"></slot>
        </div>
      </section>
      <live-shop-host-panel part="shop" room=${this.room} .server=${this.server} .hostKey=${this.hostKey}></live-shop-host-panel>
    `;
  }

  private async startPreview(): Promise<void> {
    this.previewSource = this.source;
    try {
      if (this.source === 'test-pattern') {
        this.pattern = new TestPattern();
        this.media = this.pattern.stream;
      } else {
        this.media = await navigator.mediaDevices.getUserMedia(this.constraints());
        await this.listDevices();
        this.media = await this.withProcessing(this.media);
      }
      await this.updateComplete;
      this.renderRoot.querySelector('video')!.srcObject = this.media;
      this.setState('previewing', this.hostKey ? 'Ready when you are.' : 'Enter the host key, then go live.');
    } catch (error) {
      this.setState('error', `No camera or microphone: ${(error as Error).message}. Allow access in the browser and reload.`);
    }
  }

  private constraints(): MediaStreamConstraints {
    return {
      video: { deviceId: this.cameraId ? { exact: this.cameraId } : undefined, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
      audio: { deviceId: this.microphoneId ? { exact: this.microphoneId } : undefined, echoCancellation: true, autoGainControl: true },
    };
  }

  private async listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    this.cameras = devices.filter((d) => d.kind === 'videoinput');
    this.microphones = devices.filter((d) => d.kind === 'audioinput');
    this.cameraId = this.media?.getVideoTracks()[0]?.getSettings().deviceId ?? '';
    this.microphoneId = this.media?.getAudioTracks()[0]?.getSettings().deviceId ?? '';
  }

  private async pickDevice(kind: 'video' | 'audio', deviceId: string): Promise<void> {
    if (kind === 'video') this.cameraId = deviceId;
    else this.microphoneId = deviceId;
    const constraints = this.constraints();
    const fresh = await navigator.mediaDevices.getUserMedia(kind === 'video' ? { video: constraints.video } : { audio: constraints.audio });
    let track = kind === 'video' ? fresh.getVideoTracks()[0]! : fresh.getAudioTracks()[0]!;
    if (this.pipeline) {
      for (const raw of this.rawTracks.filter((t) => t.kind === kind)) raw.stop();
      this.rawTracks = [...this.rawTracks.filter((t) => t.kind !== kind), track];
      track = await (kind === 'video' ? this.pipeline.processVideo(track) : this.pipeline.processAudio(track));
    }
    const old = kind === 'video' ? this.media?.getVideoTracks()[0] : this.media?.getAudioTracks()[0];
    if (old) {
      this.media?.removeTrack(old);
      old.stop();
    }
    this.media?.addTrack(track);
    if (this.publisher?.connected) await this.publisher.replace(kind, track);
  }

  private async goLive(): Promise<void> {
    if (!this.hostKey) return this.setState('error', 'Enter the host key first.');
    this.setState('going-live', 'Connecting…');
    try {
      await this.pattern?.resume();
      await this.pipeline?.resume();
      this.publisher = new Publisher(relayBase(this.server), this.room, this.hostKey);
      await this.publisher.publish(this.media?.getVideoTracks()[0], this.media?.getAudioTracks()[0], {
        onDisconnect: (reason) => {
          if (this.studioState === 'live' || this.studioState === 'going-live') this.setState('error', `Disconnected from the live server (${reason}). Press "Go live" to resume.`);
        },
        // Viewers keep their place while the host's connection recovers; the host sees it happen.
        onReconnecting: () => {
          if (this.studioState === 'live') this.message = 'Connection lost, reconnecting… viewers are waiting.';
        },
        onReconnected: () => {
          if (this.studioState === 'live') this.message = 'Reconnected. You are live.';
        },
      });
      this.setState('going-live', 'Waiting for the server to confirm…');
      this.confirmTimer = setTimeout(() => {
        if (this.studioState === 'going-live') this.setState('error', 'The server did not confirm the show went live. Check that LiveKit can reach the relay.');
      }, LIVE_CONFIRM_TIMEOUT_MS);
      this.requestUpdate();
      this.statsTimer = setInterval(async () => {
        this.layers = (await this.publisher?.layers()) ?? [];
      }, 1000);
    } catch (error) {
      await this.publisher?.disconnect();
      this.publisher = null;
      this.setState('error', `Could not go live: ${(error as Error).message}`);
    }
  }

  private async end(): Promise<void> {
    this.setState('ending', 'Ending the show…');
    clearInterval(this.statsTimer);
    try {
      await this.publisher?.end();
      this.layers = [];
      this.setState('ended', 'The show has ended. Go live again to start a new one.');
    } catch (error) {
      this.setState('error', `Could not end the show: ${(error as Error).message}`);
    }
  }

  private setState(state: StudioState, message: string): void {
    this.studioState = state;
    this.message = message;
  }

  /** Camera and microphone through the media pipeline, loaded on demand; on any failure they go on air unprocessed. */
  private async withProcessing(raw: MediaStream): Promise<MediaStream> {
    if (this.processing === 'off') return raw;
    try {
      const here = import.meta.url;
      const { MediaPipeline } = await import('./studio/media/index.ts');
      this.pipeline ??= await MediaPipeline.create({ wasmBase: this.mediaBase ?? new URL('media/', here).href });
      const pipeline = this.pipeline;
      const processed = await Promise.all(raw.getTracks().map((t) => (t.kind === 'video' ? pipeline.processVideo(t) : pipeline.processAudio(t))));
      this.rawTracks = raw.getTracks();
      return new MediaStream(processed);
    } catch (error) {
      console.warn(`live-shop studio: going on without media processing: ${(error as Error).message}`);
      return raw;
    }
  }

  private stopMedia(): void {
    this.previewSource = null;
    this.pattern?.stop();
    this.pattern = null;
    this.pipeline?.destroy();
    this.pipeline = null;
    for (const track of this.rawTracks) track.stop();
    this.rawTracks = [];
    for (const track of this.media?.getTracks() ?? []) track.stop();
    this.media = null;
  }
}
