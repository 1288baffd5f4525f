import type { Db } from '../store/db.ts';
import { badRequest } from '../http/errors.ts';

export interface Variant {
  id: string;
  title: string;
  /** Decimal string in the currency's major unit, with its minor units ("24.90", JPY "1500"); null means the product's price. */
  price: string | null;
  stock: number | null;
}

export interface Product {
  sku: string;
  title: string;
  description: string;
  /** Decimal string in the currency's major unit, with as many decimals as it has minor units ("24.90", JPY "1500", KWD "12.500"). */
  price: string;
  /** ISO 4217 code. */
  currency: string;
  /** Absolute http(s) URL, or a path on the relay ("/demo/tote.svg"). */
  image: string | null;
  /** The product page on the shop; opened when no one handles add-to-cart. */
  url: string | null;
  stock: number | null;
  variants: Variant[];
}

interface ProductRow {
  sku: string;
  title: string;
  description: string;
  price: number;
  currency: string;
  image: string | null;
  url: string | null;
  stock: number | null;
  variants: string;
}

interface StoredVariant {
  id: string;
  title: string;
  price: number | null;
  stock: number | null;
}

export const MAX_IMPORT = 5000;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VARIANT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const PRICE = /^\d{1,8}(\.\d{1,2})?$/;

/**
 * The currency's minor units (ISO 4217 exponent: EUR 2, JPY 0, KWD 3), from the runtime's ICU
 * data; 2 for a code it does not know.
 */
export function minorUnits(currency: string): number {
  let digits = MINOR_UNITS.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    MINOR_UNITS.set(currency, digits);
  }
  return digits;
}
const MINOR_UNITS = new Map<string, number>();

/**
 * Prices are kept in hundredths of the major unit (integers, so sums and discounts are exact),
 * and never finer than the currency's minor unit: a yen price is a multiple of 100. This is the
 * step a stored price of `currency` must be a multiple of. (Three-decimal currencies such as KWD
 * are kept to two decimals.)
 */
export const hundredthsStep = (currency: string): number => 10 ** (2 - Math.min(2, minorUnits(currency)));

/** A stored price as the decimal string the API sends, with the currency's minor units ("1500" for JPY). */
export function formatCents(cents: number, currency: string): string {
  const digits = minorUnits(currency);
  if (digits === 0) return String(Math.round(cents / 100));
  const fraction = String(cents % 100).padStart(2, '0').padEnd(digits, '0').slice(0, digits);
  return `${Math.trunc(cents / 100)}.${fraction}`;
}

/** Why `cents` is no price in `currency`, or null when it is one. */
export function priceProblem(cents: number, currency: string): string | null {
  if (cents % hundredthsStep(currency) === 0) return null;
  const digits = minorUnits(currency);
  return digits === 0 ? `${currency} has no minor unit: a whole amount like 1500` : `${currency} has ${digits} decimal(s)`;
}

const fromRow = (row: ProductRow): Product => ({
  sku: row.sku,
  title: row.title,
  description: row.description,
  price: formatCents(row.price, row.currency),
  currency: row.currency,
  image: row.image,
  url: row.url,
  stock: row.stock,
  variants: (JSON.parse(row.variants) as StoredVariant[]).map((v) => ({ ...v, price: v.price === null ? null : formatCents(v.price, row.currency) })),
});

/** The shop's products, imported from JSON or CSV and kept in SQLite. */
export class Catalog {
  constructor(private readonly db: Db) {}

  get(sku: string): Product | null {
    const row = this.db.statement('SELECT * FROM products WHERE sku = ?').get(sku) as ProductRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** The product's price in cents: what flash-sale discounts are computed against. */
  priceCents(sku: string): number | null {
    const row = this.db.statement('SELECT price FROM products WHERE sku = ?').get(sku) as { price: number } | undefined;
    return row?.price ?? null;
  }

  list(): Product[] {
    return (this.db.statement('SELECT * FROM products ORDER BY sku').all() as ProductRow[]).map(fromRow);
  }

  count(): number {
    return (this.db.statement('SELECT COUNT(*) AS n FROM products').get() as { n: number }).n;
  }

  /** Validates every item first and writes all or nothing; products with a known sku are replaced. */
  import(items: Array<{ where: string; raw: Record<string, unknown> }>): number {
    if (items.length === 0) throw badRequest('invalid_catalog', 'the catalog has no products');
    if (items.length > MAX_IMPORT) throw badRequest('invalid_catalog', `at most ${MAX_IMPORT} products per import, got ${items.length}`);
    const problems: string[] = [];
    const products: ProductRowInput[] = [];
    const seen = new Map<string, string>();
    for (const { where, raw } of items) {
      const checked = checkProduct(raw, (field, message) => problems.push(`${where}, field ${field}: ${message}`));
      if (!checked) continue;
      const earlier = seen.get(checked.sku);
      if (earlier) problems.push(`${where}, field sku: "${checked.sku}" is also at ${earlier}`);
      seen.set(checked.sku, where);
      products.push(checked);
    }
    if (problems.length > 0) {
      const shown = problems.slice(0, 10).join('; ');
      throw badRequest('invalid_catalog', problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown);
    }
    const upsert = this.db.statement(
      `INSERT INTO products (sku, title, description, price, currency, image, url, stock, variants, updated_at)
       VALUES (@sku, @title, @description, @price, @currency, @image, @url, @stock, @variants, @now)
       ON CONFLICT (sku) DO UPDATE SET title = @title, description = @description, price = @price, currency = @currency,
         image = @image, url = @url, stock = @stock, variants = @variants, updated_at = @now`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const product of products) upsert.run({ ...product, variants: JSON.stringify(product.variants), now });
    })();
    return products.length;
  }
}

