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
import { blockedRequests } from './blocking.ts';
import type { Part, Rendition } from './rendition.ts';

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
    sendOnce(ctx, PLAYLIST_TYPE, body, show.ended ? 'public, max-age=60' : 'public, max-age=1');
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
      return sendOnce(ctx, PLAYLIST_TYPE, classicPlaylist(rendition), rendition.ended ? 'public, max-age=86400' : 'public, max-age=2');
    }
    let match: RegExpExecArray | null;
    if ((match = PART_FILE.exec(file))) return servePart(ctx, rendition, Number(match[1]), Number(match[2]));
    if ((match = SEGMENT_FILE.exec(file))) {
      const segment = rendition.findSegment(Number(match[1]));
      if (!segment?.data) throw notFound(`segment ${match[1]} is not available`);
      return sendOnce(ctx, 'video/mp4', segment.data, IMMUTABLE);
    }
    if ((match = CLASSIC_FILE.exec(file))) {
      const group = classicSegments(rendition).find((g) => g.group === Number(match![1]));
      if (!group || group.segments.some((s) => !s.data)) throw notFound(`classic segment ${match[1]} is not available`);
      return sendOnce(ctx, 'video/mp4', Buffer.concat(group.segments.map((s) => s.data!)), IMMUTABLE);
    }
    if ((match = INIT_FILE.exec(file))) {
      const init = rendition.inits.get(Number(match[1]));
      if (!init) throw notFound(`init segment ${match[1]} is not available`);
      return sendOnce(ctx, 'video/mp4', init, IMMUTABLE);
    }
    throw notFound(`no such HLS file: ${file}`);
  });
}

// File names and directive values, matched once per request (module-level: a literal is a new RegExp each time).
const PART_FILE = /^part-(\d{1,9})\.(\d{1,4})\.m4s$/;
const SEGMENT_FILE = /^seg-(\d{1,9})\.m4s$/;
const CLASSIC_FILE = /^classic-(\d{1,9})\.m4s$/;
const INIT_FILE = /^init-(\d{1,6})\.mp4$/;
const DIRECTIVE_NUMBER = /^\d{1,9}$/;

/** Reads `_HLS_msn`, `_HLS_part` and `_HLS_skip` (rfc8216bis 6.2.5), rejecting malformed ones with 400. */
function directives(query: URLSearchParams): { msn: number | null; part: number | null; skip: boolean } {
  const msn = directiveNumber(query, '_HLS_msn');
  const part = directiveNumber(query, '_HLS_part');
  if (part !== null && msn === null) throw badRequest('invalid_hls_directive', '_HLS_part needs _HLS_msn');
  const skip = query.get('_HLS_skip');
  if (skip !== null && skip !== 'YES' && skip !== 'v2') throw badRequest('invalid_hls_directive', `_HLS_skip must be YES or v2, got "${skip.slice(0, 20)}"`);
  return { msn, part, skip: skip !== null };
}

function directiveNumber(query: URLSearchParams, name: string): number | null {
  const raw = query.get(name);
  if (raw === null) return null;
  if (!DIRECTIVE_NUMBER.test(raw)) throw badRequest('invalid_hls_directive', `${name} must be a non-negative integer, got "${raw.slice(0, 20)}"`);
  return Number(raw);
}

async function servePlaylist(ctx: RequestContext, show: Show, rendition: Rendition): Promise<void> {
  const { msn, part, skip } = directives(ctx.query);
  if (msn !== null && !rendition.ended) {
    // rfc8216bis 6.2.5.2: more than two beyond the last Media Sequence Number is a client error.
    const lastMsn = rendition.lastPosition()?.msn ?? 0;
    if (msn > lastMsn + 2) throw badRequest('hls_msn_too_far', `_HLS_msn=${msn} is more than two segments beyond the playlist (last ${rendition.lastPosition() ? lastMsn : 'none'})`);
    const limitMs = rendition.timing.targetDuration * 3 * 1000;
    const ok = await blockedRequests(rendition).wait(ctx.res, part !== null ? 'part' : 'segment', msn, part ?? 0, limitMs);
    if (!ok) throw unavailable('hls_blocked_too_long', `segment ${msn}${part !== null ? ` part ${part}` : ''} did not appear within ${limitMs} ms`);
  }
  const playlist = cachedPlaylist(show, rendition, skip);
  // A blocking response names a point in the stream, so a CDN may keep it; a plain reload may not go stale.
  send(ctx, msn !== null ? playlist.blocking : playlist.plain, playlist.body);
}

