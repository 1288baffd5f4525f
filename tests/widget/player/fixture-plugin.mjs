// web-test-runner plugin: starts the Player tests' live show (fixture.ts) on the first request
// for /__live-shop-fixture.json, answers it with `{ server, room, hostKey }`, and stops it with
// the test server. Test files that never ask for it never start it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const FIXTURE_PATH = '/__live-shop-fixture.json';

export function playerFixturePlugin() {
  let child = null;
  let ready = null;

  const start = () => {
    ready ??= new Promise((resolve, reject) => {
      child = spawn(process.execPath, ['--import', 'tsx', 'tests/widget/player/fixture.ts'], {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: process.env,
      });
      const lines = createInterface({ input: child.stdout });
      // rtc-node logs to stdout too: the fixture's answer is the line that names the server.
      lines.on('line', (line) => {
        if (line.startsWith('{"server"')) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`player fixture exited early (${code})`)));
    });
    return ready;
  };

  return {
    name: 'live-shop-player-fixture',
    async serve(context) {
      if (context.path !== FIXTURE_PATH) return undefined;
      return { body: await start(), type: 'application/json' };
    },
    async serverStop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
