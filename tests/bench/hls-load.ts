/**
 * `npm run bench:hls-load`: N simulated LL-HLS viewers against one relay origin process on
 * loopback, each doing what hls.js does at the live edge: a blocking playlist reload for the next
 * part (delta update), then a fetch of that part. Bounded in viewers and time; stops what it starts.
 *
 * The origin (tests/bench/hls-origin.ts) is pinned to core 0 and the viewers
 * (tests/bench/hls-load-driver, Go) to core 1 with its test-pattern ffmpeg, so the origin's
 * figures are those of one core and the driver's own CPU is printed next to them.
 *
 * Prints requests/s, the delay from a part's existence (the origin's own clock, same machine) to
 * its delivery to a viewer (p50/p95/p99/max), and CPU of the origin, its ffmpeg and the driver.
 * Settings: HLS_LOAD_VIEWERS (2000, at most 5000), HLS_LOAD_SECONDS (20, at most 60),
 * HLS_LOAD_PROFILE=dir writes a V8 CPU profile of the origin there, HLS_LOAD_NODE_FLAGS replaces
 * the origin's node flags (by default those of `npm run relay`), to compare V8 settings.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { canPin, canRaise, cpuSeconds, goDriver, onCore, percentile, relayNodeFlags, spawnRaised } from './load-process.ts';
import { CoreSharing, lateness, machineCounters, machineWindow, type MachineCounters } from './hls-load-diagnostics.ts';

const VIEWERS = bounded('HLS_LOAD_VIEWERS', 2000, 1, 5000);
const SECONDS = bounded('HLS_LOAD_SECONDS', 20, 5, 60);
const RAMP_MS = 3000;
const PART_MS = 200;

function bounded(name: string, fallback: number, min: number, max: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

const raised = canRaise;
// The children's stdin is a pipe from this process, so the origin ends itself when the bench goes
// away without stopping it.
const spawnPinned = (command: [string, string[]]) => spawnRaised('bench:hls-load', command, { raised, stdin: 'pipe', stderr: 'inherit' });

/** The JSON lines a child prints, in order, awaited by key. */
function jsonLines(child: ChildProcess): (key: string) => Promise<Record<string, unknown>> {
  const messages: Record<string, unknown>[] = [];
  const wake: (() => void)[] = [];
  let closed = false;
  createInterface({ input: child.stdout! })
    .on('line', (line) => {
      if (!line.startsWith('{')) return;
      messages.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of wake.splice(0)) w();
    })
    .on('close', () => {
      closed = true;
      for (const w of wake.splice(0)) w();
    });
  return async (key) => {
    for (;;) {
      const found = messages.find((m) => key in m);
      if (found) return found;
      if (closed) throw new Error(`a child process ended before printing "${key}"`);
      await new Promise<void>((resolve) => wake.push(resolve));
    }
  };
}

const driverPath = goDriver('hls-load-driver');
const profileArgs = process.env.HLS_LOAD_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.HLS_LOAD_PROFILE] : [];
// The origin runs with the relay's own node flags (package.json "relay", e.g. its young-generation
// size), unless HLS_LOAD_NODE_FLAGS replaces them to compare others.
const nodeFlags = process.env.HLS_LOAD_NODE_FLAGS === undefined ? relayNodeFlags() : process.env.HLS_LOAD_NODE_FLAGS.split(' ').filter(Boolean);
const origin = spawnPinned(onCore(0, process.execPath, [...nodeFlags, ...profileArgs, '--import', 'tsx', 'tests/bench/hls-origin.ts']));
const fromOrigin = jsonLines(origin);
let driver: ChildProcess | null = null;
// The children have sessions of their own, so a Ctrl-C at the terminal reaches only this process.
const stopChildren = () => {
  for (const child of [driver, origin]) if (child && child.exitCode === null) child.kill('SIGTERM');
};
process.once('SIGINT', () => {
  stopChildren();
  process.exit(130);
});

