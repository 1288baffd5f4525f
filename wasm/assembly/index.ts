// The media core's entry: processors (denoise, beauty, pacing) are exported from here.

/** Build identity, so the loaders can check that the module they fetched is the one they expect. */
export function abiVersion(): i32 {
  return 1;
}
