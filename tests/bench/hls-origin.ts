/**
 * The relay's LL-HLS origin in a process of its own for `bench:hls-load`: the relay's router and
 * HLS routes, fed by the ffmpeg test pattern (no LiveKit: only the HLS path is under load). It
 * prints `{"url": ...}` once serving, records when each part of the top rendition appeared, and
 * on SIGTERM prints `{"parts": {"msn.part": epochMs}}` and exits.
 */
import { createServer } from 'node:http';
import { Router, sendError } from '../../server/http/router.ts';
import { HlsOrigin } from '../../server/hls/origin.ts';
import { registerHlsRoutes } from '../../server/hls/routes.ts';
import { defaultTiming } from '../../server/hls/service.ts';
import { Encoder, TestPatternSource } from '../../server/ingest/encoder.ts';
import { INGEST_FPS } from '../../server/ingest/ingest.ts';
import { ladderFor } from '../../server/ingest/ladder.ts';
import { Rooms } from '../../server/rooms/rooms.ts';
import { openDatabase } from '../../server/store/db.ts';

const ROOM = 'load';
// Wall clock in both processes: performance.timeOrigin differs between processes by several ms.
const now = () => Date.now();

const db = openDatabase(':memory:');
const rooms = new Rooms(db);
rooms.upsert(ROOM, { title: 'Load' });
rooms.setStatus(ROOM, 'live');
const origin = new HlsOrigin(defaultTiming());
const router = new Router();
registerHlsRoutes(router, { origin, rooms });

const ladder = ladderFor(640, 360, INGEST_FPS);
const show = origin.open(ROOM, ladder.map((r) => ({ name: r.name, bandwidth: r.videoKbps * 1100 })));
const encoder = new Encoder(new TestPatternSource(640, 360, INGEST_FPS), { show, ladder, fps: INGEST_FPS, keyframeSeconds: 1 });
encoder.start();

const appeared: Record<string, number> = {};
const top = show.renditions[0]!;
top.onChange(() => {
  const last = top.lastPosition();
  if (last && appeared[`${last.msn}.${last.part}`] === undefined) appeared[`${last.msn}.${last.part}`] = now();
});

const server = createServer((req, res) => {
  void (async () => {
    try {
      const url = new URL(req.url ?? '/', 'http://origin');
      const { handler, params } = router.match(req.method ?? 'GET', url.pathname);
      await handler({ req, res, url, params, json: async () => ({}), text: async () => '' });
    } catch (error) {
      sendError(res, error);
    }
  })();
});
server.keepAliveTimeout = 60_000;
server.maxConnections = 20_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, room: ROOM, pid: process.pid, ffmpegPid: encoder.pid })}\n`);
});

process.on('SIGTERM', () => {
  void (async () => {
    await encoder.stop();
    show.end();
    server.closeAllConnections();
    server.close();
    db.close();
    process.stdout.write(`${JSON.stringify({ parts: appeared })}\n`);
    process.exit(0);
  })();
});
