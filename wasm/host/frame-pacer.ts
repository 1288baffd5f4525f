import type { MediaCoreExports } from './media-core.ts';
import { MediaCoreError } from './media-core.ts';

/** Chooses, at each display or encoder tick, which frame to present (see wasm/assembly/pacing.ts). */
export class FramePacer {
  constructor(private readonly core: MediaCoreExports, tickMs: number, maxDelayMs = 200) {
    if (core.pacingConfigure(tickMs, maxDelayMs) !== 0) {
      throw new MediaCoreError('invalid-option', `pacing needs a tick > 0 ms and a max delay >= 0 ms, got ${tickMs} and ${maxDelayMs}`);
    }
  }

  /** Records a frame; returns its sequence number (0, 1, 2, ... in push order). */
  push(captureMs: number, arrivalMs: number): number {
    return this.core.pacingPush(captureMs, arrivalMs);
  }

  /** The sequence number to present at `nowMs`, or -1 while no frame is due. */
  select(nowMs: number): number {
    return this.core.pacingSelect(nowMs);
  }

  get delayMs(): number {
    return this.core.pacingDelayMs();
  }

  /** Ticks per frame when a cadence is locked, else 0. */
  get cadence(): number {
    return this.core.pacingCadence();
  }
}
