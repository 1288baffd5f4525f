/**
 * `npm run bench:events`: how one relay process fans out a room's event stream. For each viewer
 * count, a fresh relay process pinned to core 0 and a load generator pinned to core 1 (N real
 * WebSocket viewers, 20 chat messages/s and 200 likes/s over HTTP); reports chat delivery delay
 * p50/p99 (post to receipt), whether every viewer got every event, and both processes' CPU (% of
 * one core) over the same window, so a reader sees which of the two was the limit.
 * The generator is a small Go program (tests/bench/events-load-driver/, built here with `go build`).
 * Loopback only, bounded: `--viewers 1000,5000,10000 --seconds 15 [--tick 100] [--timed 500] [--trace 250] [--cpu-prof dir] [--shared]`.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { canPin, canRaise, cpuSeconds, goDriver, onCore, relayNodeFlags, spawnRaised, TICKS_PER_SECOND } from './load-process.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const counts = arg('viewers', '1000,5000,10000').split(',').map(Number);
const seconds = Number(arg('seconds', '15'));
const tickMs = Number(arg('tick', '100'));
/** Viewers that also time every chat message; the others check the sequence and count chat. */
const timed = Number(arg('timed', '-1'));
/** `--trace <ms>`: the relay prints its fan-out counters per interval (flushes, frames, tick lateness). */
const traceMs = Number(arg('trace', '0'));
/** `--cpu-prof <dir>`: the relay writes a V8 CPU profile there when it stops (open it in Chrome DevTools). */
const cpuProfDir = arg('cpu-prof', '');
const CHAT_PER_SECOND = 20;
const LIKES_PER_SECOND = 200;
if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 15_000) || !(seconds >= 5 && seconds <= 120) || !Number.isInteger(timed)) {
  throw new Error('--viewers takes counts from 1 to 15000, --seconds 5 to 120, --timed a count (-1: every viewer)');
}
const ROOM = 'bench-events';
/** The relay runs with the node flags of `npm run relay` (as shipped). */
const relayFlags = relayNodeFlags();
/** Relay and generator at raised priority (load-process.ts); `--shared` leaves them at normal priority. */
const raised = canRaise && !args.includes('--shared');
const spawnPinned = (command: [string, string[]], stdin: 'pipe' | 'ignore', env: NodeJS.ProcessEnv) =>
  spawnRaised('bench:events', command, { raised, stdin, stderr: 'pipe', env });
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

function memoryMb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(key))!;
  return Math.round(Number(/(\d+)/.exec(line)![1]) / 1024);
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: child.stdout! }).on('line', onLine);
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString().trim();
    if (text && !text.includes('"level"')) process.stderr.write(`  ${text}\n`);
  });
}

/**
 * Busy and interrupt time of each CPU (/proc/stat, USER_HZ ticks). Interrupt time (irq + softirq)
 * is not charged to any process: on loopback it is mostly the TCP work of the relay's sends.
 */
function cpuTimes(): Array<{ busy: number; interrupts: number }> {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
      return { busy: user! + nice! + system! + irq! + softirq! + steal!, interrupts: irq! + softirq! };
    });
}

/** CPU time of a process between two marks, as % of one core. */
class CpuWindow {
  private cpu = 0;
  private wall = 0;
  seconds = 0;
  wallSeconds = 0;
  percent = 0;
  constructor(private readonly pid: number) {}
  start(): void {
    this.cpu = cpuSeconds(this.pid);
    this.wall = Date.now();
  }
  stop(): void {
    this.seconds = cpuSeconds(this.pid) - this.cpu;
    this.wallSeconds = (Date.now() - this.wall) / 1000;
    this.percent = Math.round((this.seconds / this.wallSeconds) * 100);
  }
}

/** What the driver reports (tests/bench/events-load-driver/main.go). */
interface DriverResult {
  viewers: number;
  timedViewers: number;
  connectRetries: number;
  /** Frames the viewers received while chat and likes were posted: the relay's writes. */
  windowFrames: number;
  p50: number;
  p99: number;
  max: number;
  /** The same messages from the relay publishing them (the event's time) to receipt: the fan-out's share. */
  fanoutP50: number;
  fanoutP99: number;
  fanoutMax: number;
  /** From post to the request written to its socket: the generator's own wait (p99, max). */
  writtenP99: number;
  writtenMax: number;
  /** From a chat request written to the relay's clock on the message (when its handler ran), p99 and max. */
  relayWaitP99: number;
  relayWaitMax: number;
  /** Connections the generator opened for posts (each waits in the relay's accept queue). */
  postConnections: number;
  delivered: number;
  expected: number;
  timedDeliveries: number;
  warmupMaxMs: number;
  viewersMissingChat: number;
  viewersDuplicated: number;
  seqGaps: number;
  resyncs: number;
  dropped: number;
  drainMs: number;
  chatsSent: number;
  likesSent: number;
  chatRefused: number;
  likesRefused: number;
}

