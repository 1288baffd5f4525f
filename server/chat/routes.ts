import type { RelayConfig } from '../config.ts';
import type { EventHub } from '../events/hub.ts';
import { RateLimiter, authorKey, clientAddress, shopper as identify } from '../events/shopper.ts';
import { RelayError, badRequest, conflict, notFound, unauthorized } from '../http/errors.ts';
import { JsonReply, type RequestContext, type Router } from '../http/router.ts';
import { object, roomName } from '../http/validate.ts';
import type { Room, Rooms } from '../rooms/rooms.ts';
import { isHost } from '../rooms/routes.ts';
import type { Db } from '../store/db.ts';
import { Chat } from './chat.ts';

export interface ChatDeps {
  config: RelayConfig;
  db: Db;
  rooms: Rooms;
  events: EventHub;
}

export const MAX_CHAT_LENGTH = 280;
export const MAX_NAME_LENGTH = 40;
const MAX_LIKES_PER_REQUEST = 50;
const LIKES_INTERVAL_MS = 250;
const ACTION_BODY_LIMIT = 2048;

/**
 * Chat and likes. Shoppers post with their anonymous id; the host (host key) posts as the host,
 * deletes messages, mutes authors, sets slow mode and the word blocklist. Likes are summed and
 * sent as one `likes` event a few times a second, however many hearts are tapped.
 */