interface RenderedPlaylist {
  body: Buffer;
  blocking: HeaderLists;
  plain: HeaderLists;
}

/**
 * Every viewer blocked on the same part is answered at the same moment with the same bytes, so a
 * playlist is written (and encoded, with its headers) once per change of the show (a rendition
 * report may change it too) and per variant, full or delta.
 */
const playlistCache = new WeakMap<Rendition, { showVersion: number; full?: RenderedPlaylist; delta?: RenderedPlaylist }>();
function cachedPlaylist(show: Show, rendition: Rendition, skip: boolean): RenderedPlaylist {
  // Versions only grow, so their sum changes whenever any rendition changed.
  let showVersion = 0;
  for (const r of show.renditions) showVersion += r.version;
  let entry = playlistCache.get(rendition);
  if (entry?.showVersion !== showVersion) {
    entry = { showVersion };
    playlistCache.set(rendition, entry);
  }
  const variant = skip ? 'delta' : 'full';
  let rendered = entry[variant];
  if (rendered === undefined) {
    const reports = show.renditions.filter((r) => r !== rendition).map((r) => ({ uri: `../${r.name}/index.m3u8`, rendition: r }));
    const body = Buffer.from(mediaPlaylist(rendition, { skip, reports }));
    const ended = rendition.ended;
    rendered = {
      body,
      blocking: headerLists(PLAYLIST_TYPE, body.length, ended ? 'public, max-age=86400' : `public, max-age=${rendition.timing.targetDuration * 6}`),
      plain: headerLists(PLAYLIST_TYPE, body.length, ended ? 'public, max-age=86400' : 'public, max-age=1'),
    };
    entry[variant] = rendered;
  }
  return rendered;
}

function servePart(ctx: RequestContext, rendition: Rendition, msn: number, index: number): void | Promise<void> {
  const part = findPart(rendition, msn, index);
  if (part) return send(ctx, partHeaders(part), part.data);
  // The hinted part (EXT-X-PRELOAD-HINT) is answered as soon as it is complete.
  if (rendition.ended || msn !== rendition.nextPartMsn || index !== rendition.nextPartIndex) throw notFound(`part ${msn}.${index} is not available`);
  return (async () => {
    const limitMs = rendition.timing.targetDuration * 3 * 1000;
    const ok = await blockedRequests(rendition).wait(ctx.res, 'part-bytes', msn, index, limitMs);
    if (!ok) throw unavailable('hls_blocked_too_long', `part ${msn}.${index} did not appear within ${limitMs} ms`);
    const made = findPart(rendition, msn, index);
    if (!made) throw notFound(`part ${msn}.${index} is not available`);
    send(ctx, partHeaders(made), made.data);
  })();
}

function findPart(rendition: Rendition, msn: number, index: number): Part | undefined {
  const part = rendition.findSegment(msn)?.parts[index];
  return part && part.data.length > 0 ? part : undefined;
}

/** A part is fetched by every viewer, so its headers are built once, with it. */
const partHeaderCache = new WeakMap<Part, HeaderLists>();
function partHeaders(part: Part): HeaderLists {
  let headers = partHeaderCache.get(part);
  if (!headers) {
    headers = headerLists('video/mp4', part.data.length, IMMUTABLE);
    partHeaderCache.set(part, headers);
  }
  return headers;
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

/**
 * Response headers as flat lists for writeHead, which takes them without a per-request object:
 * one with `access-control-allow-origin: *`, one without for when the relay's CORS already
 * answered the page's own origin.
 */
type HeaderList = (string | number)[];
interface HeaderLists {
  anyOrigin: HeaderList;
  corsSet: HeaderList;
}

function headerLists(type: string, length: number, cacheControl: string): HeaderLists {
  const corsSet = ['content-type', type, 'content-length', length, 'cache-control', cacheControl];
  return { anyOrigin: [...corsSet, 'access-control-allow-origin', '*'], corsSet };
}

function send(ctx: RequestContext, headers: HeaderLists, body: Buffer): void {
  const res: ServerResponse = ctx.res;
  if (res.destroyed) return;
  res.writeHead(200, res.hasHeader('access-control-allow-origin') ? headers.corsSet : headers.anyOrigin);
  res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

/** A body sent once in a while (multivariant, classic, init, segments): its headers are built for it. */
function sendOnce(ctx: RequestContext, type: string, body: string | Buffer, cacheControl: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  send(ctx, headerLists(type, bytes.length, cacheControl), bytes);
}
