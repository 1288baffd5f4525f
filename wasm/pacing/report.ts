import type { MediaCoreExports } from '../host/media-core.ts';
import { type ArrivalTrace, pacedBy, pacingMetrics, presentOnArrival } from './trace.ts';

/** One row per trace and strategy (present-on-arrival, then the pacer), in PACING_HEADER's order. */
export function pacingRows(traces: ArrivalTrace[], core: MediaCoreExports): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const trace of traces) {
    for (const [label, strategy] of [['on arrival', presentOnArrival], ['paced', pacedBy(core)]] as const) {
      const m = pacingMetrics(trace, strategy(trace));
      rows.push([trace.name, label, m.intervalStdMs, m.intervalP99Ms, m.repeatsPerMin, m.dropsPerMin, m.freezes, m.glitchesPer8s, m.addedDelayMs]);
    }
  }
  return rows;
}

export const PACING_HEADER = ['trace', 'strategy', 'interval sd ms', 'p99 ms', 'repeats/min', 'drops/min', 'freezes', 'glitches/8s', 'delay ms'];

