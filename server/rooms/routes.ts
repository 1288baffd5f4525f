import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RelayConfig } from '../config.ts';
import type { EventHub } from '../events/hub.ts';
import { badRequest, conflict, notFound, unauthorized } from '../http/errors.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { object, optionalTime, optionalUrl, requiredString, roomName } from '../http/validate.ts';
import { HOST_IDENTITY_PREFIX, type LiveKit } from '../livekit/livekit.ts';
import type { Room, Rooms } from './rooms.ts';

/** How long a host may be gone (network change, reload) before the show counts as ended. */
export const HOST_GRACE_MS = 30_000;

export interface RoomRoutesDeps {
  config: RelayConfig;
  rooms: Rooms;
  livekit: LiveKit;
  events: EventHub;
  /** LL-HLS hints (server/hls); without them the room info offers WebRTC only. */
  player?: PlayerHints;
}

/** What the relay tells players beyond WebRTC: the LL-HLS URL and whether WebRTC is full. */
export interface PlayerHints {
  hlsUrl(room: Room): string | null;
  /** The newest complete recording of the room (server/hls/replay.ts), or null. */
  replayUrl(room: Room): string | null;
  webrtcFull(room: Room, viewers: number): boolean;
}

/** What any page may know about a room: no secrets, enough for a player to choose its path. */
export function publicRoom(room: Room, events: EventHub, hints?: PlayerHints) {
  const live = room.status === 'live';
  const viewers = events.viewers(room.name);
  const hlsUrl = live ? (hints?.hlsUrl(room) ?? null) : null;
  // When WebRTC is full, players are told to take LL-HLS (if there is one).
  const webrtcFull = live && hlsUrl !== null && (hints?.webrtcFull(room, viewers) ?? false);
  return {
    room: room.name,
    title: room.title,
    poster: room.poster,
    status: room.status,
    scheduledAt: room.scheduledAt,
    startedAt: room.startedAt,
    endedAt: room.endedAt,
    viewers,
    hlsUrl,
    replayUrl: hints?.replayUrl(room) ?? null,
    player: { transports: live ? [...(webrtcFull ? [] : ['webrtc']), ...(hlsUrl ? ['hls'] : [])] : [], webrtcFull },
  };
}

export function isHost(req: IncomingMessage, hostKey: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(hostKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function registerRoomRoutes(router: Router, deps: RoomRoutesDeps): void {
  const { config, rooms, livekit, events, player } = deps;
  const hostGone = new Map<string, NodeJS.Timeout>();

  const requireHost = (ctx: RequestContext): void => {
    if (!isHost(ctx.req, config.hostKey)) throw unauthorized('this action needs the host key as "Authorization: Bearer <key>"');
  };
  const existing = (ctx: RequestContext): Room => {
    const name = roomName(ctx.params.room!);
    const room = rooms.get(name);
    if (!room) throw notFound(`room "${name}" does not exist; a host creates it with PUT /v1/rooms/${name}`);
    return room;
  };

  rooms.onStatus((room) => events.publish(room.name, 'status', publicRoom(room, events, player)));

  router.on('GET', '/v1/rooms/{room}', (ctx) => publicRoom(existing(ctx), events, player));

  router.on('PUT', '/v1/rooms/{room}', async (ctx) => {
    requireHost(ctx);
    const name = roomName(ctx.params.room!);
    const body = object(await ctx.json());
    const room = rooms.upsert(name, {
      title: requiredString(body, 'title', 200),
      poster: optionalUrl(body, 'poster'),
      scheduledAt: optionalTime(body, 'scheduledAt'),
    });
    return publicRoom(room, events, player);
  });

  router.on('POST', '/v1/rooms/{room}/viewer-token', async (ctx) => {
    const room = existing(ctx);
    if (room.status === 'ended') throw conflict('show_ended', 'the show has ended');
    if (room.status !== 'live') throw conflict('not_live', 'the show is not live yet');
    const minted = await livekit.viewerToken(room.name, config.viewerTokenTtlSeconds);
    return { ...minted, room: room.name };
  });

  router.on('POST', '/v1/rooms/{room}/host-token', async (ctx) => {
    requireHost(ctx);
    const room = existing(ctx);
    return { ...(await livekit.hostToken(room.name, config.hostTokenTtlSeconds)), room: room.name };
  });

  router.on('POST', '/v1/rooms/{room}/end', async (ctx) => {
    requireHost(ctx);
    const room = existing(ctx);
    clearTimeout(hostGone.get(room.name));
    const ended = rooms.setStatus(room.name, 'ended') ?? room;
    await livekit.closeRoom(room.name);
    return publicRoom(ended, events, player);
  });

  router.on('POST', '/v1/livekit/webhook', async (ctx) => {
    const body = await ctx.text();
    let event;
    try {
      event = await livekit.receiveWebhook(body, ctx.req.headers.authorization);
    } catch (error) {
      throw unauthorized(`webhook signature rejected: ${(error as Error).message}`);
    }
    const name = event.room?.name;
    if (!name) return { handled: false };
    const room = rooms.get(name);
    if (!room) return { handled: false };
    const fromHost = event.participant?.identity.startsWith(HOST_IDENTITY_PREFIX) ?? false;
    switch (event.event) {
      case 'track_published':
        if (fromHost) {
          clearTimeout(hostGone.get(name));
          rooms.setStatus(name, 'live');
        }
        break;
      case 'participant_left':
        if (fromHost && room.status === 'live') {
          clearTimeout(hostGone.get(name));
          hostGone.set(name, setTimeout(() => rooms.setStatus(name, 'ended'), HOST_GRACE_MS).unref());
        }
        break;
      case 'room_finished':
        if (room.status === 'live') rooms.setStatus(name, 'ended');
        break;
      default:
        break;
    }
    return { handled: true };
  });

  router.on('GET', '/v1/rooms/{room}/events', () => {
    throw badRequest('upgrade_required', 'this endpoint is a WebSocket: connect with an Upgrade: websocket request');
  });
}