interface ProductRowInput {
  sku: string;
  title: string;
  description: string;
  price: number;
  currency: string;
  image: string | null;
  url: string | null;
  stock: number | null;
  variants: StoredVariant[];
}

type Report = (field: string, message: string) => void;

/** Checks one product; reports every bad field (not only the first) and returns null if any was bad. */
function checkProduct(raw: Record<string, unknown>, report: Report): ProductRowInput | null {
  let ok = true;
  const bad: Report = (field, message) => {
    ok = false;
    report(field, message);
  };
  const sku = text(raw.sku);
  if (!sku || !SKU.test(sku)) bad('sku', 'required, 1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"');
  const title = text(raw.title);
  if (!title || title.length > 200) bad('title', 'required, at most 200 characters');
  const description = text(raw.description) ?? '';
  if (description.length > 2000) bad('description', 'at most 2000 characters');
  const currency = text(raw.currency)?.toUpperCase();
  const knownCurrency = currency && /^[A-Z]{3}$/.test(currency) ? currency : null;
  if (!knownCurrency) bad('currency', `required, a three-letter ISO 4217 code like EUR (got ${shown(raw.currency)})`);
  const price = cents(raw.price);
  const priceWrong = price !== null && knownCurrency ? priceProblem(price, knownCurrency) : null;
  if (price === null) bad('price', `required, a decimal amount like 24.90 (got ${shown(raw.price)})`);
  else if (priceWrong) bad('price', `${priceWrong} (got ${shown(raw.price)})`);
  const image = link(raw.image);
  if (image === false) bad('image', 'an absolute http(s) URL or a path starting with "/"');
  const url = link(raw.url);
  if (url === false) bad('url', 'an absolute http(s) URL or a path starting with "/"');
  const stock = count(raw.stock);
  if (stock === false) bad('stock', `a whole number of 0 or more (got ${shown(raw.stock)})`);
  const variants = checkVariants(raw.variants, knownCurrency, bad);
  if (!ok) return null;
  return {
    sku: sku!,
    title: title!,
    description,
    price: price!,
    currency: currency!,
    image: image || null,
    url: url || null,
    stock: stock as number | null,
    variants,
  };
}

function checkVariants(raw: unknown, currency: string | null, bad: Report): StoredVariant[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw) || raw.length > 50) {
    bad('variants', 'a list of at most 50 variants, each { id, title, price?, stock? }');
    return [];
  }
  const variants: StoredVariant[] = [];
  raw.forEach((item: unknown, i) => {
    const v = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const id = text(v.id);
    const title = text(v.title);
    const price = v.price === undefined || v.price === null || v.price === '' ? null : cents(v.price);
    const stock = count(v.stock);
    if (!id || !VARIANT_ID.test(id)) bad(`variants[${i}].id`, 'required, 1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"');
    else if (variants.some((other) => other.id === id)) bad(`variants[${i}].id`, `"${id}" appears twice`);
    if (!title || title.length > 100) bad(`variants[${i}].title`, 'required, at most 100 characters');
    if (price === null && v.price !== undefined && v.price !== null && v.price !== '') bad(`variants[${i}].price`, 'a decimal amount like 24.90');
    const priceWrong = price !== null && currency ? priceProblem(price, currency) : null;
    if (priceWrong) bad(`variants[${i}].price`, priceWrong);
    if (stock === false) bad(`variants[${i}].stock`, 'a whole number of 0 or more');
    if (id && title) variants.push({ id, title, price, stock: stock === false ? null : stock });
  });
  return variants;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function cents(value: unknown): number | null {
  const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!PRICE.test(raw)) return null;
  const [whole, fraction = ''] = raw.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** false: present but invalid; null: absent. */
function count(value: unknown): number | null | false {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1e9 ? n : false;
}

function link(value: unknown): string | null | false {
  const raw = text(value);
  if (raw === undefined) return null;
  if (raw.length > 2048) return false;
  if (raw.startsWith('/') && !raw.startsWith('//')) return /^\/[^\s<>"'`\\]*$/.test(raw) ? raw : false;
  try {
    const parsed = new URL(raw);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : false;
  } catch {
    return false;
  }
}

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 40) ?? String(value));
