// Frame pacing: which frame to show (or hand to the encoder) at each display/encoder tick.
//
// Frames are numbered in push order. Each gets a due time: capture + base transit + playout delay,
// where the base transit is the smallest arrival - capture seen lately and the playout delay covers
// the worst jitter above it over the last 64 frames (a jitter buffer, as WebRTC's VCMTiming does). The delay
// rises at once when needed and falls slowly (DELAY_FALL_PER_MS), so it does not pump.
// Cadence (as Chromium's VideoCadenceEstimator): when the frame duration is close enough to an integer
// number n of ticks that keeping n ticks per frame would drift by the allowed MAX_DRIFT_MS only after
// 8 s or more, frames are shown for exactly n ticks each, whatever the jitter. Otherwise, or when the
// drift between the cadence and the due times goes past MAX_DRIFT_MS, the newest frame due by the
// middle of the tick is shown (coverage).

const CAPACITY: i32 = 64;
const HISTORY: i32 = 64;
const DURATIONS: i32 = 15;
const MAX_DRIFT_MS: f64 = 15.0;
const CADENCE_MIN_GLITCH_INTERVAL_MS: f64 = 8000.0;
const DELAY_FALL_PER_MS: f64 = 0.01; // 10 ms of delay per second
const DELAY_MARGIN_MS: f64 = 2.0;
const JITTER_QUANTILE: f64 = 1.0; // the worst jitter of the last 64 frames: bursts are rarer than 1 in 20

let tickMs: f64 = 1000.0 / 60.0;
let maxDelayMs: f64 = 200.0;
let nextSeq: i32 = 0;
let current: i32 = -1;
let ticksOnCurrent: i32 = 0;
let delayMs: f64 = 0.0;
let targetDelayMs: f64 = 0.0;
let baseTransitMs: f64 = 0.0;
let lastCaptureMs: f64 = 0.0;
let lastTickMs: f64 = -1.0;
let frameDurationMs: f64 = 0.0;
let cadence: i32 = 0;

const captures = new StaticArray<f64>(CAPACITY);
const transits = new StaticArray<f64>(HISTORY);
const sortedJitter = new StaticArray<f64>(HISTORY);
const durations = new StaticArray<f64>(DURATIONS);
const sortedDurations = new StaticArray<f64>(DURATIONS);

/** Starts over for a display or encoder ticking every `tick` ms, holding frames back at most `maxDelay` ms. */
export function pacingConfigure(tick: f64, maxDelay: f64): i32 {
  if (!(tick > 0.0) || !(maxDelay >= 0.0) || !isFinite(tick) || !isFinite(maxDelay)) return -1;
  tickMs = tick;
  maxDelayMs = maxDelay;
  nextSeq = 0;
  current = -1;
  ticksOnCurrent = 0;
  delayMs = 0.0;
  targetDelayMs = 0.0;
  baseTransitMs = 0.0;
  lastTickMs = -1.0;
  frameDurationMs = 0.0;
  cadence = 0;
  return 0;
}

