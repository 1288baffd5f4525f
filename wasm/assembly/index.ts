// The media core's entry: processors (denoise, beauty, pacing) are exported from here.
// Only numbers and pointers into this module's memory cross the boundary.

export {
  denoiseInit, denoiseInputPtr, denoiseOutputPtr, denoiseProcess, denoiseSetStrength, denoiseVoiceActive,
} from './denoise';
export {
  beautyConfigure, beautyFrameBytes, beautyFramePtr, beautyProcess, beautyReset, beautySetParams,
  beautySetSimd,
} from './beauty';
export {
  pacingCadence, pacingConfigure, pacingDelayMs, pacingFrameDurationMs, pacingPush, pacingSelect,
} from './pacing';

/** Build identity, so the loaders can check that the module they fetched is the one they expect. */
export function abiVersion(): i32 {
  return 1;
}
