/**
 * `npm run bench:events`: how one relay process fans out a room's event stream. For each viewer
 * count, a fresh relay process and a separate load-generator process (N WebSocket viewers, 20
 * chat messages/s and 200 likes/s over HTTP); reports chat delivery delay p50/p99 (post to
 * receipt, every message at every viewer), the relay's CPU (% of one core) and memory.
 * Loopback only, bounded: `--viewers 1000,5000,10000 --seconds 15 [--tick 100]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const counts = arg('viewers', '1000,5000,10000').split(',').map(Number);
const seconds = Number(arg('seconds', '15'));
const tickMs = Number(arg('tick', '100'));
const CHAT_PER_SECOND = 20;
const LIKES_PER_SECOND = 200;
if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 15_000) || !(seconds >= 5 && seconds <= 120)) {
  throw new Error('--viewers takes counts from 1 to 15000, --seconds 5 to 120');
}
const ROOM = 'bench-events';
const TICKS = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
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

interface Row {
  viewers: number;
  p50: number;
  p99: number;
  max: number;
  delivered: number;
  expected: number;
  resyncs: number;
  dropped: number;
  relayCpuPercent: number;
  relayRssMb: number;
  relayPeakMb: number;
  /** Relay CPU time per chat message delivered to one viewer: comparable even on a busy machine. */
  relayMicrosPerDelivery: number;
  /** The machine's 1-minute load average at the end: above 2 (cores), other work shared the CPUs. */
  loadAverage: number;
  generatorCpuPercent: number;
  drainMs: number;
  chatsSent: number;
  likesSent: number;
  chatRefused: number;
  likesRefused: number;
}

async function run(viewers: number): Promise<Row> {
  const relay = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/events-relay.ts', randomBytes(18).toString('base64url'), ROOM], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LIVE_SHOP_EVENT_TICK_MS: String(tickMs) },
  });
  const exited = new Promise((resolve) => relay.once('exit', resolve));
  try {
    return await measure(relay, viewers);
  } finally {
    relay.stdin!.end(); // the relay stops when its stdin closes
    await exited;
  }
}

async function measure(relay: ChildProcess, viewers: number): Promise<Row> {
  const started = new Promise<{ url: string; pid: number }>((resolve) => lines(relay, (line) => line.startsWith('{') && resolve(JSON.parse(line))));
  const { url, pid } = await started;
  let cpuStart = 0;
  let wallStart = 0;
  let cpuPercent = 0;
  let cpuSeconds = 0;
  let rss = 0;
  const load = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/events-load.ts', url, ROOM, String(viewers), String(seconds), String(CHAT_PER_SECOND), String(LIKES_PER_SECOND)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await new Promise<Omit<Row, 'relayCpuPercent' | 'relayRssMb' | 'relayPeakMb' | 'relayMicrosPerDelivery' | 'loadAverage'>>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('load generator did not finish in time')), (seconds + 120) * 1000);
    lines(load, (line) => {
      if (line === 'measure-start') {
        cpuStart = cpuTicks(pid);
        wallStart = Date.now();
      } else if (line === 'measure-end') {
        cpuSeconds = (cpuTicks(pid) - cpuStart) / TICKS;
        cpuPercent = Math.round((cpuSeconds / ((Date.now() - wallStart) / 1000)) * 100);
        rss = memoryMb(pid, 'VmRSS');
      } else if (line.startsWith('result ')) {
        clearTimeout(timeout);
        resolve(JSON.parse(line.slice(7)));
      } else {
        console.log(`  [${viewers}] ${line}`);
      }
    });
    load.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
  }).finally(() => load.kill());
  const peak = memoryMb(pid, 'VmHWM');
  return {
    ...result,
    relayCpuPercent: cpuPercent,
    relayRssMb: rss,
    relayPeakMb: peak,
    relayMicrosPerDelivery: result.delivered > 0 ? Math.round((cpuSeconds * 1e6 * 100) / result.delivered) / 100 : 0,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
}

const rows: Row[] = [];
for (const viewers of counts) {
  console.log(`bench:events: ${viewers} viewers, ${seconds} s, ${CHAT_PER_SECOND} chat/s, ${LIKES_PER_SECOND} likes/s, ${tickMs} ms tick`);
  rows.push(await run(viewers));
}

const pad = (v: unknown, n: number) => String(v).padStart(n);
console.log('\n viewers | chat p50 ms | chat p99 ms |  max ms | delivered/expected | resyncs | relay CPU (1 core) | µs/delivery | relay RSS (peak) MB | generator CPU | load avg');
for (const r of rows) {
  console.log(
    `${pad(r.viewers, 8)} | ${pad(r.p50, 11)} | ${pad(r.p99, 11)} | ${pad(r.max, 7)} | ${pad(`${r.delivered}/${r.expected}`, 18)} | ${pad(r.resyncs, 7)} | ${pad(`${r.relayCpuPercent}%`, 18)} | ${pad(r.relayMicrosPerDelivery, 11)} | ${pad(`${r.relayRssMb} (${r.relayPeakMb})`, 19)} | ${pad(`${r.generatorCpuPercent}%`, 13)} | ${pad(r.loadAverage, 8)}`,
  );
}
console.log(JSON.stringify({ bench: 'events', seconds, tickMs, chatPerSecond: CHAT_PER_SECOND, likesPerSecond: LIKES_PER_SECOND, rows }));
