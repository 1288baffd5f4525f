import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { badRequest, tooMany } from '../http/errors.ts';

/**
 * Shoppers are anonymous: the widget keeps a random id in localStorage and sends it with each
 * action. It is never shown to anyone; others see `author`, a one-way digest of it, which is
 * also what the host mutes.
 */
const SHOPPER_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function shopperId(body: Record<string, unknown>): string {
  const value = body.shopper;
  if (typeof value !== 'string' || !SHOPPER_ID.test(value)) {
    throw badRequest('invalid_shopper', 'shopper must be the anonymous id the widget keeps: 8-64 characters of A-Z, a-z, 0-9, "_" and "-"');
  }
  return value;
}

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
