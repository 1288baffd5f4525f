/**
 * `npm run bench:hls-load`: N simulated LL-HLS viewers against one relay origin process on
 * loopback, each doing what hls.js does at the live edge: a blocking playlist reload for the next
 * part (delta update), then a fetch of that part. Bounded in viewers and time; stops what it starts.
 *
 * Prints requests/s, the delay from a part's existence (the origin's own clock, same machine) to
 * its delivery to a viewer (p50/p95/p99/max), and CPU of the origin, its ffmpeg and this driver.
 * Settings: HLS_LOAD_VIEWERS (2000, at most 5000), HLS_LOAD_SECONDS (20, at most 60),
 * HLS_LOAD_PROFILE=dir writes a V8 CPU profile of the origin there.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const VIEWERS = bounded('HLS_LOAD_VIEWERS', 2000, 1, 5000);
const SECONDS = bounded('HLS_LOAD_SECONDS', 20, 5, 60);
const RAMP_MS = 3000;
// Wall clock in both processes: performance.timeOrigin differs between processes by several ms.
const now = () => Date.now();

function bounded(name: string, fallback: number, min: number, max: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

// One kept-alive connection per viewer, as real players have (the default keeps only 256 idle).
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 6000 });
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Process CPU time in seconds from /proc (user + system). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

const origin = spawn(process.execPath, [...(process.env.HLS_LOAD_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.HLS_LOAD_PROFILE] : []), '--import', 'tsx', 'tests/bench/hls-origin.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: origin.stdout! });
const messages: Record<string, unknown>[] = [];
const waiters: (() => void)[] = [];
lines.on('line', (line) => {
  if (!line.startsWith('{')) return;
  messages.push(JSON.parse(line) as Record<string, unknown>);
  for (const wake of waiters.splice(0)) wake();
});
const message = async (key: string): Promise<Record<string, unknown>> => {
  for (;;) {
    const found = messages.find((m) => key in m);
    if (found) return found;
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
};

let exitCode = 0;
try {
  const { url, room, ffmpegPid } = (await message('url')) as { url: string; room: string; ffmpegPid: number };
  const multivariantUrl = `${url}/v1/rooms/${room}/hls/index.m3u8`;
  let multivariant = await get(multivariantUrl);
  for (let i = 0; multivariant.status !== 200 && i < 40; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    multivariant = await get(multivariantUrl);
  }
  if (multivariant.status !== 200) throw new Error(`the origin did not serve ${multivariantUrl}`);
  const mediaUrl = new URL(multivariant.body.split('\n').find((l) => l.endsWith('.m3u8'))!, multivariantUrl).href;
  const base = mediaUrl.slice(0, mediaUrl.lastIndexOf('/') + 1);

  const deliveries: { key: string; at: number }[] = [];
  const statuses = new Map<number, number>();
  let requests = 0;
  let failures = 0;
  const started = now();
  const end = started + RAMP_MS + SECONDS * 1000;
  const measureFrom = started + RAMP_MS;
  const cpu0 = { at: 0, origin: 0, ffmpeg: 0, driver: 0 };
  setTimeout(() => {
    Object.assign(cpu0, { at: now(), origin: cpuSeconds(origin.pid!), ffmpeg: cpuSeconds(ffmpegPid), driver: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 });
  }, RAMP_MS);

  const count = (status: number) => {
    requests += 1;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };

  /** One viewer at the live edge: blocking reload for the next part, then that part. */
  async function viewer(delayMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const first = await get(mediaUrl);
    count(first.status);
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.m4s"/.exec(first.body);
    if (!hint) return;
    let msn = Number(hint[1]);
    let part = Number(hint[2]);
    while (now() < end) {
      try {
        const playlist = await get(`${mediaUrl}?_HLS_msn=${msn}&_HLS_part=${part}&_HLS_skip=YES`);
        count(playlist.status);
        if (playlist.status !== 200) {
          failures += 1;
          continue;
        }
        // A part index past the end of its segment means the next segment's first part.
        if (!playlist.body.includes(`URI="part-${msn}.${part}.m4s"`) && playlist.body.includes(`URI="part-${msn + 1}.0.m4s"`)) {
          msn += 1;
          part = 0;
        }
        const fetched = await get(`${base}part-${msn}.${part}.m4s`);
        count(fetched.status);
        if (fetched.status === 200) deliveries.push({ key: `${msn}.${part}`, at: now() });
        else failures += 1;
        part += 1;
      } catch {
        failures += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  console.log(`bench:hls-load: ${VIEWERS} viewers for ${SECONDS} s (after a ${RAMP_MS / 1000} s ramp) against ${url}`);
  await Promise.all(Array.from({ length: VIEWERS }, (_, i) => viewer((i / VIEWERS) * RAMP_MS)));
  const wall = (now() - cpu0.at) / 1000;
  const driverCpu = process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 - cpu0.driver;
  const originCpu = cpuSeconds(origin.pid!) - cpu0.origin;
  const ffmpegCpu = cpuSeconds(ffmpegPid) - cpu0.ffmpeg;

  origin.kill('SIGTERM');
  const { parts } = (await message('parts')) as { parts: Record<string, number> };
  const delays = deliveries
    .filter((d) => parts[d.key] !== undefined && parts[d.key]! >= measureFrom)
    .map((d) => d.at - parts[d.key]!)
    .sort((a, b) => a - b);
  const measured = deliveries.filter((d) => d.at >= measureFrom).length;
  const result = {
    viewers: VIEWERS,
    seconds: SECONDS,
    requestsPerSecond: Math.round(requests / ((end - started) / 1000)),
    partsDelivered: measured,
    failures,
    statuses: Object.fromEntries(statuses),
    deliveryDelayMs: {
      p50: Math.round(percentile(delays, 50)),
      p95: Math.round(percentile(delays, 95)),
      p99: Math.round(percentile(delays, 99)),
      max: Math.round(delays.at(-1) ?? NaN),
    },
    partDurationMs: 200,
    cpuCores: { origin: +(originCpu / wall).toFixed(2), ffmpeg: +(ffmpegCpu / wall).toFixed(2), driver: +(driverCpu / wall).toFixed(2) },
  };
  console.log('');
  console.log('| viewers | req/s | parts delivered | p50 ms | p95 ms | p99 ms | max ms | origin CPU | ffmpeg CPU | driver CPU |');
  console.log('|--------:|------:|----------------:|-------:|-------:|-------:|-------:|-----------:|-----------:|-----------:|');
  const d = result.deliveryDelayMs;
  const c = result.cpuCores;
  console.log(`| ${VIEWERS} | ${result.requestsPerSecond} | ${measured} | ${d.p50} | ${d.p95} | ${d.p99} | ${d.max} | ${c.origin} | ${c.ffmpeg} | ${c.driver} |`);
  console.log(`p99 delay / part duration: ${(d.p99 / 200).toFixed(2)} (goal <= 1 at 2000 viewers on one core)`);
  // What one core of origin would carry at this cost per request (each viewer: 2 requests per 200 ms part).
  const microsPerRequest = (originCpu * 1e6) / Math.max(1, requests * (wall / ((end - started) / 1000)));
  console.log(`origin CPU per request: ${microsPerRequest.toFixed(0)} µs -> one core ≈ ${Math.round(1e6 / microsPerRequest)} req/s ≈ ${Math.round(1e6 / microsPerRequest / 10)} viewers at the live edge`);
  console.log(JSON.stringify({ bench: 'hls-load', ...result }));
  if (failures > requests * 0.01) exitCode = 1;
} catch (error) {
  console.error(`bench:hls-load failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  if (origin.exitCode === null) origin.kill('SIGTERM');
  agent.destroy();
}
process.exitCode = exitCode;
