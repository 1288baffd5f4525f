import type { Catalog } from '../catalog/catalog.ts';
import type { RelayConfig } from '../config.ts';
import type { EventHub } from '../events/hub.ts';
import { RateLimiter, claimant, clientAddress, idempotencyKey } from '../events/shopper.ts';
import { badRequest, conflict, notFound, unauthorized } from '../http/errors.ts';
import { JsonReply, type RequestContext, type Router } from '../http/router.ts';
import { object, roomName } from '../http/validate.ts';
import type { Room, Rooms } from '../rooms/rooms.ts';
import { isHost } from '../rooms/routes.ts';
import type { Db } from '../store/db.ts';
import { Coupons, couponInput } from './coupons.ts';
import { FlashSales, flashSaleInput } from './flash-sales.ts';
import { Idempotency } from './idempotency.ts';
import { Pins } from './pins.ts';

export interface CommerceDeps {
  config: RelayConfig;
  db: Db;
  rooms: Rooms;
  events: EventHub;
  catalog: Catalog;
}

/** How far a pin's capture time may be from the relay's clock (studio clocks drift a little). */
const PIN_CLOCK_SKEW_MS = 60_000;
const ACTION_BODY_LIMIT = 2048;

/**
 * Pins, flash sales and coupons: host actions under `/v1/rooms/{room}/...` with the host key,
 * shopper claims with their anonymous id and an optional Idempotency-Key. Every change becomes
 * an event on the room's stream; the snapshot carries the current state.
 */
/** The studio's capture time of a host action (epoch ms), or now; refused when far from the relay's clock. */
function captureTime(value: unknown): number {
  const now = Date.now();
  if (value === undefined) return now;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value - now) > PIN_CLOCK_SKEW_MS) {
    throw badRequest('invalid_field', `at must be the capture time in epoch ms, within ${PIN_CLOCK_SKEW_MS / 1000} s of the relay's clock`);
  }
  return Math.round(value);
}

