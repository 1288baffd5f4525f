import { randomUUID } from 'node:crypto';
import { formatCents, priceProblem, type Catalog } from '../catalog/catalog.ts';
import { RelayError, badRequest, conflict, notFound } from '../http/errors.ts';
import type { Db } from '../store/db.ts';

export type FlashSaleStatus = 'active' | 'sold-out' | 'ended';

export interface FlashSale {
  id: string;
  sku: string;
  title: string;
  image: string | null;
  /** The sale price and the regular one, decimal strings in `currency`. */
  price: string;
  regularPrice: string;
  currency: string;
  quantity: number;
  remaining: number;
  startedAt: number;
  endsAt: number;
  status: FlashSaleStatus;
}

interface SaleRow {
  id: string;
  room: string;
  sku: string;
  price: number;
  quantity: number;
  sold: number;
  started_at: number;
  ends_at: number;
  stopped_at: number | null;
}

export interface FlashSaleInput {
  sku: string;
  priceCents: number;
  quantity: number;
  durationSeconds: number;
}

export const MAX_ACTIVE_SALES = 3;

/**
 * Flash sales: a price for a limited quantity and time. Each shopper reserves at most one unit;
 * reservations are counted in SQLite transactions, so the stock never goes below zero.
 */
export class FlashSales {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
  ) {}

  start(room: string, input: FlashSaleInput, now = Date.now()): FlashSale {
    const product = this.catalog.get(input.sku);
    if (!product) throw notFound(`no product with sku "${input.sku}" in the catalog`);
    const priceWrong = priceProblem(input.priceCents, product.currency);
    if (priceWrong) throw badRequest('invalid_field', `price: ${priceWrong}`);
    return this.db.transaction(() => {
      if (this.running(room, now).length >= MAX_ACTIVE_SALES) {
        throw conflict('too_many_sales', `at most ${MAX_ACTIVE_SALES} flash sales run at once; stop one first`);
      }
      const id = randomUUID();
      this.db
        .statement('INSERT INTO flash_sales (id, room, sku, price, quantity, started_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, room, input.sku, input.priceCents, input.quantity, now, now + input.durationSeconds * 1000);
      return this.get(room, id)!;
    }).immediate();
  }

  get(room: string, id: string, now = Date.now()): FlashSale | null {
    const row = this.db.statement('SELECT * FROM flash_sales WHERE id = ? AND room = ?').get(id, room) as SaleRow | undefined;
    return row ? this.describe(row, now) : null;
  }

  /** Sales not yet closed: active, sold out, or past their end but not yet announced as ended. */
  open(room: string, now = Date.now()): FlashSale[] {
    const rows = this.db.statement('SELECT * FROM flash_sales WHERE room = ? AND stopped_at IS NULL ORDER BY started_at').all(room) as SaleRow[];
    return rows.map((row) => this.describe(row, now));
  }

  /** Every open sale in every room, for re-arming end timers after a restart. */
  allOpen(): Array<{ room: string; id: string; endsAt: number }> {
    return (this.db.statement('SELECT room, id, ends_at FROM flash_sales WHERE stopped_at IS NULL').all() as SaleRow[]).map((r) => ({ room: r.room, id: r.id, endsAt: r.ends_at }));
  }

  /** Closes a sale (the host stopped it, or its time ran out); returns it as ended. */
  stop(room: string, id: string, now = Date.now()): FlashSale {
    const row = this.db.statement('SELECT * FROM flash_sales WHERE id = ? AND room = ?').get(id, room) as SaleRow | undefined;
    if (!row) throw notFound(`no flash sale "${id}" in this room`);
    if (row.stopped_at === null) this.db.statement('UPDATE flash_sales SET stopped_at = ? WHERE id = ?').run(Math.min(now, row.ends_at), id);
    return this.get(room, id, now)!;
  }

  /**
   * Reserves one unit for a shopper: at most one per shopper (a second call returns the first
   * reservation), never more than the quantity. Call inside an immediate transaction.
   */
  claim(room: string, id: string, shopper: string, now = Date.now()): { sale: FlashSale; reservedAt: number } {
    const row = this.db.statement('SELECT * FROM flash_sales WHERE id = ? AND room = ?').get(id, room) as SaleRow | undefined;
    if (!row) throw notFound(`no flash sale "${id}" in this room`);
    const earlier = this.db.statement('SELECT claimed_at FROM flash_sale_claims WHERE sale_id = ? AND shopper = ?').get(id, shopper) as { claimed_at: number } | undefined;
    if (earlier) return { sale: this.describe(row, now), reservedAt: earlier.claimed_at };
    if (row.stopped_at !== null || now >= row.ends_at) throw new RelayError(410, 'sale_ended', 'this flash sale has ended');
    if (row.sold >= row.quantity) throw conflict('sold_out', 'this flash sale is sold out');
    this.db.statement('INSERT INTO flash_sale_claims (sale_id, shopper, claimed_at) VALUES (?, ?, ?)').run(id, shopper, now);
    this.db.statement('UPDATE flash_sales SET sold = sold + 1 WHERE id = ?').run(id);
    return { sale: this.describe({ ...row, sold: row.sold + 1 }, now), reservedAt: now };
  }

  private running(room: string, now: number): FlashSale[] {
    return this.open(room, now).filter((sale) => sale.status !== 'ended');
  }

  private describe(row: SaleRow, now: number): FlashSale {
    const product = this.catalog.get(row.sku);
    const regular = this.catalog.priceCents(row.sku) ?? row.price;
    const ended = row.stopped_at !== null || now >= row.ends_at;
    const currency = product?.currency ?? 'EUR';
    return {
      id: row.id,
      sku: row.sku,
      title: product?.title ?? row.sku,
      image: product?.image ?? null,
      price: formatCents(row.price, currency),
      regularPrice: formatCents(regular, currency),
      currency,
      quantity: row.quantity,
      remaining: row.quantity - row.sold,
      startedAt: row.started_at,
      endsAt: row.stopped_at ?? row.ends_at,
      status: ended ? 'ended' : row.sold >= row.quantity ? 'sold-out' : 'active',
    };
  }
}

/** Validates the host's request to start a sale: every field named when wrong. */
export function flashSaleInput(body: Record<string, unknown>): FlashSaleInput {
  const sku = body.sku;
  if (typeof sku !== 'string' || sku.trim() === '') throw badRequest('missing_field', 'sku is required');
  const price = typeof body.price === 'number' ? String(body.price) : body.price;
  if (typeof price !== 'string' || !/^\d{1,8}(\.\d{1,2})?$/.test(price.trim())) {
    throw badRequest('invalid_field', 'price must be a decimal amount like 19.90');
  }
  const [whole, fraction = ''] = price.trim().split('.');
  const quantity = body.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 100_000) {
    throw badRequest('invalid_field', 'quantity must be a whole number from 1 to 100000');
  }
  const duration = body.durationSeconds;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 10 || duration > 86_400) {
    throw badRequest('invalid_field', 'durationSeconds must be a whole number from 10 to 86400');
  }
  return { sku: sku.trim(), priceCents: Number(whole) * 100 + Number(fraction.padEnd(2, '0')), quantity, durationSeconds: duration };
}
