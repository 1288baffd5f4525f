import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Catalog } from './catalog/catalog.ts';
import { registerCatalogRoutes } from './catalog/routes.ts';
import { registerChatRoutes } from './chat/routes.ts';
import { registerCommerceRoutes } from './commerce/routes.ts';
import type { RelayConfig } from './config.ts';
import { EventHub } from './events/hub.ts';
import { RelayError, forbidden } from './http/errors.ts';
import { JsonReply, RequestContext, Router, requestTarget, sendError, sendJson } from './http/router.ts';
import { sendFile } from './http/static.ts';
import { roomName } from './http/validate.ts';
import { LiveKit } from './livekit/livekit.ts';
import { Rooms } from './rooms/rooms.ts';
import { publicRoom, registerRoomRoutes } from './rooms/routes.ts';
import { registerReplayRoutes } from './hls/replay-routes.ts';
import { startHls } from './hls/service.ts';
import { openDatabase, type Db } from './store/db.ts';

const DEMO_DIR = fileURLToPath(new URL('../demo/', import.meta.url));

export interface Relay {
  /** Base URL of the relay, e.g. http://127.0.0.1:8787 */
  url: string;
  config: RelayConfig;
  rooms: Rooms;
  livekit: LiveKit;
  events: EventHub;
  catalog: Catalog;
  db: Db;
  close(): Promise<void>;
}

/** Starts the relay: HTTP API, event stream, static widget files, and LiveKit (spawned if not configured). */
export async function startRelay(config: RelayConfig): Promise<Relay> {
  const db = openDatabase(config.databasePath);
  const rooms = new Rooms(db);
  const catalog = new Catalog(db);
  if (config.serveDemo && catalog.count() === 0) {
    try {
      const demo = JSON.parse(readFileSync(`${DEMO_DIR}catalog.json`, 'utf8')) as Array<Record<string, unknown>>;
      catalog.import(demo.map((raw, i) => ({ where: `demo/catalog.json item ${i + 1}`, raw })));
    } catch (error) {
      db.close();
      throw error;
    }
  }
  const router = new Router();
  let events: EventHub | null = null;
  let livekit: LiveKit | null = null;

  const server = createServer((req, res) => void handle(req, res));
  server.on('upgrade', (req, socket, head) => upgrade(req, socket, head));
  await listen(server, config.port, config.host);
  const { port } = server.address() as { port: number };
  const url = config.publicUrl ?? `http://${config.host}:${port}`;

  try {
    livekit = await LiveKit.connect(config.livekit, `http://127.0.0.1:${port}/v1/livekit/webhook`);
  } catch (error) {
    server.close();
    db.close();
    throw error;
  }
  const hls = startHls(router, { config, rooms, livekit, url });
  const hub: EventHub = new EventHub(db, (room) => {
    const found = rooms.get(room);
    return found ? publicRoom(found, hub, hls.player) : null;
  }, { tickMs: config.eventTickMs });
  events = hub;

  router.on('GET', '/v1/health', () => ({ status: 'ok' }));
  router.on('GET', '/v1/ready', async () => {
    const ok = await livekit!.ping();
    return new JsonReply(ok ? 200 : 503, { status: ok ? 'ready' : 'livekit_unreachable', livekit: ok });
  });
  registerRoomRoutes(router, { config, rooms, livekit, events: hub, player: hls.player });
  registerCatalogRoutes(router, { config, catalog });
  const commerce = registerCommerceRoutes(router, { config, db, rooms, events: hub, catalog });
  registerChatRoutes(router, { config, db, rooms, events: hub });
  const replays = hls.replays;
  if (replays) {
    // Each show is recorded with the products pinned as it starts and every pin and unpin after.
    hls.origin.onShow((show) => replays.record(show, commerce.pins.list(show.room)));
    hub.onPublish((room, event) => {
      if (event.type !== 'pin' && event.type !== 'unpin') return;
      const { sku, at } = event.data as { sku: string; at: number };
      replays.notePin(room, sku, at, event.type === 'unpin');
    });
    // A replay is complete a moment after the show ends: the room info then offers it to everyone.
    replays.onFinished((replay) => {
      const room = rooms.get(replay.room);
      if (room) hub.publish(room.name, 'status', publicRoom(room, hub, hls.player));
    });
    registerReplayRoutes(router, { replays, rooms, url, product: (sku) => catalog.get(sku) });
  }
  hls.start();
  if (config.staticDir) {
    const dir = config.staticDir;
    router.on('GET', '/widget/{file+}', (ctx) => sendFile(ctx.res, dir, ctx.params.file!));
  }
  if (config.serveDemo) {
    router.on('GET', '/', (ctx) => sendFile(ctx.res, DEMO_DIR, 'storefront.html'));
    router.on('GET', '/studio', (ctx) => sendFile(ctx.res, DEMO_DIR, 'studio.html'));
    router.on('GET', '/demo/{file+}', (ctx) => sendFile(ctx.res, DEMO_DIR, ctx.params.file!));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!cors(req, res)) return;
      const { pathname, query } = requestTarget(req.url ?? '/');
      const { handler, params } = router.match(req.method ?? 'GET', pathname);
      const result = await handler(new RequestContext(req, res, params, query));
      if (res.headersSent || res.writableEnded) return;
      if (result instanceof JsonReply) sendJson(res, result.status, result.body, result.headers);
      else sendJson(res, 200, result ?? {});
    } catch (error) {
      sendError(res, error);
    }
  }

  /** CORS for the configured shop origins; returns false when it answered a preflight itself. */
  function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && (config.allowedOrigins.includes('*') || config.allowedOrigins.includes(origin));
    if (allowed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
    if (req.method !== 'OPTIONS') return true;
    if (!allowed) throw forbidden(`origin ${origin ?? '(none)'} is not in LIVE_SHOP_ORIGINS`);
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE',
      'access-control-allow-headers': 'authorization, content-type, idempotency-key',
      'access-control-max-age': '600',
    });
    res.end();
    return false;
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const parsed = new URL(req.url ?? '/', 'http://relay');
    const match = /^\/v1\/rooms\/([^/]+)\/events$/.exec(parsed.pathname);
    try {
      if (!match || !events) throw new RelayError(404, 'not_found', 'no WebSocket endpoint here');
      const name = roomName(decodeURIComponent(match[1]!));
      if (!rooms.get(name)) throw new RelayError(404, 'not_found', `room "${name}" does not exist`);
      const origin = req.headers.origin;
      if (origin && !config.allowedOrigins.includes('*') && !config.allowedOrigins.includes(origin) && origin !== url) {
        throw forbidden(`origin ${origin} is not in LIVE_SHOP_ORIGINS`);
      }
      events.accept(name, req, socket, head, { host: parsed.searchParams.get('role') === 'host' });
    } catch (error) {
      const status = error instanceof RelayError ? error.status : 500;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : 'Bad Request'}\r\n\r\n`);
    }
  }

  return {
    url,
    config,
    rooms,
    livekit,
    events: hub,
    catalog,
    db,
    async close() {
      commerce.close();
      await hls.close();
      hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await livekit?.stop();
      db.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
