/**
 * What the benchmarks that load the machine need around their processes: one
 * core each for the server under test and its load driver at a raised priority, the relay's node
 * flags, the Go drivers' build, CPU time from /proc, percentiles.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * On a machine shared with other work, "one core" must mean the server under test really gets
 * it: as root, it and its load driver run at nice -10 in sessions of their own whose autogroup is
 * at -10 too. With Linux's autogroup scheduling (kernel.sched_autogroup_enabled) a core is shared
 * between sessions first and nice counts only inside one, so plain `nice -10` did not stop another
 * terminal's job from taking half of the origin's core (it fell seconds behind).
 */
export const canRaise = canPin && process.getuid?.() === 0;

/** Starts a benchmark's child, raised as above when `raised`; its stdout is always a pipe. */
export function spawnRaised(
  bench: string,
  [command, args]: [string, string[]],
  options: { raised: boolean; stdin: 'pipe' | 'ignore'; stderr: 'pipe' | 'inherit'; env?: NodeJS.ProcessEnv },
): ChildProcess {
  const [program, argv] = options.raised ? ['nice', ['-n', '-10', command, ...args]] : [command, args];
  const child = spawn(program, argv, { stdio: [options.stdin, 'pipe', options.stderr], env: options.env ?? process.env, detached: options.raised });
  if (options.raised && existsSync(`/proc/${child.pid}/autogroup`)) {
    try {
      writeFileSync(`/proc/${child.pid}/autogroup`, '-10');
    } catch (error) {
      console.error(`${bench}: could not raise the priority of ${command}'s session: ${(error as Error).message}`);
    }
  }
  return child;
}

/** The node flags `npm run relay` starts the relay with, so that the benchmarks measure it as shipped. */
export function relayNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return scripts.relay!.split(' ').filter((word) => word.startsWith('--') && word !== '--import');
}

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

/**
 * For a benchmark that runs the whole stack itself (`bench:latency`: relay, LiveKit, ffmpeg and two
 * Chromiums on this machine's cores): when it may raise priorities and is not yet raised, runs the
 * same command again in a raised session of its own, passes its output and signals through, and
 * resolves to the exit code; resolves to null in the raised copy (or when nothing can be raised),
 * which then does the work.
 */
export async function runRaisedCopy(bench: string): Promise<number | null> {
  if (!canRaise || process.env.LIVE_SHOP_BENCH_RAISED) return null;
  const child = spawnRaised(bench, [process.execPath, [...process.execArgv, ...process.argv.slice(1)]], {
    raised: true,
    stdin: 'ignore',
    stderr: 'inherit',
    env: { ...process.env, LIVE_SHOP_BENCH_RAISED: '1' },
  });
  child.stdout!.pipe(process.stdout);
  const forward = (signal: NodeJS.Signals) => () => process.kill(-child.pid!, signal);
  process.once('SIGINT', forward('SIGINT')).once('SIGTERM', forward('SIGTERM'));
  return new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0))));
}

/**
 * Raises the sessions of this process's descendants too: Playwright starts Chromium in a session of
 * its own, which the autogroup scheduler would otherwise share out like any other terminal's job.
 */
export function raiseChildSessions(bench: string): void {
  if (!canRaise || !process.env.LIVE_SHOP_BENCH_RAISED) return;
  const parents = new Map<number, { ppid: number; sid: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      parents.set(Number(entry), { ppid: Number(fields[1]), sid: Number(fields[3]) });
    } catch {
      // The process ended while the list was read.
    }
  }
  const ownSession = parents.get(process.pid)?.sid;
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid)?.ppid; p && p > 1; p = parents.get(p)?.ppid) if (p === process.pid) return true;
    return false;
  };
  const sessions = new Set([...parents].filter(([pid, p]) => p.sid !== ownSession && descends(pid)).map(([, p]) => p.sid));
  for (const sid of sessions) {
    try {
      writeFileSync(`/proc/${sid}/autogroup`, '-10');
    } catch (error) {
      console.error(`${bench}: could not raise the priority of session ${sid}: ${(error as Error).message}`);
    }
  }
}
