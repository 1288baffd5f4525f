import type { RelayConfig } from '../config.ts';
import { RelayError, badRequest, notFound, unauthorized } from '../http/errors.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { isHost } from '../rooms/routes.ts';
import { MAX_IMPORT, type Catalog } from './catalog.ts';
import { parseCsv } from './csv.ts';

const IMPORT_BODY_LIMIT = 2 * 1024 * 1024;

/**
 * `POST /v1/catalog` (host): imports products from JSON (a list, or `{ "products": [...] }`) or
 * from CSV (`content-type: text/csv`, columns sku,title,price,currency and optionally
 * description,image,url,stock,variants where variants reads `id=Title|id=Title`).
 * `GET /v1/catalog` and `GET /v1/catalog/{sku}` are public.
 */
export function registerCatalogRoutes(router: Router, deps: { config: RelayConfig; catalog: Catalog }): void {
  const { config, catalog } = deps;

  router.on('GET', '/v1/catalog', () => ({ products: catalog.list() }));

  router.on('GET', '/v1/catalog/{sku}', (ctx) => {
    const product = catalog.get(ctx.params.sku!);
    if (!product) throw notFound(`no product with sku "${ctx.params.sku!.slice(0, 64)}"`);
    return product;
  });

  router.on('POST', '/v1/catalog', async (ctx) => {
    if (!isHost(ctx.req, config.hostKey)) throw unauthorized('importing a catalog needs the host key as "Authorization: Bearer <key>"');
    const imported = catalog.import(await importItems(ctx));
    return { imported, total: catalog.count() };
  });
}

async function importItems(ctx: RequestContext): Promise<Array<{ where: string; raw: Record<string, unknown> }>> {
  const type = ctx.req.headers['content-type'] ?? '';
  if (/^text\/csv\b/.test(type)) {
    return parseCsv(await ctx.text(IMPORT_BODY_LIMIT)).map(({ row, fields }) => ({
      where: `row ${row}`,
      raw: { ...fields, variants: csvVariants(fields.variants, row) },
    }));
  }
  if (!/^application\/(.+\+)?json\b/.test(type)) {
    throw new RelayError(415, 'unsupported_media_type', 'send the catalog as application/json or text/csv');
  }
  const body = await ctx.json(IMPORT_BODY_LIMIT);
  const list = Array.isArray(body) ? body : (body as { products?: unknown } | null)?.products;
  if (!Array.isArray(list)) throw badRequest('invalid_catalog', 'send a list of products, or { "products": [...] }');
  if (list.length > MAX_IMPORT) throw badRequest('invalid_catalog', `at most ${MAX_IMPORT} products per import, got ${list.length}`);
  return list.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw badRequest('invalid_catalog', `item ${i + 1}: must be an object with sku, title, price and currency`);
    }
    return { where: `item ${i + 1}`, raw: item as Record<string, unknown> };
  });
}

function csvVariants(field: string | undefined, row: number): unknown {
  if (!field?.trim()) return undefined;
  return field.split('|').map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw badRequest('invalid_catalog', `row ${row}, field variants: write variants as id=Title|id=Title (got "${pair.slice(0, 40)}")`);
    return { id: pair.slice(0, at).trim(), title: pair.slice(at + 1).trim() };
  });
}
