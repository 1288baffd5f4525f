import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Player } from './player.ts';

const REFRESH_MS = 1000;

/**
 * The `debug` attribute's overlay: which transport plays, the estimated latency and the
 * rendition, refreshed every second while enabled. It only reads `Player.diagnostics()`.
 */
export class DebugOverlay implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | undefined;
  private enabled = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Turns the overlay on or off (the element calls this when its `debug` attribute changes). */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    clearInterval(this.timer);
    if (enabled) this.timer = setInterval(() => this.host.requestUpdate(), REFRESH_MS);
  }

  hostConnected(): void {
    if (this.enabled && this.timer === undefined) this.timer = setInterval(() => this.host.requestUpdate(), REFRESH_MS);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  render(player: Player | null) {
    if (!this.enabled) return nothing;
    const d = player?.diagnostics();
    const latency = d?.latencyMs != null ? `${Math.round(d.latencyMs)} ms` : '–';
    return html`<dl part="debug" class="debug" aria-label="Playback diagnostics">
      <dt>transport</dt><dd data-field="transport">${d?.transport ?? 'none'}</dd>
      <dt>latency</dt><dd data-field="latency">${latency}</dd>
      <dt>rendition</dt><dd data-field="rendition">${d?.rendition ?? '–'}</dd>
    </dl>`;
  }
}

export const debugOverlayStyles = css`
  .debug {
    position: absolute;
    right: 8px;
    top: 8px;
    margin: 0;
    display: grid;
    grid-template-columns: auto auto;
    gap: 2px 8px;
    padding: 6px 8px;
    border-radius: 4px;
    background: rgb(0 0 0 / 70%);
    font: 12px/1.3 ui-monospace, monospace;
    pointer-events: none;
  }
  .debug dt { opacity: 0.7; }
  .debug dd { margin: 0; }
`;
