// Media pipeline options: defaults in one place, merged once, bad values rejected naming the option.

export interface MediaOptions {
  /** Microphone noise suppression on/off. */
  denoise: boolean;
  /** 0 keeps the sound as it is; 1 removes up to 40 dB of noise between words, and 12.5 dB more in longer pauses. */
  denoiseStrength: number;
  /** Camera skin smoothing and brightening on/off. */
  beauty: boolean;
  /** Skin smoothing, 0-1. */
  smooth: number;
  /** Midtone lift, 0-1. */
  brighten: number;
  /** Light sharpening off skin, 0-1. */
  sharpen: number;
  /** Feed the encoder on an even cadence (the pacer) rather than as frames finish. */
  pacing: boolean;
}

export const MEDIA_DEFAULTS: Readonly<MediaOptions> = Object.freeze({
  denoise: true,
  denoiseStrength: 0.8,
  beauty: true,
  smooth: 0.7,
  brighten: 0.2,
  sharpen: 0,
  pacing: true,
});

const UNIT_RANGE = ['denoiseStrength', 'smooth', 'brighten', 'sharpen'] as const;
const SWITCHES = ['denoise', 'beauty', 'pacing'] as const;

export class MediaOptionError extends Error {
  constructor(readonly option: string, message: string) {
    super(message);
    this.name = 'MediaOptionError';
  }
}

/** `base` with `patch` applied; throws a MediaOptionError naming the first bad option. */
export function mergeMediaOptions(base: MediaOptions, patch: Partial<MediaOptions>): MediaOptions {
  const next = { ...base, ...patch };
  for (const key of Object.keys(patch)) {
    if (!(key in MEDIA_DEFAULTS)) throw new MediaOptionError(key, `unknown media option "${key}"`);
  }
  for (const key of UNIT_RANGE) {
    const value = next[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new MediaOptionError(key, `media option ${key} must be a number within [0, 1], got ${String(value)}`);
    }
  }
  for (const key of SWITCHES) {
    if (typeof next[key] !== 'boolean') throw new MediaOptionError(key, `media option ${key} must be true or false, got ${String(next[key])}`);
  }
  return next;
}