interface Row extends DriverResult {
  relayCpuPercent: number;
  relayRssMb: number;
  relayPeakMb: number;
  /** Relay CPU time per chat message delivered to one viewer: comparable even on a busy machine. */
  relayMicrosPerDelivery: number;
  /** Relay CPU time per frame written to one viewer (one socket write): the fan-out's unit cost. */
  relayMicrosPerFrame: number;
  framesPerViewerPerSecond: number;
  generatorCpuPercent: number;
  /** Everything core 0 did (the relay, its kernel network work, and whatever else ran there). */
  relayCoreBusyPercent: number | null;
  /** Everything core 1 did: the generator, the kernel work of its reads, and whatever else ran there. */
  generatorCoreBusyPercent: number | null;
  /** Interrupt time of both cores (irq + softirq: loopback TCP), charged to no process. */
  interruptCpuPercent: number;
  /**
   * CPU that other processes used meanwhile (% of one core, both cores summed; includes the
   * relay's LiveKit dev server and this script): above a few %, other work shared the cores and
   * the delays are not the relay's alone.
   */
  otherCpuPercent: number;
  /** The machine's 1-minute load average at the end: above 2 (cores), other work shared the CPUs. */
  loadAverage: number;
}

async function run(driver: string, viewers: number): Promise<Row> {
  const relayArgs = [...relayFlags, ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []), '--import', 'tsx', 'tests/bench/events-relay.ts', randomBytes(18).toString('base64url'), ROOM];
  const relay = spawnPinned(onCore(0, process.execPath, relayArgs), 'pipe', {
    ...process.env,
    LIVE_SHOP_EVENT_TICK_MS: String(tickMs),
    ...(traceMs > 0 ? { LIVE_SHOP_EVENT_TRACE: String(traceMs) } : {}),
  });
  const exited = new Promise((resolve) => relay.once('exit', resolve));
  try {
    return await measure(relay, driver, viewers);
  } finally {
    relay.stdin!.end(); // the relay stops when its stdin closes
    await exited;
  }
}

async function measure(relay: ChildProcess, driver: string, viewers: number): Promise<Row> {
  const started = new Promise<{ url: string; pid: number }>((resolve) => lines(relay, (line) => line.startsWith('{') && resolve(JSON.parse(line))));
  const { url, pid } = await started;
  const relayCpu = new CpuWindow(pid);
  let cpusStart = cpuTimes();
  let cpus = cpusStart.map(() => ({ busy: 0, interrupts: 0 }));
  let rss = 0;
  const [command, argv] = onCore(1, driver, [
    ...['-url', url, '-room', ROOM, '-viewers', String(viewers), '-seconds', String(seconds)],
    ...['-chat', String(CHAT_PER_SECOND), '-likes', String(LIKES_PER_SECOND), '-timed', String(timed)],
  ]);
  const load = spawnPinned([command, argv], 'ignore', process.env);
  const loadCpu = new CpuWindow(load.pid!); // nice and taskset exec the driver: same pid
  const result = await new Promise<DriverResult>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('load generator did not finish in time')), (seconds + 120) * 1000);
    lines(load, (line) => {
      if (traceMs > 0 && line.startsWith('measure-')) console.log(`  [${viewers}] ${line}`); // places the window among the trace lines
      if (line === 'measure-start') {
        relayCpu.start();
        loadCpu.start();
        cpusStart = cpuTimes();
      } else if (line === 'measure-end') {
        relayCpu.stop();
        loadCpu.stop();
        cpus = cpuTimes().map((t, i) => ({ busy: (t.busy - cpusStart[i]!.busy) / TICKS_PER_SECOND, interrupts: (t.interrupts - cpusStart[i]!.interrupts) / TICKS_PER_SECOND }));
        rss = memoryMb(pid, 'VmRSS');
      } else if (line.startsWith('result ')) {
        clearTimeout(timeout);
        resolve(JSON.parse(line.slice(7)) as DriverResult);
      } else {
        console.log(`  [${viewers}] ${line}`);
      }
    });
    load.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
  }).finally(() => load.kill());
  return {
    ...result,
    relayCpuPercent: relayCpu.percent,
    relayRssMb: rss,
    relayPeakMb: memoryMb(pid, 'VmHWM'),
    relayMicrosPerDelivery: result.delivered > 0 ? Math.round((relayCpu.seconds * 1e6 * 100) / result.delivered) / 100 : 0,
    relayMicrosPerFrame: result.windowFrames > 0 ? Math.round((relayCpu.seconds * 1e6 * 100) / result.windowFrames) / 100 : 0,
    framesPerViewerPerSecond: Math.round((result.windowFrames / result.viewers / relayCpu.wallSeconds) * 10) / 10,
    generatorCpuPercent: loadCpu.percent,
    relayCoreBusyPercent: canPin ? Math.round((cpus[0]!.busy / relayCpu.wallSeconds) * 100) : null,
    generatorCoreBusyPercent: canPin ? Math.round((cpus[1]!.busy / relayCpu.wallSeconds) * 100) : null,
    interruptCpuPercent: Math.round((sum(cpus.map((c) => c.interrupts)) / relayCpu.wallSeconds) * 100),
    otherCpuPercent: Math.max(0, Math.round(((sum(cpus.map((c) => c.busy - c.interrupts)) - relayCpu.seconds - loadCpu.seconds) / relayCpu.wallSeconds) * 100)),
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
}