let exitCode = 0;
try {
  const { url, room, pid: originPid, ffmpegPid } = (await fromOrigin('url')) as { url: string; room: string; pid: number; ffmpegPid: number };
  // The encoder is not the origin: its ffmpeg (started on core 0 with the origin) moves to core 1.
  if (canPin) execFileSync('taskset', ['-a', '-p', '-c', '1', String(ffmpegPid)], { stdio: 'ignore' });
  const multivariantUrl = `${url}/v1/rooms/${room}/hls/index.m3u8`;
  let multivariant = await fetch(multivariantUrl);
  for (let i = 0; multivariant.status !== 200 && i < 40; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    multivariant = await fetch(multivariantUrl);
  }
  if (multivariant.status !== 200) throw new Error(`the origin did not serve ${multivariantUrl}`);
  const mediaUrl = new URL((await multivariant.text()).split('\n').find((l) => l.endsWith('.m3u8'))!, multivariantUrl).href;

  console.log(`bench:hls-load: ${VIEWERS} viewers for ${SECONDS} s (after a ${RAMP_MS / 1000} s ramp) against ${url}` +
    (canPin ? `, origin on core 0, driver and ffmpeg on core 1${raised ? ', origin and driver at nice -10' : ''}` : ', one core only: nothing pinned') +
    `; origin node flags: ${nodeFlags.join(' ') || '(none)'}`);
  driver = spawnPinned(onCore(1, driverPath, ['-url', mediaUrl, '-viewers', String(VIEWERS), '-seconds', String(SECONDS), '-ramp-ms', String(RAMP_MS)]));
  const fromDriver = jsonLines(driver);
  // taskset execs the driver, so the child's pid is the driver's.
  const cpu = () => ({ at: Date.now(), origin: cpuSeconds(originPid), ffmpeg: cpuSeconds(ffmpegPid), driver: cpuSeconds(driver!.pid!) });
  const { measuring } = (await fromDriver('measuring')) as { measuring: number };
  const cpu0 = cpu();
  const machine0 = machineCounters();
  const sharing = new CoreSharing(originPid, cpuSeconds);
  origin.kill('SIGUSR2');
  // The window's figures are taken when it ends, before the driver closes 2,000 connections at once.
  const windowEnd = new Promise<{ cpu1: ReturnType<typeof cpu>; machine1: MachineCounters; busiestSecond: ReturnType<CoreSharing['stop']> }>((resolve) => {
    setTimeout(() => {
      origin.stdin!.write('window-end\n');
      resolve({ cpu1: cpu(), machine1: machineCounters(), busiestSecond: sharing.stop() });
    }, measuring + SECONDS * 1000 - Date.now());
  });
  const result = (await fromDriver('deliveries')) as {
    requests: number; failures: number; statuses: Record<string, number>; errors: Record<string, number>; seconds: number; deliveries: [number, number, number][];
  };
  const { cpu1, machine1, busiestSecond } = await windowEnd;
  const machine = { ...machineWindow(machine0, machine1), core0BesideOriginBusiestSecond: busiestSecond };
  const wall = (cpu1.at - cpu0.at) / 1000;
  const cores = { origin: (cpu1.origin - cpu0.origin) / wall, ffmpeg: (cpu1.ffmpeg - cpu0.ffmpeg) / wall, driver: (cpu1.driver - cpu0.driver) / wall };

  origin.kill('SIGTERM');
  const { parts, pauses } = (await fromOrigin('parts')) as { parts: Record<string, number>; pauses: unknown };
  const delays: number[] = [];
  const delaysByPart = new Map<string, number[]>();
  for (const [msn, part, atMicros] of result.deliveries) {
    const madeAt = parts[`${msn}.${part}`];
    if (madeAt === undefined || madeAt < measuring) continue;
    const delay = atMicros / 1000 - madeAt;
    delays.push(delay);
    const ofPart = delaysByPart.get(`${msn}.${part}`);
    if (ofPart) ofPart.push(delay);
    else delaysByPart.set(`${msn}.${part}`, [delay]);
  }
  delays.sort((a, b) => a - b);
  const requestsPerSecond = Math.round(result.requests / result.seconds);
  const d = { p50: percentile(delays, 50), p95: percentile(delays, 95), p99: percentile(delays, 99), max: delays.at(-1) ?? NaN };
  const round = (n: number) => Math.round(n);
  console.log('');
  console.log('| viewers | req/s | parts delivered | p50 ms | p95 ms | p99 ms | max ms | origin CPU | ffmpeg CPU | driver CPU |');
  console.log('|--------:|------:|----------------:|-------:|-------:|-------:|-------:|-----------:|-----------:|-----------:|');
  console.log(`| ${VIEWERS} | ${requestsPerSecond} | ${delays.length} | ${round(d.p50)} | ${round(d.p95)} | ${round(d.p99)} | ${round(d.max)} | ` +
    `${cores.origin.toFixed(2)} | ${cores.ffmpeg.toFixed(2)} | ${cores.driver.toFixed(2)} |`);
  console.log(`p99 delay / part duration: ${(d.p99 / PART_MS).toFixed(2)} (goal <= 1 at 2000 viewers on one core)`);
  // What one core of origin would carry at this cost per request (each viewer: 2 requests per 200 ms part).
  const microsPerRequest = (cores.origin * 1e6) / Math.max(1, requestsPerSecond);
  console.log(`origin CPU per request: ${microsPerRequest.toFixed(1)} µs -> one core ≈ ${round(1e6 / microsPerRequest)} req/s ≈ ${round(1e6 / microsPerRequest / (2 * (1000 / PART_MS)))} viewers at the live edge`);
  console.log(`origin in the measured window, garbage collections (count, total and longest ms) and event-loop delay: ${JSON.stringify(pauses)}`);
  const late = lateness(delaysByPart, PART_MS);
  // When in the window the worst parts were made, to line them up with the busiest second of core 0.
  const worst = late.worstStalled.map((w) => ({ ...w, madeAtS: +((parts[w.part]! - measuring) / 1000).toFixed(1) }));
  console.log(`deliveries later than one part: ${late.lateDeliveries} in ${late.partsWithLateDeliveries} of ${delaysByPart.size} parts; ` +
    `${late.stalledParts} parts late for most viewers (${late.lateInStalledParts} deliveries)${late.stalledParts ? `, worst ${JSON.stringify(worst)}` : ''}`);
  console.log(`whole machine in the window: core busy ${machine.cores.map((c, i) => `${i}: ${c.busy} (interrupts ${c.interrupts}, steal ${c.steal})`).join(', ')}; ` +
    `core 0 beside the origin process ${(machine.cores[0]!.busy - cores.origin).toFixed(2)} ` +
    `(busiest second ${busiestSecond.busiestSecond}, ${(busiestSecond.atMs / 1000).toFixed(1)} s into the window); TCP retransmissions ${machine.tcpRetransmissions}, backlog drops ${machine.backlogDrops}`);
  if (Object.keys(result.errors).length > 0) console.log(`driver errors (last per viewer): ${JSON.stringify(result.errors)}`);
  console.log(JSON.stringify({
    bench: 'hls-load', viewers: VIEWERS, seconds: SECONDS, pinned: canPin, raisedPriority: raised, nodeFlags, requestsPerSecond, partsDelivered: delays.length, failures: result.failures,
    statuses: result.statuses, deliveryDelayMs: { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max) }, partDurationMs: PART_MS,
    cpuCores: { origin: +cores.origin.toFixed(2), ffmpeg: +cores.ffmpeg.toFixed(2), driver: +cores.driver.toFixed(2) }, originMicrosPerRequest: +microsPerRequest.toFixed(1),
    late, machine,
  }));
  if (result.failures > result.requests * 0.01 || delays.length === 0) exitCode = 1;
} catch (error) {
  console.error(`bench:hls-load failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  stopChildren();
}
process.exitCode = exitCode;
