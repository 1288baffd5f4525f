import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../server/app.ts';
import { parseCsv } from '../../server/catalog/csv.ts';
import { api, relayOn, tempDatabase, type TestDir } from './events-harness.ts';

const message = (body: Record<string, unknown>) => (body.error as { message: string }).message;

describe('catalog', () => {
  let dir: TestDir;
  let relay: Relay;

  before(async () => {
    dir = tempDatabase();
    relay = await relayOn(dir.db);
  });
  after(async () => {
    await relay.close();
    dir.remove();
  });

  it('imports the demo catalog as JSON, and serves it publicly with prices as decimal strings', async () => {
    const demo = JSON.parse(readFileSync(new URL('../../demo/catalog.json', import.meta.url), 'utf8')) as unknown[];
    const reply = await api(relay, 'POST', '/v1/catalog', { products: demo }, { host: true });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.imported, demo.length);
    const one = await api(relay, 'GET', '/v1/catalog/TR2-LAGOON');
    assert.equal(one.body.price, '129.00');
    assert.equal(one.body.currency, 'EUR');
    assert.equal((one.body.variants as unknown[]).length, 5);
    const list = await api<{ products: Array<{ sku: string; image: string }> }>(relay, 'GET', '/v1/catalog');
    assert.equal(list.body.products.length, demo.length);
    for (const product of list.body.products) {
      assert.match(product.image, /^\/demo\/images\/[\w-]+\.svg$/);
      readFileSync(new URL(`../..${product.image}`, import.meta.url)); // the image is a file in the repository
    }
    assert.equal((await api(relay, 'GET', '/v1/catalog/NOPE')).status, 404);
  });

  it('imports CSV with quoted fields, commas, quotes, line breaks and variants', async () => {
    const csv = [
      'sku,title,price,currency,description,stock,variants,image',
      'CSV-1,"Mug, large",12.5,eur,"Says ""hello""",4,s=Small|l=Large,/demo/images/mug.svg',
      'CSV-2,Poster,3,USD,"two',
      'lines",,,https://cdn.example/poster.png',
    ].join('\r\n');
    const reply = await api(relay, 'POST', '/v1/catalog', undefined, { host: true, raw: csv });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const mug = (await api(relay, 'GET', '/v1/catalog/CSV-1')).body;
    assert.deepEqual([mug.title, mug.price, mug.currency, mug.description, mug.stock], ['Mug, large', '12.50', 'EUR', 'Says "hello"', 4]);
    assert.deepEqual(mug.variants, [
      { id: 's', title: 'Small', price: null, stock: null },
      { id: 'l', title: 'Large', price: null, stock: null },
    ]);
    const poster = (await api(relay, 'GET', '/v1/catalog/CSV-2')).body;
    assert.equal(poster.description, 'two\nlines');
    assert.equal(poster.price, '3.00');
  });

  it('names the row and the field of every bad value, and imports nothing then', async () => {
    const csv = ['sku,title,price,currency,stock', 'OK-1,Fine,1.00,EUR,1', 'BAD 2,,abc,EURO,-1', 'OK-1,Again,1.00,EUR,'].join('\n');
    const reply = await api(relay, 'POST', '/v1/catalog', undefined, { host: true, raw: csv });
    assert.equal(reply.status, 400);
    const text = message(reply.body);
    for (const part of ['row 3, field sku', 'row 3, field title', 'row 3, field price', 'row 3, field currency', 'row 3, field stock', 'row 4, field sku: "OK-1" is also at row 2']) {
      assert.ok(text.includes(part), `"${part}" in: ${text}`);
    }
    assert.equal((await api(relay, 'GET', '/v1/catalog/OK-1')).status, 404, 'nothing of a bad import is kept');
  });

  it('validates JSON products field by field, including links and variants', async () => {
    const good = { sku: 'J-1', title: 'Jug', price: 9.9, currency: 'EUR' };
    const cases: Array<[unknown, string]> = [
      [{ ...good, price: '9.999' }, 'item 1, field price'],
      [{ ...good, price: -1 }, 'item 1, field price'],
      [{ ...good, image: 'javascript:alert(1)' }, 'item 1, field image'],
      [{ ...good, url: '//evil.example/x' }, 'item 1, field url'],
      [{ ...good, image: '/x"onerror="alert(1)' }, 'item 1, field image'],
      [{ ...good, title: 'x'.repeat(201) }, 'item 1, field title'],
      [{ ...good, variants: [{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }] }, 'item 1, field variants[1].id'],
      [{ ...good, variants: [{ id: 'a' }] }, 'item 1, field variants[0].title'],
      [{ ...good, variants: 'S,M' }, 'item 1, field variants'],
      [{ ...good, stock: 1.5 }, 'item 1, field stock'],
      ['not an object', 'item 1: must be an object'],
    ];
    for (const [product, expected] of cases) {
      const reply = await api(relay, 'POST', '/v1/catalog', [product], { host: true });
      assert.equal(reply.status, 400, JSON.stringify(product));
      assert.ok(message(reply.body).includes(expected), `"${expected}" in: ${message(reply.body)}`);
    }
    assert.equal((await api(relay, 'POST', '/v1/catalog', [], { host: true })).status, 400);
    assert.equal((await api(relay, 'POST', '/v1/catalog', { items: [] }, { host: true })).status, 400);
    assert.equal((await api(relay, 'POST', '/v1/catalog', [good])).status, 401, 'importing needs the host key');
    assert.equal((await api(relay, 'POST', '/v1/catalog', undefined, { host: true, raw: '<xml/>', type: 'application/xml' })).status, 415);
  });

  it("keeps each currency's minor units: a yen price is whole, a dinar price has three decimals", async () => {
    const products = [
      { sku: 'YEN-1', title: 'Teapot', price: '1500', currency: 'JPY', variants: [{ id: 'big', title: 'Big', price: '2000.00' }] },
      { sku: 'KWD-1', title: 'Lamp', price: '12.5', currency: 'KWD' },
      { sku: 'EUR-1', title: 'Cup', price: 7, currency: 'eur' },
    ];
    assert.equal((await api(relay, 'POST', '/v1/catalog', products, { host: true })).status, 200);
    const prices = async (sku: string) => {
      const { body } = await api<{ price: string; currency: string; variants: Array<{ price: string | null }> }>(relay, 'GET', `/v1/catalog/${sku}`);
      return [body.price, body.currency, ...body.variants.map((v) => v.price)];
    };
    assert.deepEqual(await prices('YEN-1'), ['1500', 'JPY', '2000']);
    assert.deepEqual(await prices('KWD-1'), ['12.500', 'KWD']);
    assert.deepEqual(await prices('EUR-1'), ['7.00', 'EUR']);
    const fractionOfAYen = await api(relay, 'POST', '/v1/catalog', [{ ...products[0], price: '1500.50' }], { host: true });
    assert.equal(fractionOfAYen.status, 400);
    assert.match(message(fractionOfAYen.body), /item 1, field price: JPY has no minor unit/);
    const variantInSen = await api(relay, 'POST', '/v1/catalog', [{ ...products[0], variants: [{ id: 'x', title: 'X', price: '1.5' }] }], { host: true });
    assert.match(message(variantInSen.body), /item 1, field variants\[0\]\.price: JPY has no minor unit/);
  });

  it('parses CSV strictly: wrong field counts and unclosed quotes name their row', () => {
    assert.throws(() => parseCsv('a,b\n1,2,3\n'), /row 2: expected 2 fields/);
    assert.throws(() => parseCsv('a,b\n1,"2\n'), /row 2: a quoted field is never closed/);
    assert.throws(() => parseCsv('a,a\n1,2\n'), /row 1: column "a" appears twice/);
    assert.throws(() => parseCsv(''), /empty/);
    assert.deepEqual(parseCsv('\uFEFFA,B\n1,2\n\n'), [{ row: 2, fields: { a: '1', b: '2' } }]);
  });
});
