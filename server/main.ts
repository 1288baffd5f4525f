import { startRelay } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

/** `node --import tsx server/main.ts`: the relay as a process, configured from the environment. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`[relay] configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const relay = await startRelay(config);
  console.log(`[relay] listening on ${relay.url} (LiveKit ${relay.livekit.url})`);
  const stop = async (): Promise<void> => {
    await relay.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

await main();
