/**
 * What the load benchmarks (`bench:hls-load`, `bench:events`) need around their processes: one
 * core each for the server under test and its load driver, the Go drivers' build, CPU time from
 * /proc, percentiles.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Linux USER_HZ: /proc counts CPU time in 1/100 s. */
export const TICKS_PER_SECOND = 100;

/**
 * The server under test gets core 0 and its load driver core 1, so that neither takes CPU from the
 * other and "one core" means one core. With one CPU, or without util-linux's taskset, nothing is
 * pinned and the benchmarks say so.
 */
export const canPin = availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;

export const onCore = (core: number, command: string, args: string[]): [string, string[]] =>
  canPin ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];

/**
 * Builds the Go load driver in tests/bench/`name` (std lib only; Go is already needed for
 * livekit-server) into .cache/bench/ and returns its path. Go's build cache makes this a no-op
 * when nothing changed.
 */
export function goDriver(name: string): string {
  const binary = resolve(import.meta.dirname, '../../.cache/bench', name);
  mkdirSync(resolve(binary, '..'), { recursive: true });
  try {
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: resolve(import.meta.dirname, name), stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new Error(`could not build tests/bench/${name} (Go >= 1.22 is needed, as for livekit-server): ${(error as Error).message}`, { cause: error });
  }
  return binary;
}

/** CPU time of a process in seconds from /proc (user + system, all its threads); NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
