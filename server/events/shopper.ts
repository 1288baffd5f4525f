import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RelayConfig } from '../config.ts';
import { RelayError, badRequest, tooMany } from '../http/errors.ts';

/**
 * Who a shopper is. By default shoppers are anonymous: the widget keeps a random id in
 * localStorage and sends it with each action, so "one coupon each" means one per browser. A shop
 * that signs its customers in can say who they are: its server signs the customer's id with
 * LIVE_SHOP_SHOPPER_SECRET (see {@link signShopperToken}) and puts the token on the page
 * (`<live-shop shopper-token>`); the widget sends it along and that customer is then one shopper
 * on every device. The id is never shown to anyone; others see `author`, a one-way digest of
 * it, which is also what the host mutes.
 */
const SHOPPER_ID = /^[A-Za-z0-9_-]{8,64}$/;
const SHOPPER_TOKEN = /^([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export type ShopperSettings = Pick<RelayConfig, 'shopperSecret' | 'claims'>;

export interface Shopper {
  /** `shop:<customer id>` for a signed-in customer, else the widget's anonymous id. */
  id: string;
  signedIn: boolean;
}

export function shopper(body: Record<string, unknown>, settings: ShopperSettings, now = Date.now()): Shopper {
  const token = body.shopperToken;
  if (token === undefined || token === null || token === '') return { id: anonymousId(body), signedIn: false };
  if (!settings.shopperSecret) {
    throw badRequest('shopper_tokens_off', 'this relay has no LIVE_SHOP_SHOPPER_SECRET, so it cannot check shopper tokens; leave shopperToken out');
  }
  const match = typeof token === 'string' ? SHOPPER_TOKEN.exec(token) : null;
  if (!match) throw unsignedIn('invalid_shopper_token', 'shopperToken must be "<customer id>.<expiry in epoch seconds>.<signature>" as the shop signs it');
  const [, customer, expires, signature] = match;
  if (!timingSafeEqual(Buffer.from(signature!), Buffer.from(sign(settings.shopperSecret, `${customer}.${expires}`)))) {
    throw unsignedIn('invalid_shopper_token', "shopperToken is not signed with this relay's LIVE_SHOP_SHOPPER_SECRET");
  }
  if (Number(expires) * 1000 <= now) throw unsignedIn('shopper_token_expired', "the shop's sign-in has expired; reload the page");
  return { id: `shop:${customer}`, signedIn: true };
}

/** The shopper of a claim: with LIVE_SHOP_CLAIMS=signed-in, only a customer the shop signed in. */
export function claimant(body: Record<string, unknown>, settings: ShopperSettings): string {
  const who = shopper(body, settings);
  if (settings.claims === 'signed-in' && !who.signedIn) throw unsignedIn('sign_in_required', 'sign in to the shop to claim this');
  return who.id;
}

/**
 * What a shop's server puts on the page for a signed-in customer: their id (1-64 characters of
 * A-Z, a-z, 0-9, "_" and "-"), when the token expires (epoch seconds) and an HMAC-SHA256 of both.
 */
export function signShopperToken(secret: string, customer: string, expiresAtSeconds: number): string {
  const payload = `${customer}.${expiresAtSeconds}`;
  return `${payload}.${sign(secret, payload)}`;
}

function anonymousId(body: Record<string, unknown>): string {
  const value = body.shopper;
  if (typeof value !== 'string' || !SHOPPER_ID.test(value)) {
    throw badRequest('invalid_shopper', 'shopper must be the anonymous id the widget keeps: 8-64 characters of A-Z, a-z, 0-9, "_" and "-"');
  }
  return value;
}

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
const unsignedIn = (code: string, message: string) => new RelayError(401, code, message);

export function authorKey(shopper: string): string {
  return createHash('sha256').update(shopper).digest('base64url').slice(0, 12);
}

/** The key a client sends so that a retried action returns the first answer (header or body). */
export function idempotencyKey(req: IncomingMessage, body: Record<string, unknown>): string | null {
  const raw = req.headers['idempotency-key'] ?? body.idempotencyKey;
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{8,128}$/.test(raw)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 8-128 printable ASCII characters without spaces');
  }
  return raw;
}

export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key: `capacity` actions at once, refilled at `perSecond`. A refusal says
 * what the limit is and when to try again.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly what: string,
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {}

  take(key: string, cost = 1, now = Date.now()): void {
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens < cost) {
      this.buckets.set(key, bucket);
      const wait = Math.ceil((cost - bucket.tokens) / this.perSecond);
      throw tooMany(`too many ${this.what}: at most ${this.capacity} at once and ${this.perSecond} per second; try again in ${wait} s`);
    }
    bucket.tokens -= cost;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 50_000) this.forgetFull(now);
  }

  /** Buckets that have refilled carry no information: dropping them bounds memory. */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(key);
    }
  }
}
