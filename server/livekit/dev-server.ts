import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DevServerOptions {
  /** The livekit-server binary (scripts/setup.sh installs the pinned version). */
  bin: string;
  /** Where LiveKit POSTs its webhooks. */
  webhookUrl: string;
}

export interface DevServer {
  url: string;
  /** The server's config file; it names the dev server's processes (`pkill -f` in failure tests). */
  configPath: string;
  apiKey: string;
  apiSecret: string;
  stop(): Promise<void>;
}

/** Runs "$@" in the background and kills it when stdin reaches end-of-file; exits with its status. */
// (A background job's stdin is /dev/null in a non-interactive shell, hence the copy on fd 3.)
const WATCHDOG = 'exec 3<&0; "$@" </dev/null & pid=$!; (read _ignored <&3; kill $pid 2>/dev/null; sleep 1; kill -9 $pid 2>/dev/null) & wait $pid 2>/dev/null';

/** Asks the kernel for a free loopback port (TCP; LiveKit's UDP port is chosen the same way). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a single-node LiveKit on loopback only, with fresh keys and the relay as webhook target,
 * and restarts it if it dies. LiveKit's IP discovery skips loopback, so loopback candidates are
 * switched on and every other interface is excluded: media never leaves 127.0.0.1.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const [port, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
  const apiKey = 'devkey';
  const apiSecret = randomBytes(24).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'live-shop-livekit-'));
  const configPath = join(dir, 'livekit.yaml');
  writeFileSync(
    configPath,
    [
      `port: ${port}`,
      `bind_addresses: ["127.0.0.1"]`,
      `rtc:`,
      `  tcp_port: ${tcpPort}`,
      `  udp_port: ${udpPort}`,
      `  use_external_ip: false`,
      `  enable_loopback_candidate: true`,
      `  node_ip: 127.0.0.1`,
      `  interfaces:`,
      `    includes: ["lo"]`,
      `  ips:`,
      `    includes: ["127.0.0.1/32"]`,
      `keys:`,
      `  ${apiKey}: ${apiSecret}`,
      `webhook:`,
      `  api_key: ${apiKey}`,
      `  urls: ["${options.webhookUrl}"]`,
      `room:`,
      `  empty_timeout: 60`,
      `  departure_timeout: 20`,
      `logging:`,
      `  level: warn`,
      '',
    ].join('\n'),
  );

  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  const launch = (): void => {
    // livekit-server runs under a small shell that kills it as soon as our end of its stdin pipe
    // closes: on stop(), and also when this process dies in any way (crash, SIGKILL), so no
    // LiveKit is ever left behind.
    child = spawn('/bin/sh', ['-c', WATCHDOG, 'livekit-watchdog', options.bin, '--config', configPath], {
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      restarts += 1;
      console.error(`[relay] livekit-server exited (${signal ?? code}); restart ${restarts}`);
      if (restarts <= 5) setTimeout(launch, 500 * restarts);
    });
  };
  launch();
  const url = `ws://127.0.0.1:${port}`;
  await waitForHttp(`http://127.0.0.1:${port}/`, 20_000, () => child?.exitCode !== null && restarts > 5);

  return {
    url,
    configPath,
    apiKey,
    apiSecret,
    async stop() {
      stopping = true;
      const running = child;
      if (running && running.exitCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.stdin?.end();
        const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForHttp(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`livekit-server did not answer at ${url} within ${timeoutMs} ms`);
}