const driver = goDriver('events-load-driver');
const rows: Row[] = [];
for (const viewers of counts) {
  const where = canPin ? `relay on core 0, generator on core 1${raised ? ', both at nice -10 in sessions of their own' : ''}` : 'NOT pinned: relay and generator share the CPUs';
  console.log(`bench:events: ${viewers} viewers, ${seconds} s, ${CHAT_PER_SECOND} chat/s, ${LIKES_PER_SECOND} likes/s, ${tickMs} ms tick, ${where}`);
  rows.push(await run(driver, viewers));
}

const pad = (v: unknown, n: number) => String(v).padStart(n);
console.log('\n viewers | chat p50 ms | chat p99 ms |  max ms | published->viewer p50/p99/max | post written p99/max | written->relay p99/max (conns) | warm-up max ms | delivered/expected | every event | frames/s each | relay CPU (1 core) | core 0 busy | µs/frame | relay RSS (peak) MB | generator CPU | core 1 busy | others CPU | load avg');
for (const r of rows) {
  const whole = r.seqGaps + r.viewersMissingChat + r.viewersDuplicated + r.resyncs + r.dropped === 0;
  const check = whole ? 'yes' : `NO: ${r.seqGaps} gaps, ${r.viewersMissingChat + r.viewersDuplicated} short/over, ${r.resyncs} resyncs, ${r.dropped} dropped`;
  console.log(
    `${pad(r.viewers, 8)} | ${pad(r.p50, 11)} | ${pad(r.p99, 11)} | ${pad(r.max, 7)} | ${pad(`${r.fanoutP50}/${r.fanoutP99}/${r.fanoutMax}`, 29)} | ${pad(`${r.writtenP99}/${r.writtenMax}`, 20)} | ${pad(`${r.relayWaitP99}/${r.relayWaitMax} (${r.postConnections})`, 31)} | ${pad(r.warmupMaxMs, 14)} | ${pad(`${r.delivered}/${r.expected}`, 18)} | ${pad(check, 11)} | ${pad(r.framesPerViewerPerSecond, 13)} | ${pad(`${r.relayCpuPercent}%`, 18)} | ${pad(r.relayCoreBusyPercent === null ? '-' : `${r.relayCoreBusyPercent}%`, 11)} | ${pad(r.relayMicrosPerFrame, 8)} | ${pad(`${r.relayRssMb} (${r.relayPeakMb})`, 19)} | ${pad(`${r.generatorCpuPercent}%`, 13)} | ${pad(r.generatorCoreBusyPercent === null ? '-' : `${r.generatorCoreBusyPercent}%`, 11)} | ${pad(`${r.otherCpuPercent}%`, 10)} | ${pad(r.loadAverage, 8)}`,
  );
}
if (rows.some((r) => r.timedViewers < r.viewers)) console.log(`(delays from the ${rows.map((r) => r.timedViewers).join(', ')} timed viewers; every viewer is checked for every event)`);
console.log(JSON.stringify({ bench: 'events', seconds, tickMs, pinned: canPin, raised, relayFlags, chatPerSecond: CHAT_PER_SECOND, likesPerSecond: LIKES_PER_SECOND, rows }));