export function registerChatRoutes(router: Router, deps: ChatDeps): void {
  const { config, db, rooms, events } = deps;
  const chat = new Chat(db);
  const chatPerShopper = new RateLimiter('chat messages from this shopper', 5, 0.5);
  const chatPerAddress = new RateLimiter('chat messages from this address', 200, 50);
  const likesPerShopper = new RateLimiter('likes from this shopper', 100, 20);
  const likesPerAddress = new RateLimiter('likes from this address', 5000, 2000);
  const lastMessage = new Map<string, number>();
  const pendingLikes = new Map<string, number>();
  let likesSentAt = 0;

  events.addSnapshotPart('chat', (room) => ({ messages: chat.recent(room), slowModeSeconds: chat.settings(room).slowModeSeconds }));
  events.addSnapshotPart('likes', (room) => ({ total: chat.likes(room) + (pendingLikes.get(room) ?? 0) }));
  events.onTick((now, closing) => {
    if (pendingLikes.size === 0 || (!closing && now - likesSentAt < LIKES_INTERVAL_MS)) return;
    likesSentAt = now;
    for (const [room, delta] of pendingLikes) events.publish(room, 'likes', { total: chat.addLikes(room, delta), delta });
    pendingLikes.clear();
  });

  const existing = (ctx: RequestContext): Room => {
    const name = roomName(ctx.params.room!);
    const room = rooms.get(name);
    if (!room) throw notFound(`room "${name}" does not exist`);
    return room;
  };
  const host = (ctx: RequestContext): Room => {
    if (!isHost(ctx.req, config.hostKey)) throw unauthorized('this action needs the host key as "Authorization: Bearer <key>"');
    return existing(ctx);
  };

  router.on('POST', '/v1/rooms/{room}/chat', async (ctx) => {
    const room = existing(ctx);
    if (room.status === 'ended') throw conflict('show_ended', 'the show has ended; chat is closed');
    const body = object(await ctx.json(ACTION_BODY_LIMIT));
    const text = cleanText(body.text, 'text', MAX_CHAT_LENGTH);
    if (isHost(ctx.req, config.hostKey)) {
      const name = body.name === undefined ? 'Host' : cleanText(body.name, 'name', MAX_NAME_LENGTH);
      const message = chat.add(room.name, { author: 'host', name, text, host: true });
      events.publish(room.name, 'chat', message);
      return new JsonReply(201, message);
    }
    const shopper = identify(body, config).id;
    const name = cleanText(body.name, 'name', MAX_NAME_LENGTH);
    const author = authorKey(shopper);
    const muted = chat.mutedUntil(room.name, author);
    if (muted !== null) throw new RelayError(403, 'muted', `the host has muted you until ${new Date(muted).toISOString()}`);
    const slow = chat.settings(room.name).slowModeSeconds;
    const key = `${room.name}|${author}`;
    const now = Date.now();
    const since = now - (lastMessage.get(key) ?? 0);
    if (slow > 0 && since < slow * 1000) {
      throw new RelayError(429, 'slow_mode', `slow mode is on: one message every ${slow} s; try again in ${Math.ceil((slow * 1000 - since) / 1000)} s`);
    }
    chatPerAddress.take(clientAddress(ctx.req), 1, now);
    chatPerShopper.take(shopper, 1, now);
    lastMessage.set(key, now);
    if (lastMessage.size > 100_000) lastMessage.clear();
    const message = chat.add(room.name, { author, name, text, host: false }, now);
    events.publish(room.name, 'chat', message);
    return new JsonReply(201, message);
  });

  router.on('DELETE', '/v1/rooms/{room}/chat/{id}', (ctx) => {
    const room = host(ctx);
    if (!chat.remove(room.name, ctx.params.id!)) throw notFound('no such message (or it was already deleted)');
    events.publish(room.name, 'chat-delete', { id: ctx.params.id! });
    return { deleted: ctx.params.id! };
  });

  router.on('POST', '/v1/rooms/{room}/chat/mutes', async (ctx) => {
    const room = host(ctx);
    const body = object(await ctx.json(ACTION_BODY_LIMIT));
    if (typeof body.author !== 'string' || !/^[A-Za-z0-9_-]{12}$/.test(body.author)) {
      throw badRequest('invalid_field', 'author must be the author of a chat message (12 characters)');
    }
    const minutes = body.minutes ?? 60;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw badRequest('invalid_field', 'minutes must be a whole number from 1 to 1440');
    }
    const until = Date.now() + minutes * 60_000;
    chat.mute(room.name, body.author, until);
    events.publish(room.name, 'chat-mute', { author: body.author, until });
    return { author: body.author, until };
  });

  router.on('DELETE', '/v1/rooms/{room}/chat/mutes/{author}', (ctx) => {
    const room = host(ctx);
    if (!chat.unmute(room.name, ctx.params.author!)) throw notFound('this author is not muted');
    events.publish(room.name, 'chat-unmute', { author: ctx.params.author! });
    return { author: ctx.params.author! };
  });

  router.on('GET', '/v1/rooms/{room}/chat/settings', (ctx) => chat.settings(host(ctx).name));

  router.on('PUT', '/v1/rooms/{room}/chat/settings', async (ctx) => {
    const room = host(ctx);
    const body = object(await ctx.json(16 * 1024));
    const current = chat.settings(room.name);
    const slowModeSeconds = body.slowModeSeconds ?? current.slowModeSeconds;
    if (typeof slowModeSeconds !== 'number' || !Number.isInteger(slowModeSeconds) || slowModeSeconds < 0 || slowModeSeconds > 600) {
      throw badRequest('invalid_field', 'slowModeSeconds must be a whole number from 0 (off) to 600');
    }
    const blocklist = body.blocklist ?? current.blocklist;
    if (!Array.isArray(blocklist) || blocklist.length > 500) throw badRequest('invalid_field', 'blocklist must be a list of at most 500 words');
    const words = blocklist.map((word: unknown, i) => {
      if (typeof word !== 'string' || word.trim().length < 1 || word.trim().length > 40) {
        throw badRequest('invalid_field', `blocklist[${i}] must be a word of 1-40 characters`);
      }
      return word.trim();
    });
    chat.configure(room.name, { slowModeSeconds, blocklist: words });
    events.publish(room.name, 'chat-settings', { slowModeSeconds });
    return chat.settings(room.name);
  });

  router.on('POST', '/v1/rooms/{room}/likes', async (ctx) => {
    const room = existing(ctx);
    const body = object(await ctx.json(ACTION_BODY_LIMIT));
    const shopper = identify(body, config).id;
    const count = body.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_LIKES_PER_REQUEST) {
      throw badRequest('invalid_field', `count must be a whole number from 1 to ${MAX_LIKES_PER_REQUEST}`);
    }
    likesPerAddress.take(clientAddress(ctx.req), count);
    likesPerShopper.take(shopper, count);
    pendingLikes.set(room.name, (pendingLikes.get(room.name) ?? 0) + count);
    return new JsonReply(202, { accepted: count });
  });
}

/** User text: a string, control characters removed, whitespace collapsed, not empty, not too long. */
function cleanText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw badRequest('invalid_field', `${field} must be a string`);
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') throw badRequest('invalid_field', `${field} is empty`);
  if ([...text].length > max) throw badRequest('too_long', `${field} must be at most ${max} characters, got ${[...text].length}`);
  return text;
}
