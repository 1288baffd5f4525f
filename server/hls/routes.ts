/**
 * The relay as an LL-HLS origin:
 *   GET /v1/rooms/{room}/hls/index.m3u8                       multivariant playlist of the current show
 *   GET /v1/rooms/{room}/hls/{show}/{rendition}/index.m3u8    media playlist (blocking reload, delta updates)
 *   GET /v1/rooms/{room}/hls/{show}/{rendition}/init-{n}.mp4  init segment of encoder run n
 *   GET /v1/rooms/{room}/hls/{show}/{rendition}/part-{msn}.{i}.m4s, seg-{msn}.m4s
 *   GET /v1/rooms/{room}/hls/classic.m3u8, .../{rendition}/classic.m3u8, classic-{n}.m4s
 *       the same show as classic HLS with 6 s segments, for players without LL-HLS and for comparison
 * Media URLs carry the show id, so their bytes never change and a CDN may keep them forever.
 */
import type { ServerResponse } from 'node:http';
import { badRequest, notFound, unavailable } from '../http/errors.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { roomName } from '../http/validate.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { HlsOrigin, Show } from './origin.ts';
import { classicPlaylist, classicSegments, mediaPlaylist, multivariantPlaylist } from './playlist.ts';
import type { Position, Rendition } from './rendition.ts';

export interface HlsRoutesDeps {
  origin: HlsOrigin;
  rooms: Rooms;
}

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** How long the multivariant playlist waits for a just-started show's first parts. */
const SHOW_START_WAIT_MS = 8000;

export const hlsPath = (room: string) => `/v1/rooms/${room}/hls/index.m3u8`;

export function registerHlsRoutes(router: Router, deps: HlsRoutesDeps): void {
  const { origin, rooms } = deps;

  for (const [file, media] of [['index.m3u8', 'index.m3u8'], ['classic.m3u8', 'classic.m3u8']] as const) {
    router.on('GET', `/v1/rooms/{room}/hls/${file}`, (ctx) => serveMultivariant(ctx, media));
  }

  async function serveMultivariant(ctx: RequestContext, media: string): Promise<void> {
    const room = roomName(ctx.params.room!);
    if (!rooms.get(room)) throw notFound(`room "${room}" does not exist`);
    let show = origin.get(room);
    if (!show?.ready && rooms.get(room)?.status === 'live') {
      await waitFor(ctx.res, (wake) => subscribeShow(origin, room, wake), () => origin.get(room)?.ready === true, SHOW_START_WAIT_MS);
      show = origin.get(room);
    }
    if (!show) throw notFound(`room "${room}" has no HLS stream: it is not live`);
    if (!show.ready) throw unavailable('hls_starting', 'the stream is starting; retry in a second');
    const body = multivariantPlaylist(show.renditions, (r) => `${show.id}/${r.name}/${media}`);
    send(ctx, 200, PLAYLIST_TYPE, body, show.ended ? 'public, max-age=60' : 'public, max-age=1');
  }

  router.on('GET', '/v1/rooms/{room}/hls/{show}/{rendition}/{file}', async (ctx) => {
    const room = roomName(ctx.params.room!);
    const show = origin.get(room);
    if (!show || show.id !== ctx.params.show) throw notFound(`no show "${ctx.params.show}" in room "${room}"`);
    const rendition = show.rendition(ctx.params.rendition!);
    if (!rendition) throw notFound(`no rendition "${ctx.params.rendition}"`);
    const file = ctx.params.file!;
    if (file === 'index.m3u8') return servePlaylist(ctx, show, rendition);
    if (file === 'classic.m3u8') {
      return send(ctx, 200, PLAYLIST_TYPE, classicPlaylist(rendition), rendition.ended ? 'public, max-age=86400' : 'public, max-age=2');
    }
    let match: RegExpExecArray | null;
    if ((match = /^part-(\d{1,9})\.(\d{1,4})\.m4s$/.exec(file))) return servePart(ctx, rendition, Number(match[1]), Number(match[2]));
    if ((match = /^seg-(\d{1,9})\.m4s$/.exec(file))) {
      const segment = rendition.findSegment(Number(match[1]));
      if (!segment?.data) throw notFound(`segment ${match[1]} is not available`);
      return send(ctx, 200, 'video/mp4', segment.data, IMMUTABLE);
    }
    if ((match = /^classic-(\d{1,9})\.m4s$/.exec(file))) {
      const group = classicSegments(rendition).find((g) => g.group === Number(match![1]));
      if (!group || group.segments.some((s) => !s.data)) throw notFound(`classic segment ${match[1]} is not available`);
      return send(ctx, 200, 'video/mp4', Buffer.concat(group.segments.map((s) => s.data!)), IMMUTABLE);
    }
    if ((match = /^init-(\d{1,6})\.mp4$/.exec(file))) {
      const init = rendition.inits.get(Number(match[1]));
      if (!init) throw notFound(`init segment ${match[1]} is not available`);
      return send(ctx, 200, 'video/mp4', init, IMMUTABLE);
    }
    throw notFound(`no such HLS file: ${file}`);
  });
}

/** Reads `_HLS_msn`, `_HLS_part` and `_HLS_skip` (rfc8216bis 6.2.5), rejecting malformed ones with 400. */
function directives(url: URL): { msn: number | null; part: number | null; skip: boolean } {
  const number = (name: string): number | null => {
    const raw = url.searchParams.get(name);
    if (raw === null) return null;
    if (!/^\d{1,9}$/.test(raw)) throw badRequest('invalid_hls_directive', `${name} must be a non-negative integer, got "${raw.slice(0, 20)}"`);
    return Number(raw);
  };
  const msn = number('_HLS_msn');
  const part = number('_HLS_part');
  if (part !== null && msn === null) throw badRequest('invalid_hls_directive', '_HLS_part needs _HLS_msn');
  const skip = url.searchParams.get('_HLS_skip');
  if (skip !== null && skip !== 'YES' && skip !== 'v2') throw badRequest('invalid_hls_directive', `_HLS_skip must be YES or v2, got "${skip.slice(0, 20)}"`);
  return { msn, part, skip: skip !== null };
}

