/**
 * Replays over HTTP (server/hls/replay.ts writes them):
 *   GET /v1/rooms/{room}/replays                                  the room's replays, newest first
 *   GET /v1/rooms/{room}/replays/{show}/index.m3u8                 multivariant playlist
 *   GET /v1/rooms/{room}/replays/{show}/pins                       products pinned during the show, when
 *   GET /v1/rooms/{room}/replays/{show}/{rendition}/index.m3u8     media playlist (EVENT, ENDLIST once over)
 *   GET /v1/rooms/{room}/replays/{show}/{rendition}/init-{n}.mp4, seg-{msn}.m4s
 * Media files never change, so a CDN may keep them forever; a finished replay's playlists neither.
 */
import { badRequest, notFound } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { sendFile } from '../http/static.ts';
import { roomName } from '../http/validate.ts';
import type { Product } from '../catalog/catalog.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { ReplayInfo, ReplayStore } from './replay.ts';

const SHOW_ID = /^[a-z0-9]{1,24}$/;
const RENDITION = /^[a-z0-9]{1,16}$/;
const MEDIA_FILE = /^(index\.m3u8|init-\d{1,6}\.mp4|seg-\d{1,9}\.m4s)$/;
const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

export const replayPath = (replay: ReplayInfo) => `/v1/rooms/${replay.room}/replays/${replay.id}/index.m3u8`;

export interface ReplayRoutesDeps {
  replays: ReplayStore;
  rooms: Rooms;
  /** The relay's public base URL. */
  url: string;
  /** The product as the catalog has it now (a replay sells at today's price), or null if gone. */
  product(sku: string): Product | null;
}

export function registerReplayRoutes(router: Router, deps: ReplayRoutesDeps): void {
  const { replays, rooms, url, product } = deps;

  router.on('GET', '/v1/rooms/{room}/replays', (ctx) => {
    const room = roomName(ctx.params.room!);
    if (!rooms.get(room)) throw notFound(`room "${room}" does not exist`);
    return { replays: replays.list(room).map((replay) => ({ ...replay, url: `${url}${replayPath(replay)}` })) };
  });

  router.on('GET', '/v1/rooms/{room}/replays/{show}/index.m3u8', (ctx) => {
    const replay = find(ctx.params.room!, ctx.params.show!);
    sendFile(ctx.res, replays.dir(replay.room, replay.id), 'index.m3u8', playlistHeaders(replay));
  });

  router.on('GET', '/v1/rooms/{room}/replays/{show}/pins', async (ctx) => {
    const replay = find(ctx.params.room!, ctx.params.show!);
    const pins = await replays.pins(replay.room, replay.id);
    return {
      pins: pins.flatMap((pin) => {
        const found = product(pin.sku);
        return found ? [{ ...pin, product: found }] : [];
      }),
    };
  });

  router.on('GET', '/v1/rooms/{room}/replays/{show}/{rendition}/{file}', (ctx) => {
    const replay = find(ctx.params.room!, ctx.params.show!);
    const rendition = ctx.params.rendition!;
    const file = ctx.params.file!;
    if (!RENDITION.test(rendition) || !MEDIA_FILE.test(file)) {
      throw badRequest('invalid_replay_file', `no such replay file "${rendition}/${file}": expected {rendition}/index.m3u8, init-{n}.mp4 or seg-{msn}.m4s`);
    }
    const headers = file === 'index.m3u8'
      ? playlistHeaders(replay)
      : { 'content-type': 'video/mp4', 'cache-control': 'public, max-age=31536000, immutable' };
    sendFile(ctx.res, replays.dir(replay.room, replay.id), `${rendition}/${file}`, headers);
  });

  function find(rawRoom: string, show: string): ReplayInfo {
    const room = roomName(rawRoom);
    if (!SHOW_ID.test(show)) throw badRequest('invalid_show', `show ids are 1-24 characters of a-z and 0-9; got "${show.slice(0, 40)}"`);
    const replay = replays.get(room, show);
    if (!replay) throw notFound(`room "${room}" has no replay "${show}"`);
    return replay;
  }
}

/** A playlist still being recorded changes every segment; a finished one never again. */
function playlistHeaders(replay: ReplayInfo): Record<string, string> {
  return { 'content-type': PLAYLIST_TYPE, 'cache-control': replay.endedAt === null ? 'public, max-age=1' : 'public, max-age=86400' };
}
