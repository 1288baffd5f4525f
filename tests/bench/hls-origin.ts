/**
 * The relay's LL-HLS origin in a process of its own for `bench:hls-load`: the relay's router and
 * HLS routes, fed by the ffmpeg test pattern (no LiveKit: only the HLS path is under load). It
 * prints `{"url": ...}` once serving, records when each part of the top rendition appeared, and
 * on SIGUSR2 (the measured window starts) forgets its garbage collections and event-loop delays
 * so far, and takes them on a "window-end" line on stdin; on SIGTERM (or when stdin, the bench's
 * pipe, ends) it prints `{"parts": {"msn.part": epochMs}, "pauses": {...}}` and exits. The collections tell
 * a tail caused by the origin standing still from one caused by its work per request.
 */
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { RequestContext, Router, requestTarget, sendError } from '../../server/http/router.ts';
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

// Garbage collections by kind (V8's minor = young generation): each one stops the origin.
const collections: { kind: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) collections.push({ kind: entry.detail?.kind ?? 0, duration: entry.duration });
}).observe({ entryTypes: ['gc'] });
function pauses() {
  const summary = (kind: number) => {
    const of = collections.filter((c) => c.kind === kind);
    return { count: of.length, totalMs: Math.round(of.reduce((sum, c) => sum + c.duration, 0)), longestMs: +Math.max(0, ...of.map((c) => c.duration)).toFixed(1) };
  };
  // perf_hooks constants: 1 minor, 2 major, 4 incremental, 8 weak callbacks.
  const loopDelayMs = { p99: +(loopDelay.percentile(99) / 1e6).toFixed(1), max: +(loopDelay.max / 1e6).toFixed(1) };
  return { gc: { minor: summary(1), major: summary(2), incremental: summary(4) }, loopDelayMs };
}
// How late the origin's event loop ran a 10 ms timer: a burst of responses shows as its own length,
// a stall (the origin not running at all) as more than the longest burst.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

// The bench's measured window starts after the viewers' ramp: SIGUSR2 forgets what came before.
process.on('SIGUSR2', () => {
  collections.length = 0;
  loopDelay.reset();
});

const appeared: Record<string, number> = {};
const top = show.renditions[0]!;
top.onChange(() => {
  const last = top.lastPosition();
  if (last && appeared[`${last.msn}.${last.part}`] === undefined) appeared[`${last.msn}.${last.part}`] = now();
});

const server = createServer((req, res) => {
  void (async () => {
    try {
      const { pathname, query } = requestTarget(req.url ?? '/');
      const { handler, params } = router.match(req.method ?? 'GET', pathname);
      await handler(new RequestContext(req, res, params, query));
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

// The bench writes "window-end" when its measured window ends: the pauses are taken then, before
// the viewers' 2,000 connections close at once (that is not serving).
let measuredPauses: ReturnType<typeof pauses> | null = null;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'window-end') measuredPauses = pauses();
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  const measured = measuredPauses ?? pauses();
  void (async () => {
    await encoder.stop();
    show.end();
    server.closeAllConnections();
    server.close();
    db.close();
    process.stdout.write(`${JSON.stringify({ parts: appeared, pauses: measured })}\n`);
    process.exit(0);
  })();
}
process.on('SIGTERM', stop);
// The bench starts the origin in a session of its own (so that its priority counts), where a
// Ctrl-C does not reach it: stdin is the bench's pipe, and its end means the bench is gone.
process.stdin.on('end', stop);