const atOrAfter = (have: Position | null, msn: number, part: number) => have !== null && (have.msn > msn || (have.msn === msn && have.part >= part));

async function servePlaylist(ctx: RequestContext, show: Show, rendition: Rendition): Promise<void> {
  const { msn, part, skip } = directives(ctx.url);
  const blockLimitMs = rendition.timing.targetDuration * 3 * 1000;
  if (msn !== null && !rendition.ended) {
    const last = rendition.lastPosition();
    // rfc8216bis 6.2.5.2: more than two beyond the last Media Sequence Number is a client error.
    if (msn > (last?.msn ?? 0) + 2) throw badRequest('hls_msn_too_far', `_HLS_msn=${msn} is more than two segments beyond the playlist (last ${last?.msn ?? 'none'})`);
    const satisfied = part !== null
      ? () => rendition.ended || atOrAfter(rendition.lastPosition(), msn, part)
      : () => rendition.ended || (rendition.segments.at(-1)?.msn ?? -1) >= msn;
    const ok = await waitFor(ctx.res, (wake) => rendition.onChange(wake), satisfied, blockLimitMs);
    if (!ok) throw unavailable('hls_blocked_too_long', `segment ${msn}${part !== null ? ` part ${part}` : ''} did not appear within ${blockLimitMs} ms`);
  }
  const body = cachedPlaylist(show, rendition, skip);
  // A blocking response names a point in the stream, so a CDN may keep it; a plain reload may not go stale.
  const cache = rendition.ended ? 'public, max-age=86400' : msn !== null ? `public, max-age=${rendition.timing.targetDuration * 6}` : 'public, max-age=1';
  send(ctx, 200, PLAYLIST_TYPE, body, cache);
}

/**
 * Every viewer blocked on the same part is answered at the same moment with the same text, so it
 * is written once per change of the show (a rendition report may change it too) and per variant.
 */
const playlistCache = new WeakMap<Rendition, { key: string; full?: string; delta?: string }>();
function cachedPlaylist(show: Show, rendition: Rendition, skip: boolean): string {
  const key = show.renditions.map((r) => r.version).join('.');
  let entry = playlistCache.get(rendition);
  if (entry?.key !== key) {
    entry = { key };
    playlistCache.set(rendition, entry);
  }
  const variant = skip ? 'delta' : 'full';
  if (entry[variant] === undefined) {
    const reports = show.renditions.filter((r) => r !== rendition).map((r) => ({ uri: `../${r.name}/index.m3u8`, rendition: r }));
    entry[variant] = mediaPlaylist(rendition, { skip, reports });
  }
  return entry[variant];
}

async function servePart(ctx: RequestContext, rendition: Rendition, msn: number, index: number): Promise<void> {
  const find = () => {
    const part = rendition.findSegment(msn)?.parts[index];
    return part && part.data.length > 0 ? part : undefined;
  };
  let part = find();
  // The hinted part (EXT-X-PRELOAD-HINT) is answered as soon as it is complete.
  if (!part && !rendition.ended && msn === rendition.nextPartMsn && index === rendition.nextPartIndex) {
    const gone = () => rendition.ended || rendition.nextPartMsn > msn;
    const limitMs = rendition.timing.targetDuration * 3 * 1000;
    const ok = await waitFor(ctx.res, (wake) => rendition.onChange(wake), () => find() !== undefined || gone(), limitMs);
    if (!ok) throw unavailable('hls_blocked_too_long', `part ${msn}.${index} did not appear within ${limitMs} ms`);
    part = find();
  }
  if (!part) throw notFound(`part ${msn}.${index} is not available`);
  send(ctx, 200, 'video/mp4', part.data, IMMUTABLE);
}

function subscribeShow(origin: HlsOrigin, room: string, wake: () => void): () => void {
  let unsubscribeRendition: (() => void)[] = [];
  const watch = () => {
    for (const off of unsubscribeRendition) off();
    unsubscribeRendition = (origin.get(room)?.renditions ?? []).map((r) => r.onChange(wake));
  };
  watch();
  const offShow = origin.onShow((show) => {
    if (show.room !== room) return;
    watch();
    wake();
  });
  return () => {
    offShow();
    for (const off of unsubscribeRendition) off();
  };
}

/**
 * Holds a request until `ready()` is true (checked after every change), the time limit passes
 * (false), or the client goes away (false, seen as the response closing). Every listener and timer is released either way.
 */
function waitFor(res: ServerResponse, subscribe: (wake: () => void) => () => void, ready: () => boolean, limitMs: number): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (value: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      res.off('close', onClose);
      resolve(value);
    };
    const onClose = () => finish(false);
    const timer = setTimeout(() => finish(false), limitMs);
    const unsubscribe = subscribe(() => {
      if (ready()) finish(true);
    });
    res.on('close', onClose);
  });
}

function send(ctx: RequestContext, status: number, type: string, body: string | Buffer, cacheControl: string): void {
  const res: ServerResponse = ctx.res;
  if (res.destroyed) return;
  if (!res.hasHeader('access-control-allow-origin')) res.setHeader('access-control-allow-origin', '*');
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cacheControl,
  });
  res.end(ctx.req.method === 'HEAD' ? undefined : body);
}
