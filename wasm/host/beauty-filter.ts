import type { MediaCoreExports } from './media-core.ts';
import { MediaCoreError } from './media-core.ts';

export type PixelFormat = 'I420' | 'NV12' | 'RGBA';
const FORMAT_CODES: Record<PixelFormat, number> = { I420: 0, NV12: 1, RGBA: 2 };

export interface BeautyParams {
  /** Skin smoothing, 0-1. */
  smooth: number;
  /** Midtone lift, 0-1. */
  brighten: number;
  /** Unsharp mask off skin, 0-1. */
  sharpen: number;
}

export const BEAUTY_DEFAULTS: BeautyParams = { smooth: 0.7, brighten: 0.2, sharpen: 0 };

/** Edge-preserving skin smoothing on I420 / NV12 / RGBA frames, processed in place inside WASM memory. */
export class BeautyFilter {
  private params: BeautyParams = { ...BEAUTY_DEFAULTS };
  private configured: { width: number; height: number; format: PixelFormat } | null = null;

  constructor(private readonly core: MediaCoreExports, params: Partial<BeautyParams> = {}) {
    this.setParams(params);
  }

  setParams(params: Partial<BeautyParams>): void {
    const next = { ...this.params, ...params };
    for (const [name, value] of Object.entries(next)) {
      if (!Number.isFinite(value) || value < 0 || value > 1) {
        throw new MediaCoreError('invalid-option', `beauty ${name} must be within [0, 1], got ${value}`);
      }
    }
    this.params = next;
    this.core.beautySetParams(next.smooth, next.brighten, next.sharpen);
  }

  /** true: the v128 path (default); false: the scalar reference path. */
  setSimd(enabled: boolean): void {
    this.core.beautySetSimd(enabled ? 1 : 0);
  }

  /** Sizes the filter (cheap when nothing changed) and returns the view a frame is written into. */
  frameView(width: number, height: number, format: PixelFormat): Uint8Array {
    const c = this.configured;
    if (!c || c.width !== width || c.height !== height || c.format !== format) {
      if (!(format in FORMAT_CODES)) throw new MediaCoreError('invalid-format', `beauty supports I420, NV12 and RGBA, got ${format}`);
      const code = this.core.beautyConfigure(width, height, FORMAT_CODES[format]);
      if (code === -1 || !Number.isInteger(width) || !Number.isInteger(height)) {
        throw new MediaCoreError('invalid-size', `beauty needs a frame of at least 2x2 pixels, got ${width}x${height}`);
      }
      if (code === -2) throw new MediaCoreError('too-large', `beauty handles frames up to 4096x2304, got ${width}x${height}`);
      if (code !== 0) throw new MediaCoreError('invalid-format', `beauty could not be configured (code ${code})`);
      this.configured = { width, height, format };
    }
    return new Uint8Array(this.core.memory.buffer, this.core.beautyFramePtr(), this.core.beautyFrameBytes());
  }

  /** Processes the frame written into the last `frameView()`; the result is read from a fresh view. */
  processInPlace(): void {
    if (!this.configured) throw new MediaCoreError('not-configured', 'call frameView(width, height, format) before processInPlace()');
    this.core.beautyProcess();
  }

  /** Copies `frame` in, processes it, and copies the result back into `frame`. */
  process(frame: Uint8Array, width: number, height: number, format: PixelFormat): Uint8Array {
    const view = this.frameView(width, height, format);
    if (frame.length !== view.length) {
      throw new MediaCoreError('invalid-size', `a ${width}x${height} ${format} frame is ${view.length} bytes, got ${frame.length}`);
    }
    view.set(frame);
    this.processInPlace();
    // A fresh view with the length taken before: should the module's memory have grown, `view` is
    // detached (length 0) and would copy nothing back.
    frame.set(new Uint8Array(this.core.memory.buffer, this.core.beautyFramePtr(), frame.length));
    return frame;
  }

  /** Forgets the temporal skin mask (camera switch). */
  reset(): void {
    this.core.beautyReset();
  }
}
