/**
 * `npm start`: builds the widget, starts the relay (which starts a loopback-only LiveKit dev
 * server) with the demo pages, makes sure the demo room exists, and prints the two URLs.
 * Ctrl-C stops everything it started.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startRelay } from '../server/app.ts';
import { ConfigError, loadConfig } from '../server/config.ts';

const DEMO_ROOM = 'spring-drop';

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

const hostKey = process.env.LIVE_SHOP_HOST_KEY || randomBytes(18).toString('base64url');
let config;
try {
  config = loadConfig({ LIVE_SHOP_DB: '.cache/demo.sqlite', ...process.env, LIVE_SHOP_HOST_KEY: hostKey, LIVE_SHOP_DEMO: '1' });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`npm start: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

let relay;
try {
  relay = await startRelay(config);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `npm start: port ${config.port} is taken; set LIVE_SHOP_PORT to another port (or 0 for any free one).`
      : `npm start: the relay did not start: ${(error as Error).message}`,
  );
  process.exit(1);
}

const existing = relay.rooms.get(DEMO_ROOM);
relay.rooms.upsert(DEMO_ROOM, {
  title: 'Spring drop: trail shoes live',
  poster: `${relay.url}/demo/images/poster.svg`,
  scheduledAt: existing?.scheduledAt ?? Date.now() + 15 * 60_000,
});
// A new demo run starts before the show, whatever the last run left behind.
if (existing?.status !== 'live') relay.rooms.setStatus(DEMO_ROOM, 'scheduled');

console.log(`\nstorefront: ${relay.url}/`);
console.log(`studio: ${relay.url}/studio#key=${hostKey}`);
console.log('\n(open the studio, press "Go live", then watch on the storefront; Ctrl-C stops everything)');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await relay.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
