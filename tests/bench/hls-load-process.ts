/** What `bench:hls-load` needs around its processes: the Go driver's build, CPU time, percentiles. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DRIVER_SOURCE = resolve(import.meta.dirname, 'hls-load-driver');
const DRIVER_BINARY = resolve(import.meta.dirname, '../../.cache/hls-load-driver');

/** Builds the Go load driver (std lib only; Go is already needed for livekit-server) and returns its path. */
export function driverBinary(): string {
  try {
    // Go's build cache makes this a no-op when nothing changed.
    execFileSync('go', ['build', '-o', DRIVER_BINARY, '.'], { cwd: DRIVER_SOURCE, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new Error(`could not build the load driver with Go (scripts/setup.sh installs Go): ${(error as Error).message}`, { cause: error });
  }
  return DRIVER_BINARY;
}

/** CPU time of a process in seconds from /proc (user + system, all its threads). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
