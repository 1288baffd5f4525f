/**
 * The relay under test for `npm run bench:events`, as its own process so that its CPU and memory
 * are measured apart from the load generator. Prints one JSON line with its URL, then serves
 * until its parent closes stdin (so it never outlives the benchmark).
 */
import * as diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startRelay } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';

const [hostKey, room] = process.argv.slice(2) as [string, string];
const dir = mkdtempSync(join(tmpdir(), 'live-shop-bench-events-'));
const relay = await startRelay(
  loadConfig({
    LIVE_SHOP_HOST_KEY: hostKey,
    LIVE_SHOP_PORT: '0',
    LIVE_SHOP_DB: join(dir, 'relay.sqlite'),
    LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN,
    LIVE_SHOP_EVENT_TICK_MS: process.env.LIVE_SHOP_EVENT_TICK_MS,
  }),
);
// Left "scheduled": chat and likes work, and no video ingest runs to blur the figures.
relay.rooms.upsert(room, { title: 'Event stream benchmark' });
console.log(JSON.stringify({ url: relay.url, pid: process.pid }));
if (process.env.LIVE_SHOP_EVENT_TRACE) trace(Number(process.env.LIVE_SHOP_EVENT_TRACE));

/**
 * `--trace <ms>`: per interval, on stderr, what the fan-out did: flushes (frames per client),
 * frames written, the latest tick's lateness and the event loop's worst delay. A run whose tail
 * grows shows here whether the relay sent more frames than ticks, and when.
 */
function trace(intervalMs: number): void {
  let accepted = 0;
  let requests = 0;
  diagnostics.subscribe('net.server.socket', () => (accepted += 1));
  diagnostics.subscribe('http.server.request.start', () => (requests += 1));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const { counters } = relay.events;
  let before = { ...counters };
  const started = Date.now();
  let at = performance.now();
  setInterval(() => {
    const now = { ...counters };
    const elapsed = performance.now() - at;
    const clients = relay.events.viewers(room);
    const rate = (delta: number): string => ((delta * 1000) / elapsed).toFixed(1);
    console.error(
      `trace t=${((Date.now() - started) / 1000).toFixed(2)}s over=${Math.round(elapsed)}ms ticks=${now.ticks - before.ticks} ` +
        `flushes=${now.flushes - before.flushes} (at once ${now.immediateFlushes - before.immediateFlushes}) ` +
        `frames/s/client=${clients ? rate((now.framesWritten - before.framesWritten) / clients) : '-'} flushMax=${Math.round(now.flushMaxMs)}ms ` +
        `tickLateMax=${now.tickLateMaxMs}ms loopDelayMax=${Math.round(loop.max / 1e6)}ms clients=${clients} accepted=${accepted} requests=${requests}`,
    );
    accepted = 0;
    requests = 0;
    counters.tickLateMaxMs = 0;
    counters.flushMaxMs = 0;
    loop.reset();
    at = performance.now();
    before = { ...counters };
  }, intervalMs).unref();
}

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.once('SIGTERM', () => void stop());