/** The `q`-quantile (0..1) of the first `count` values, by insertion sort into `scratch` (count <= 64). */
function quantile(source: StaticArray<f64>, scratch: StaticArray<f64>, count: i32, q: f64): f64 {
  for (let i = 0; i < count; i++) {
    const value = unchecked(source[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(scratch[j]) > value) {
      unchecked(scratch[j + 1] = scratch[j]);
      j--;
    }
    unchecked(scratch[j + 1] = value);
  }
  return unchecked(scratch[<i32>(q * <f64>(count - 1) + 0.5)]);
}

function updateCadence(): void {
  const known = min(nextSeq - 1, DURATIONS);
  if (known < 3) return;
  frameDurationMs = quantile(durations, sortedDurations, known, 0.5);
  const ticks = Math.round(frameDurationMs / tickMs);
  const error = Math.abs(frameDurationMs - ticks * tickMs);
  // Frames until the drift reaches MAX_DRIFT_MS, times the frame duration: the time between glitches.
  const glitchEveryMs = error < 1e-9 ? Infinity : (MAX_DRIFT_MS / error) * frameDurationMs;
  cadence = ticks >= 1.0 && glitchEveryMs >= CADENCE_MIN_GLITCH_INTERVAL_MS ? <i32>ticks : 0;
}

/** Records a frame captured at `captureMs` that arrived at `arrivalMs`; returns its sequence number. */
export function pacingPush(captureMs: f64, arrivalMs: f64): i32 {
  const seq = nextSeq;
  unchecked(captures[seq % CAPACITY] = captureMs);
  if (seq > 0) {
    const duration = captureMs - lastCaptureMs;
    if (duration > 0.0) unchecked(durations[(seq - 1) % DURATIONS] = duration);
  }
  lastCaptureMs = captureMs;
  unchecked(transits[seq % HISTORY] = arrivalMs - captureMs);
  nextSeq = seq + 1;
  const known = min(nextSeq, HISTORY);
  let base = Infinity;
  for (let i = 0; i < known; i++) base = min(base, unchecked(transits[i]));
  baseTransitMs = base;
  for (let i = 0; i < known; i++) unchecked(transits[i] -= base);
  targetDelayMs = min(quantile(transits, sortedJitter, known, JITTER_QUANTILE) + DELAY_MARGIN_MS, maxDelayMs);
  for (let i = 0; i < known; i++) unchecked(transits[i] += base);
  if (targetDelayMs > delayMs) delayMs = targetDelayMs;
  updateCadence();
  return seq;
}

// @ts-ignore: decorator
@inline function dueMs(seq: i32): f64 {
  return unchecked(captures[seq % CAPACITY]) + baseTransitMs + delayMs;
}

/** The newest pushed frame due by the middle of the tick, or the current one. */
function byCoverage(now: f64): i32 {
  const oldest = max(max(nextSeq - CAPACITY, current + 1), 0);
  let chosen = current;
  for (let seq = nextSeq - 1; seq >= oldest; seq--) {
    if (dueMs(seq) <= now + 0.5 * tickMs) {
      chosen = seq;
      break;
    }
  }
  if (chosen != current) {
    current = chosen;
    ticksOnCurrent = 0;
  }
  return current;
}

/**
 * The sequence number of the frame to present at the tick `nowMs` (-1 while none is due). Frames
 * older than the answer will never be chosen again, so the caller may release them.
 */
export function pacingSelect(nowMs: f64): i32 {
  if (lastTickMs >= 0.0) {
    const elapsed = nowMs - lastTickMs;
    if (elapsed > 0.0 && delayMs > targetDelayMs) delayMs = max(targetDelayMs, delayMs - DELAY_FALL_PER_MS * elapsed);
  }
  lastTickMs = nowMs;
  if (current >= 0) ticksOnCurrent++; // ticks the current frame has been up before this one
  if (current < 0 || cadence == 0) return byCoverage(nowMs);
  const next = current + 1;
  if (ticksOnCurrent < cadence) {
    // Holding; give up the cadence only when far behind the due times.
    if (next < nextSeq && nowMs - dueMs(next) > MAX_DRIFT_MS + <f64>cadence * tickMs) return byCoverage(nowMs);
    return current;
  }
  if (next >= nextSeq) return current; // late: repeat and keep the slot open
  const drift = nowMs - dueMs(next);
  if (drift < -MAX_DRIFT_MS) return current; // early: the delay grew, wait for the due time
  if (drift > MAX_DRIFT_MS) return byCoverage(nowMs);
  current = next;
  ticksOnCurrent = 0;
  return current;
}

export function pacingDelayMs(): f64 {
  return delayMs;
}

/** Ticks per frame of the locked cadence, 0 when none is locked. */
export function pacingCadence(): i32 {
  return cadence;
}

export function pacingFrameDurationMs(): f64 {
  return frameDurationMs;
}
