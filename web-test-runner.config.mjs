// Browser unit tests: web-test-runner on Debian's Chromium through Playwright (no browser download).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { playerFixturePlugin } from './tests/widget/player/fixture-plugin.mjs';

export default {
  files: 'tests/widget/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  // The player tests' live show (relay, LiveKit, a host) starts only when a test asks for it.
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), playerFixturePlugin()],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
          '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
        ],
      },
    }),
  ],
  testFramework: { config: { timeout: 15000 } },
};
