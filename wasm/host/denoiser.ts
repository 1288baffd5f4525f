import type { MediaCoreExports } from './media-core.ts';
import { MediaCoreError } from './media-core.ts';

/** 48 kHz mono denoiser working on 128-sample blocks, 384 samples (8 ms) of delay. */
export class Denoiser {
  static readonly HOP = 128;
  static readonly DELAY_SAMPLES = 384;
  private input: Float32Array;
  private output: Float32Array;

  constructor(private readonly core: MediaCoreExports, strength = 0.8) {
    core.denoiseInit();
    this.setStrength(strength);
    this.input = this.view(core.denoiseInputPtr());
    this.output = this.view(core.denoiseOutputPtr());
  }

  /** 0 leaves the sound as it is (delayed); 1 sets a 40 dB floor, and 12.5 dB more once no speech has been heard for a while. */
  setStrength(strength: number): void {
    if (!Number.isFinite(strength) || strength < 0 || strength > 1) {
      throw new MediaCoreError('invalid-option', `denoise strength must be within [0, 1], got ${strength}`);
    }
    this.core.denoiseSetStrength(strength);
  }

  /** Denoises one 128-sample block into `output` (may be the same array). */
  processBlock(input: Float32Array, output: Float32Array): void {
    if (input.length !== Denoiser.HOP || output.length !== Denoiser.HOP) {
      throw new MediaCoreError('invalid-size', `denoise works on blocks of ${Denoiser.HOP} samples, got ${input.length} in and ${output.length} out`);
    }
    if (this.input.buffer !== this.core.memory.buffer) {
      this.input = this.view(this.core.denoiseInputPtr());
      this.output = this.view(this.core.denoiseOutputPtr());
    }
    this.input.set(input);
    this.core.denoiseProcess();
    output.set(this.output);
  }

  /** Whole signal, delay removed: the output lines up with the input sample for sample. */
  processSignal(samples: Float32Array): Float32Array {
    const blocks = Math.ceil((samples.length + Denoiser.DELAY_SAMPLES) / Denoiser.HOP);
    const padded = new Float32Array(blocks * Denoiser.HOP);
    padded.set(samples);
    const out = new Float32Array(padded.length);
    for (let b = 0; b < blocks; b++) {
      this.processBlock(padded.subarray(b * Denoiser.HOP, (b + 1) * Denoiser.HOP), out.subarray(b * Denoiser.HOP, (b + 1) * Denoiser.HOP));
    }
    return out.slice(Denoiser.DELAY_SAMPLES, Denoiser.DELAY_SAMPLES + samples.length);
  }

  get voiceActive(): boolean {
    return this.core.denoiseVoiceActive() !== 0;
  }

  private view(ptr: number): Float32Array {
    return new Float32Array(this.core.memory.buffer, ptr, Denoiser.HOP);
  }
}