/** The routes, plus the room's pins (the replay recorder starts from them) and a close for the timers. */
export function registerCommerceRoutes(router: Router, deps: CommerceDeps): { pins: Pins; close(): void } {
  const { config, db, rooms, events, catalog } = deps;
  const pins = new Pins(db, catalog);
  const sales = new FlashSales(db, catalog);
  const coupons = new Coupons(db);
  const idempotency = new Idempotency(db);
  const perShopper = new RateLimiter('claims from this shopper', 5, 1);
  const perAddress = new RateLimiter('claims from this address', 2000, 500);
  const timers = new Set<NodeJS.Timeout>();

  events.addSnapshotPart('pins', (room) => pins.list(room));
  events.addSnapshotPart('flashSales', (room) => sales.open(room));
  events.addSnapshotPart('coupons', (room) => coupons.current(room));

  const at = (when: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, Math.max(0, Math.min(when - Date.now(), 2 ** 31 - 1)));
    timer.unref();
    timers.add(timer);
  };
  const endSaleAt = (room: string, id: string, endsAt: number): void =>
    at(endsAt, () => {
      const open = sales.get(room, id);
      if (open && open.status !== 'ended') return endSaleAt(room, id, open.endsAt); // still running: its end moved
      events.publish(room, 'flash-sale', sales.stop(room, id));
    });
  const expireCouponAt = (room: string, id: string, expiresAt: number): void =>
    at(expiresAt, () => {
      const coupon = coupons.get(room, id);
      if (coupon) events.publish(room, 'coupon', coupon);
    });
  // What a show pinned and put on sale belongs to that show: when it ends, it is taken down.
  rooms.onStatus((room) => {
    if (room.status !== 'ended') return;
    const at = Date.now();
    for (const pin of pins.list(room.name)) {
      pins.unpin(room.name, pin.sku);
      events.publish(room.name, 'unpin', { sku: pin.sku, at });
    }
    for (const sale of sales.open(room.name)) events.publish(room.name, 'flash-sale', sales.stop(room.name, sale.id));
  });
  // A restart re-arms what was running; sales that ended while the relay was down are closed now.
  for (const sale of sales.allOpen()) endSaleAt(sale.room, sale.id, sale.endsAt);
  for (const coupon of coupons.allCurrent()) expireCouponAt(coupon.room, coupon.id, coupon.expiresAt);

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
  /** A shopper's claim: rate-limited, then checked and counted in one immediate transaction. */
  const claim = async (ctx: RequestContext, kind: string, action: (room: Room, shopper: string) => unknown): Promise<JsonReply> => {
    const room = existing(ctx);
    const body = object(await ctx.json(ACTION_BODY_LIMIT));
    const shopper = claimant(body, config);
    const key = idempotencyKey(ctx.req, body);
    const scope = `${kind}:${room.name}:${ctx.params.id}:${shopper}`;
    const replay = idempotency.kept(scope, key);
    if (!replay) {
      perAddress.take(clientAddress(ctx.req));
      perShopper.take(shopper);
    }
    const outcome = replay ?? db.transaction(() => idempotency.run(scope, key, () => action(room, shopper))).immediate();
    return new JsonReply(outcome.status, outcome.body, outcome.replayed ? { 'idempotent-replayed': 'true' } : {});
  };

  router.on('GET', '/v1/rooms/{room}/pins', (ctx) => ({ pins: pins.list(existing(ctx).name) }));

  router.on('PUT', '/v1/rooms/{room}/pins/{sku}', async (ctx) => {
    const room = host(ctx);
    const body = object(await ctx.json(ACTION_BODY_LIMIT));
    const pin = pins.pin(room.name, ctx.params.sku!, captureTime(body.at));
    events.publish(room.name, 'pin', pin);
    return pin;
  });

  router.on('DELETE', '/v1/rooms/{room}/pins/{sku}', (ctx) => {
    const room = host(ctx);
    const at = captureTime(ctx.query.has('at') ? Number(ctx.query.get('at')) : undefined);
    pins.unpin(room.name, ctx.params.sku!);
    const event = events.publish(room.name, 'unpin', { sku: ctx.params.sku!, at });
    return event.data;
  });

  router.on('POST', '/v1/rooms/{room}/flash-sales', async (ctx) => {
    const room = host(ctx);
    const sale = sales.start(room.name, flashSaleInput(object(await ctx.json(ACTION_BODY_LIMIT))));
    events.publish(room.name, 'flash-sale', sale);
    endSaleAt(room.name, sale.id, sale.endsAt);
    return new JsonReply(201, sale);
  });

  router.on('POST', '/v1/rooms/{room}/flash-sales/{id}/stop', (ctx) => {
    const room = host(ctx);
    const sale = sales.stop(room.name, ctx.params.id!);
    events.publish(room.name, 'flash-sale', sale);
    return sale;
  });

  router.on('POST', '/v1/rooms/{room}/flash-sales/{id}/claim', (ctx) =>
    claim(ctx, 'flash-sale', (room, shopper) => {
      if (room.status === 'ended') throw conflict('show_ended', 'the show has ended');
      const before = sales.get(room.name, ctx.params.id!)?.remaining;
      const result = sales.claim(room.name, ctx.params.id!, shopper);
      if (result.sale.remaining !== before) events.publish(room.name, 'flash-sale', result.sale);
      return result;
    }),
  );

  router.on('POST', '/v1/rooms/{room}/coupons', async (ctx) => {
    const room = host(ctx);
    const coupon = coupons.create(room.name, couponInput(object(await ctx.json(ACTION_BODY_LIMIT))));
    events.publish(room.name, 'coupon', coupon);
    expireCouponAt(room.name, coupon.id, coupon.expiresAt);
    return new JsonReply(201, coupon);
  });

  router.on('POST', '/v1/rooms/{room}/coupons/{id}/claim', (ctx) =>
    claim(ctx, 'coupon', (room, shopper) => {
      const before = coupons.get(room.name, ctx.params.id!)?.remaining;
      const result = coupons.claim(room.name, ctx.params.id!, shopper);
      if (result.coupon.remaining !== before) events.publish(room.name, 'coupon', result.coupon);
      return result;
    }),
  );

  /** For `<live-shop product="SKU">`: the live shows featuring this product now. */
  router.on('GET', '/v1/live', (ctx) => {
    const sku = ctx.query.get('product') ?? '';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sku)) throw badRequest('invalid_product', 'product must be a sku: 1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"');
    const live = pins
      .roomsFeaturing(sku)
      .map((name) => rooms.get(name))
      .filter((room): room is Room => room?.status === 'live')
      .map((room) => ({ room: room.name, title: room.title, viewers: events.viewers(room.name) }));
    return { product: sku, live };
  });

  return {
    pins,
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
