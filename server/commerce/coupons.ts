import { randomUUID } from 'node:crypto';
import { RelayError, badRequest, conflict, notFound } from '../http/errors.ts';
import type { Db } from '../store/db.ts';

export type CouponStatus = 'active' | 'claimed-out' | 'expired';

/** A coupon as every shopper sees it: the code itself is only in a claim's answer. */
export interface Coupon {
  id: string;
  /** What it gives, in the host's words ("10% off everything"). */
  title: string;
  quantity: number;
  remaining: number;
  expiresAt: number;
  /** When the host pushed it (relay clock): players reveal it when the video reaches that moment. */
  createdAt: number;
  status: CouponStatus;
}

export interface CouponClaim {
  coupon: Coupon;
  code: string;
  claimedAt: number;
}

interface CouponRow {
  id: string;
  room: string;
  code: string;
  title: string;
  quantity: number;
  claimed: number;
  expires_at: number;
  created_at: number;
}

export interface CouponInput {
  code: string;
  title: string;
  quantity: number;
  expiresAt: number;
}

/**
 * Coupons the host pushes during a show. A claim is one SQLite transaction that checks and
 * counts: never more claims than the quantity (also a CHECK constraint), one per shopper.
 */
export class Coupons {
  constructor(private readonly db: Db) {}

  create(room: string, input: CouponInput, now = Date.now()): Coupon {
    const id = randomUUID();
    this.db
      .statement('INSERT INTO coupons (id, room, code, title, quantity, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, room, input.code, input.title, input.quantity, input.expiresAt, now);
    return this.get(room, id, now)!;
  }

  get(room: string, id: string, now = Date.now()): Coupon | null {
    const row = this.db.statement('SELECT * FROM coupons WHERE id = ? AND room = ?').get(id, room) as CouponRow | undefined;
    return row ? describe(row, now) : null;
  }

  /** Coupons still worth showing: not yet expired. */
  current(room: string, now = Date.now()): Coupon[] {
    const rows = this.db.statement('SELECT * FROM coupons WHERE room = ? AND expires_at > ? ORDER BY created_at').all(room, now) as CouponRow[];
    return rows.map((row) => describe(row, now));
  }

  allCurrent(now = Date.now()): Array<{ room: string; id: string; expiresAt: number }> {
    return (this.db.statement('SELECT room, id, expires_at FROM coupons WHERE expires_at > ?').all(now) as CouponRow[]).map((r) => ({ room: r.room, id: r.id, expiresAt: r.expires_at }));
  }

  /** Call inside an immediate transaction. A shopper's second claim returns the first. */
  claim(room: string, id: string, shopper: string, now = Date.now()): CouponClaim {
    const row = this.db.statement('SELECT * FROM coupons WHERE id = ? AND room = ?').get(id, room) as CouponRow | undefined;
    if (!row) throw notFound(`no coupon "${id}" in this room`);
    const earlier = this.db.statement('SELECT claimed_at FROM coupon_claims WHERE coupon_id = ? AND shopper = ?').get(id, shopper) as { claimed_at: number } | undefined;
    if (earlier) return { coupon: describe(row, now), code: row.code, claimedAt: earlier.claimed_at };
    if (now >= row.expires_at) throw new RelayError(410, 'coupon_expired', 'this coupon has expired');
    if (row.claimed >= row.quantity) throw conflict('claimed_out', 'every one of these coupons has been claimed');
    this.db.statement('INSERT INTO coupon_claims (coupon_id, shopper, claimed_at) VALUES (?, ?, ?)').run(id, shopper, now);
    this.db.statement('UPDATE coupons SET claimed = claimed + 1 WHERE id = ?').run(id);
    return { coupon: describe({ ...row, claimed: row.claimed + 1 }, now), code: row.code, claimedAt: now };
  }
}

function describe(row: CouponRow, now: number): Coupon {
  return {
    id: row.id,
    title: row.title,
    quantity: row.quantity,
    remaining: row.quantity - row.claimed,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    status: now >= row.expires_at ? 'expired' : row.claimed >= row.quantity ? 'claimed-out' : 'active',
  };
}

/** Validates the host's coupon: code, what it gives, how many, and until when. */
export function couponInput(body: Record<string, unknown>, now = Date.now()): CouponInput {
  const code = typeof body.code === 'string' ? body.code.trim() : '';
  if (!/^[A-Za-z0-9_-]{3,32}$/.test(code)) throw badRequest('invalid_field', 'code must be 3-32 characters of A-Z, a-z, 0-9, "_" and "-"');
  const title = typeof body.title === 'string' ? body.title.trim() : '';
  if (title.length < 1 || title.length > 80) throw badRequest('invalid_field', 'title must say what the coupon gives, 1-80 characters');
  const quantity = body.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 1_000_000) {
    throw badRequest('invalid_field', 'quantity must be a whole number from 1 to 1000000');
  }
  const seconds = body.expiresInSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 10 || seconds > 7 * 86_400) {
    throw badRequest('invalid_field', 'expiresInSeconds must be a whole number from 10 to 604800');
  }
  return { code, title, quantity, expiresAt: now + seconds * 1000 };
}
