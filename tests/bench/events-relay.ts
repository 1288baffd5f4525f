/**
 * The relay under test for `npm run bench:events`, as its own process so that its CPU and memory
 * are measured apart from the load generator. Prints one JSON line with its URL, then serves
 * until its parent closes stdin (so it never outlives the benchmark).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
