// The JS side of the media core, shared by Node (CLIs, tests, bench), the AudioWorklet and the video
// worker. Each WebAssembly instance holds one denoiser, one beauty filter and one pacer: the module keeps
// their buffers in its own memory, laid out once.

export const ABI_VERSION = 1;

export interface MediaCoreExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  denoiseInit(): number;
  denoiseInputPtr(): number;
  denoiseOutputPtr(): number;
  denoiseProcess(): void;
  denoiseSetStrength(value: number): void;
  denoiseVoiceActive(): number;
  beautyConfigure(width: number, height: number, format: number): number;
  beautyFrameBytes(): number;
  beautyFramePtr(): number;
  beautyProcess(): number;
  beautyReset(): void;
  beautySetParams(smooth: number, brighten: number, sharpen: number): void;
  beautySetSimd(enabled: number): void;
  pacingConfigure(tickMs: number, maxDelayMs: number): number;
  pacingPush(captureMs: number, arrivalMs: number): number;
  pacingSelect(nowMs: number): number;
  pacingDelayMs(): number;
  pacingCadence(): number;
  pacingFrameDurationMs(): number;
}

export type MediaCoreErrorCode = 'abi-mismatch' | 'invalid-size' | 'too-large' | 'invalid-format' | 'not-configured' | 'invalid-option';

/** A media core failure; `code` tells what to fix. */
export class MediaCoreError extends Error {
  constructor(readonly code: MediaCoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaCoreError';
  }
}

/** Instantiates the core from its compiled module (or bytes) and checks that it is the expected build. */
export async function instantiateMediaCore(source: WebAssembly.Module | BufferSource): Promise<MediaCoreExports> {
  const imports = {
    env: {
      abort(): never {
        throw new MediaCoreError('not-configured', 'media core aborted');
      },
    },
  };
  const instance = source instanceof WebAssembly.Module
    ? await WebAssembly.instantiate(source, imports)
    : (await WebAssembly.instantiate(source, imports)).instance;
  const core = instance.exports as unknown as MediaCoreExports;
  if (core.abiVersion() !== ABI_VERSION) {
    throw new MediaCoreError('abi-mismatch', `media core ABI ${core.abiVersion()} loaded, ${ABI_VERSION} expected: rebuild with npm run build:wasm`);
  }
  return core;
}
