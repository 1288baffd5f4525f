// Arrival traces for the pacer and the metrics a viewer would notice: how evenly frames change on
// screen, how often a frame is held too long (repeat), cut short or never shown (drop), and freezes.
import { FramePacer } from '../host/frame-pacer.ts';
import type { MediaCoreExports } from '../host/media-core.ts';

export interface TraceFrame {
  captureMs: number;
  arrivalMs: number;
}

export interface ArrivalTrace {
  name: string;
  /** Display refresh or encoder rate the frames are presented at. */
  tickHz: number;
  frames: TraceFrame[];
}

export interface TraceSpec {
  name: string;
  fps: number;
  tickHz: number;
  seconds: number;
  /** Uniform network/CPU jitter of +- this many ms on top of a 40 ms base transit. */
  jitterMs: number;
  /** Every `burstEveryMs`, delivery stalls for `burstStallMs`, then the held frames arrive together. */
  burstEveryMs?: number;
  burstStallMs?: number;
  seed?: number;
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** A deterministic trace: capture on a steady clock, arrival = capture + transit, in order (FIFO). */
export function makeTrace(spec: TraceSpec): ArrivalTrace {
  const next = random(spec.seed ?? 7);
  const frames: TraceFrame[] = [];
  const count = Math.round(spec.seconds * spec.fps);
  let lastArrival = -Infinity;
  for (let i = 0; i < count; i++) {
    const captureMs = (i * 1000) / spec.fps;
    let arrivalMs = captureMs + 40 + (next() * 2 - 1) * spec.jitterMs;
    if (spec.burstEveryMs && spec.burstStallMs) {
      const phase = captureMs % spec.burstEveryMs;
      if (phase < spec.burstStallMs) arrivalMs = Math.max(arrivalMs, captureMs - phase + spec.burstStallMs + 40);
    }
    arrivalMs = Math.max(arrivalMs, lastArrival); // one connection delivers in order
    lastArrival = arrivalMs;
    frames.push({ captureMs, arrivalMs });
  }
  return { name: spec.name, tickHz: spec.tickHz, frames };
}

/** The traces the issue names: 30 fps, +-20 / +-40 ms jitter, bursts, on 60 and 120 Hz (and a 30 Hz encoder). */
export function standardTraces(seconds = 60): ArrivalTrace[] {
  const specs: TraceSpec[] = [];
  for (const tickHz of [60, 120]) {
    specs.push({ name: `30fps +-20ms @${tickHz}Hz`, fps: 30, tickHz, seconds, jitterMs: 20 });
    specs.push({ name: `30fps +-40ms @${tickHz}Hz`, fps: 30, tickHz, seconds, jitterMs: 40 });
    specs.push({ name: `30fps bursts @${tickHz}Hz`, fps: 30, tickHz, seconds, jitterMs: 5, burstEveryMs: 1000, burstStallMs: 120 });
  }
  specs.push({ name: '30fps +-20ms @30Hz encoder', fps: 30, tickHz: 30, seconds, jitterMs: 20 });
  return specs.map(makeTrace);
}

/** Per tick, the index of the frame on screen (-1 before the first), for a presentation strategy. */
export type Strategy = (trace: ArrivalTrace) => Int32Array;

function tickTimes(trace: ArrivalTrace): Float64Array {
  const tickMs = 1000 / trace.tickHz;
  const first = trace.frames[0].arrivalMs;
  const last = trace.frames[trace.frames.length - 1].arrivalMs + 300;
  const count = Math.ceil((last - first) / tickMs);
  // The display clock is not aligned with the camera: start a third of a tick off.
  return Float64Array.from({ length: count }, (_, i) => first + tickMs / 3 + i * tickMs);
}

/** Shows the newest frame that has arrived: what a renderer does with no pacing. */
export const presentOnArrival: Strategy = (trace) => {
  const ticks = tickTimes(trace);
  const shown = new Int32Array(ticks.length).fill(-1);
  let arrived = -1;
  ticks.forEach((t, i) => {
    while (arrived + 1 < trace.frames.length && trace.frames[arrived + 1].arrivalMs <= t) arrived++;
    shown[i] = arrived;
  });
  return shown;
};

/** The WASM pacer: frames are pushed as they arrive, one selection per tick. */
export function pacedBy(core: MediaCoreExports): Strategy {
  return (trace) => {
    const ticks = tickTimes(trace);
    const pacer = new FramePacer(core, 1000 / trace.tickHz);
    const shown = new Int32Array(ticks.length).fill(-1);
    let pushed = 0;
    ticks.forEach((t, i) => {
      while (pushed < trace.frames.length && trace.frames[pushed].arrivalMs <= t) {
        pacer.push(trace.frames[pushed].captureMs, trace.frames[pushed].arrivalMs);
        pushed++;
      }
      shown[i] = pacer.select(t);
    });
    return shown;
  };
}

export interface PacingMetrics {
  intervalStdMs: number;
  intervalP99Ms: number;
  repeatsPerMin: number;
  dropsPerMin: number;
  freezes: number;
  glitchesPer8s: number;
  /** Mean time from arrival to first display. */
  addedDelayMs: number;
}

/** Metrics of one strategy's output on one trace. */
export function pacingMetrics(trace: ArrivalTrace, shown: Int32Array): PacingMetrics {
  const tickMs = 1000 / trace.tickHz;
  const runs: { frame: number; start: number; ticks: number }[] = [];
  shown.forEach((frame, i) => {
    if (frame < 0) return;
    const last = runs[runs.length - 1];
    if (last && last.frame === frame) last.ticks++;
    else runs.push({ frame, start: i, ticks: 1 });
  });
  runs.pop(); // the last frame stays up until the trace ends: not an interval
  const deltas = trace.frames.slice(1).map((f, i) => f.captureMs - trace.frames[i].captureMs).sort((a, b) => a - b);
  const ticksPerFrame = deltas[deltas.length >> 1] / tickMs;
  const longest = Math.ceil(ticksPerFrame - 1e-6);
  const shortest = Math.floor(ticksPerFrame + 1e-6);
  let repeats = 0;
  let shorts = 0;
  let drops = 0;
  let jumps = 0;
  runs.forEach((run, i) => {
    if (run.ticks > longest) repeats++;
    if (run.ticks < shortest) shorts++;
    const next = runs[i + 1];
    if (next && next.frame - run.frame > 1) {
      drops += next.frame - run.frame - 1;
      jumps++;
    }
  });
  const intervals = runs.map((r) => r.ticks * tickMs);
  const mean = intervals.reduce((a, b) => a + b, 0) / Math.max(intervals.length, 1);
  const variance = intervals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(intervals.length, 1);
  const sorted = [...intervals].sort((a, b) => a - b);
  const freezeAt = Math.max(3 * mean, mean + 150);
  const ticks = tickTimes(trace);
  const minutes = (shown.length * tickMs) / 60000;
  const delays = runs.map((r) => ticks[r.start] - trace.frames[r.frame].arrivalMs);
  return {
    intervalStdMs: Math.sqrt(variance),
    intervalP99Ms: sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? 0,
    repeatsPerMin: repeats / minutes,
    dropsPerMin: drops / minutes,
    freezes: intervals.filter((v) => v >= freezeAt).length,
    glitchesPer8s: (repeats + shorts + jumps) / (minutes * 7.5),
    addedDelayMs: delays.reduce((a, b) => a + b, 0) / Math.max(delays.length, 1),
  };
}
