/**
 * Relay configuration: every setting comes from the environment, with its default here and
 * nowhere else. `loadConfig()` merges once and rejects bad values with the variable's name.
 */
import { dirname, join } from 'node:path';

export interface RelayConfig {
  /** `LIVE_SHOP_HOST` (127.0.0.1): interface the relay binds. */
  host: string;
  /** `LIVE_SHOP_PORT` (8787): HTTP port; 0 picks a free one. */
  port: number;
  /** `LIVE_SHOP_PUBLIC_URL` (http://host:port): base URL that players and webhooks use. */
  publicUrl: string | null;
  /** `LIVE_SHOP_HOST_KEY` (required): the credential a host presents to get a publishing token. */
  hostKey: string;
  /** `LIVE_SHOP_ORIGINS` (empty): comma-separated origins allowed by CORS; `*` allows any. */
  allowedOrigins: string[];
  /** `LIVE_SHOP_DB` (.cache/live-shop.sqlite): SQLite file; `:memory:` keeps nothing. */
  databasePath: string;
  /** `LIVE_SHOP_VIEWER_TOKEN_TTL` (600): seconds a viewer token stays valid for joining. */
  viewerTokenTtlSeconds: number;
  /** `LIVE_SHOP_HOST_TOKEN_TTL` (21600): seconds a host token stays valid for joining. */
  hostTokenTtlSeconds: number;
  /** `LIVE_SHOP_STATIC` (dist/widget): folder served at `/widget/` (the script tag and chunks). */
  staticDir: string | null;
  /** `LIVE_SHOP_DEMO` (0): serve the demo storefront at `/` and the studio at `/studio`. */
  serveDemo: boolean;
  /** `LIVE_SHOP_EVENT_TICK_MS` (100): room events are sent in one frame per client per tick. */
  eventTickMs: number;
  /** `LIVE_SHOP_HLS_SOURCE` (livekit): what feeds the LL-HLS fallback of a live room: `livekit` (the host,
   *  through a hidden subscriber), `test-pattern` (an ffmpeg test source, for tests and benches) or `off`. */
  hlsSource: 'livekit' | 'test-pattern' | 'off';
  /** `LIVE_SHOP_WEBRTC_CAPACITY` (500): viewers of one room beyond which the room info tells new
   *  players WebRTC is full, so they take LL-HLS (one LiveKit room lives on one node); 0 = no limit. */
  webrtcCapacity: number;
  /** `LIVE_SHOP_SHOPPER_SECRET` (none): the secret a shop's server signs its signed-in customers'
   *  ids with (`shopper-token`), so that one customer is one shopper on every device. */
  shopperSecret: string | null;
  /** `LIVE_SHOP_CLAIMS` (anyone): who may claim coupons and flash sales: `anyone` (one per
   *  browser) or `signed-in` (one per customer the shop signed in; needs the secret). */
  claims: 'anyone' | 'signed-in';
  /** `LIVE_SHOP_REPLAYS` (a `replays` folder beside LIVE_SHOP_DB; none when that is `:memory:`):
   *  folder where every live show is recorded for replay; `off` records nothing. */
  replaysDir: string | null;
  /** `LIVE_SHOP_REPLAYS_KEPT` (20): replays kept per room; the oldest is deleted beyond. */
  replaysKept: number;
  livekit: LiveKitConfig;
}

export interface LiveKitConfig {
  /** `LIVEKIT_URL`: an existing LiveKit (ws:// or wss://). Empty: spawn the local dev server. */
  url: string | null;
  /** `LIVEKIT_API_KEY` (devkey with the local dev server). */
  apiKey: string;
  /** `LIVEKIT_API_SECRET` (a random secret with the local dev server). */
  apiSecret: string;
  /** `LIVEKIT_SERVER_BIN` (found by scripts/setup.sh): livekit-server binary for the dev server. */
  serverBin: string | null;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (!raw) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected ${protocols.join(' or ')} URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/** Recordings live with the rest of what the relay keeps, so one volume holds both. */
function replaysDir(env: Env, databasePath: string): string | null {
  const raw = env.LIVE_SHOP_REPLAYS;
  if (raw === 'off') return null;
  if (raw) return raw;
  // A relay that keeps nothing (tests, throwaway runs) records nothing either, unless asked to.
  return databasePath === ':memory:' ? null : join(dirname(databasePath), 'replays');
}

export function loadConfig(env: Env = process.env): RelayConfig {
  const hostKey = env.LIVE_SHOP_HOST_KEY ?? '';
  if (hostKey.length < 16) {
    throw new ConfigError('LIVE_SHOP_HOST_KEY', 'set a host credential of at least 16 characters');
  }
  const shopperSecret = env.LIVE_SHOP_SHOPPER_SECRET || null;
  if (shopperSecret !== null && shopperSecret.length < 32) {
    throw new ConfigError('LIVE_SHOP_SHOPPER_SECRET', 'use a secret of at least 32 characters');
  }
  const claims = oneOf(env, 'LIVE_SHOP_CLAIMS', ['anyone', 'signed-in'] as const, 'anyone');
  if (claims === 'signed-in' && !shopperSecret) {
    throw new ConfigError('LIVE_SHOP_CLAIMS', 'signed-in claims need LIVE_SHOP_SHOPPER_SECRET, the secret the shop signs its customers with');
  }
  const databasePath = env.LIVE_SHOP_DB || '.cache/live-shop.sqlite';
  const livekitUrl = url(env, 'LIVEKIT_URL', ['ws:', 'wss:', 'http:', 'https:']);
  const apiKey = env.LIVEKIT_API_KEY ?? '';
  const apiSecret = env.LIVEKIT_API_SECRET ?? '';
  if (livekitUrl && (!apiKey || !apiSecret)) {
    throw new ConfigError('LIVEKIT_API_KEY', 'LIVEKIT_URL is set, so LIVEKIT_API_KEY and LIVEKIT_API_SECRET are needed too');
  }
  return {
    host: env.LIVE_SHOP_HOST || '127.0.0.1',
    port: integer(env, 'LIVE_SHOP_PORT', 8787, 0, 65535),
    publicUrl: url(env, 'LIVE_SHOP_PUBLIC_URL', ['http:', 'https:']),
    hostKey,
    allowedOrigins: (env.LIVE_SHOP_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
    databasePath,
    viewerTokenTtlSeconds: integer(env, 'LIVE_SHOP_VIEWER_TOKEN_TTL', 600, 30, 86400),
    hostTokenTtlSeconds: integer(env, 'LIVE_SHOP_HOST_TOKEN_TTL', 21600, 60, 604800),
    staticDir: env.LIVE_SHOP_STATIC === '' ? null : env.LIVE_SHOP_STATIC || 'dist/widget',
    serveDemo: env.LIVE_SHOP_DEMO === '1',
    eventTickMs: integer(env, 'LIVE_SHOP_EVENT_TICK_MS', 100, 10, 1000),
    hlsSource: oneOf(env, 'LIVE_SHOP_HLS_SOURCE', ['livekit', 'test-pattern', 'off'] as const, 'livekit'),
    webrtcCapacity: integer(env, 'LIVE_SHOP_WEBRTC_CAPACITY', 500, 0, 1_000_000),
    shopperSecret,
    claims,
    replaysDir: replaysDir(env, databasePath),
    replaysKept: integer(env, 'LIVE_SHOP_REPLAYS_KEPT', 20, 1, 10_000),
    livekit: {
      url: livekitUrl,
      apiKey: apiKey || 'devkey',
      apiSecret,
      serverBin: env.LIVEKIT_SERVER_BIN || null,
    },
  };
}
