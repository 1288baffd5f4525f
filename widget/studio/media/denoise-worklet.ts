// AudioWorklet processor: the 128-sample render quantum goes straight through the WASM denoiser
// (no ring buffer, 8 ms of algorithmic delay). The compiled module arrives in processorOptions, so the
// worklet scope (which has no fetch) never downloads anything.
import { Denoiser } from '../../../wasm/host/denoiser.ts';
import { ABI_VERSION, type MediaCoreExports } from '../../../wasm/host/media-core.ts';

declare const sampleRate: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new (options: { processorOptions: DenoiseProcessorOptions }) => AudioWorkletProcessor): void;

export interface DenoiseProcessorOptions {
  module: WebAssembly.Module;
  strength: number;
  enabled: boolean;
}

/** Messages to the worklet: new settings. Messages from it: voice activity and processing time. */
export type DenoiseControl = { enabled: boolean; strength: number };
export type DenoiseReport = { voiceActive: boolean; msPerQuantum: number };

const REPORT_EVERY = 25; // quanta: about 67 ms at 48 kHz

class DenoiseProcessor extends AudioWorkletProcessor {
  private readonly denoiser: Denoiser | null;
  private enabled: boolean;
  private quanta = 0;
  private busyMs = 0;

  constructor(options: { processorOptions: DenoiseProcessorOptions }) {
    super();
    const { module, strength, enabled } = options.processorOptions;
    this.enabled = enabled;
    let denoiser: Denoiser | null = null;
    if (sampleRate === 48000) {
      const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('media core aborted'); } } });
      const core = instance.exports as unknown as MediaCoreExports;
      if (core.abiVersion() === ABI_VERSION) denoiser = new Denoiser(core, strength);
    }
    this.denoiser = denoiser;
    this.port.onmessage = (event: MessageEvent<DenoiseControl>) => {
      this.enabled = event.data.enabled;
      this.denoiser?.setStrength(event.data.strength);
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0]?.[0];
    const output = outputs[0]?.[0];
    if (!output) return true;
    if (!input) {
      output.fill(0);
      return true;
    }
    if (this.enabled && this.denoiser && input.length === Denoiser.HOP) {
      const started = Date.now();
      this.denoiser.processBlock(input, output);
      this.busyMs += Date.now() - started;
    } else {
      output.set(input);
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(output);
    if (++this.quanta % REPORT_EVERY === 0) {
      const report: DenoiseReport = {
        voiceActive: this.enabled && (this.denoiser?.voiceActive ?? false),
        msPerQuantum: this.busyMs / REPORT_EVERY,
      };
      this.busyMs = 0;
      this.port.postMessage(report);
    }
    return true;
  }
}

registerProcessor('live-shop-denoise', DenoiseProcessor);
