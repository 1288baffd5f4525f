import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../server/app.ts';
import { api, relayOn, shopper, sleep, tempDatabase, Viewer, type TestDir } from './events-harness.ts';

const ROOM = 'commerce-show';
const PRODUCTS = ['TEE', 'CAP', 'BAG', 'SOCK'].map((sku, i) => ({ sku, title: `${sku} title`, price: `${10 + i}.50`, currency: 'EUR', image: `/demo/images/${sku}.svg` }));

describe('commerce', () => {
  let dir: TestDir;
  let relay: Relay;
  let viewer: Viewer;

  const path = (rest: string) => `/v1/rooms/${ROOM}${rest}`;
  const newCoupon = async (quantity: number, extra: Record<string, unknown> = {}) => {
    const reply = await api(relay, 'POST', path('/coupons'), { code: 'SAVE10', title: '10% off', quantity, expiresInSeconds: 600, ...extra }, { host: true });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body.id as string;
  };
  const claimCoupon = (id: string, who: string, key?: string) =>
    api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: who }, key ? { headers: { 'idempotency-key': key } } : {});

  before(async () => {
    dir = tempDatabase();
    relay = await relayOn(dir.db);
    relay.rooms.upsert(ROOM, { title: 'Commerce test' });
    assert.equal((await api(relay, 'POST', '/v1/catalog', PRODUCTS, { host: true })).status, 200);
    viewer = new Viewer(relay, ROOM);
    await viewer.opened;
  });
  after(async () => {
    await viewer.close();
    await relay.close();
    dir.remove();
  });

  describe('pins', () => {
    it('pins up to three products, each as an event carrying its capture time and the product', async () => {
      const at = Date.now() - 1500;
      const reply = await api(relay, 'PUT', path('/pins/TEE'), { at }, { host: true });
      assert.equal(reply.status, 200);
      const event = await viewer.next((m) => m.type === 'pin' && m.data.sku === 'TEE');
      assert.equal(event.data.at, at);
      assert.equal(event.data.product.title, 'TEE title');
      assert.equal(event.data.product.price, '10.50');
      await api(relay, 'PUT', path('/pins/CAP'), {}, { host: true });
      await api(relay, 'PUT', path('/pins/BAG'), {}, { host: true });
      const fourth = await api(relay, 'PUT', path('/pins/SOCK'), {}, { host: true });
      assert.equal(fourth.status, 409);
      assert.equal((fourth.body.error as { code: string }).code, 'too_many_pins');
      assert.match((fourth.body.error as { message: string }).message, /TEE, CAP, BAG/);
      const listed = await api<{ pins: Array<{ sku: string }> }>(relay, 'GET', path('/pins'));
      assert.deepEqual(listed.body.pins.map((p) => p.sku), ['TEE', 'CAP', 'BAG']);
    });

    it('unpins, and names the live rooms featuring a product for the teaser', async () => {
      assert.equal((await api(relay, 'DELETE', path('/pins/BAG?at=soon'), undefined, { host: true })).status, 400);
      const unpinAt = Date.now() - 800;
      assert.equal((await api(relay, 'DELETE', path(`/pins/BAG?at=${unpinAt}`), undefined, { host: true })).status, 200);
      const unpin = await viewer.next((m) => m.type === 'unpin' && m.data.sku === 'BAG');
      assert.equal(unpin.data.at, unpinAt, 'the unpin carries the capture time too');
      assert.equal((await api(relay, 'DELETE', path('/pins/BAG'), undefined, { host: true })).status, 404);
      const notLive = await api<{ live: unknown[] }>(relay, 'GET', '/v1/live?product=TEE');
      assert.deepEqual(notLive.body.live, [], 'a scheduled show is not "live now"');
      relay.rooms.setStatus(ROOM, 'live');
      const live = await api<{ live: Array<{ room: string }> }>(relay, 'GET', '/v1/live?product=TEE');
      assert.deepEqual(live.body.live.map((r) => r.room), [ROOM]);
      assert.deepEqual((await api<{ live: unknown[] }>(relay, 'GET', '/v1/live?product=BAG')).body.live, []);
      assert.equal((await api(relay, 'GET', '/v1/live?product=%3Cscript%3E')).status, 400);
    });

    it('rejects pins without the host key, of unknown products, or with a capture time far from now', async () => {
      assert.equal((await api(relay, 'PUT', path('/pins/SOCK'), {})).status, 401);
      assert.equal((await api(relay, 'PUT', path('/pins/NOPE'), {}, { host: true })).status, 404);
      const skewed = await api(relay, 'PUT', path('/pins/TEE'), { at: Date.now() - 3_600_000 }, { host: true });
      assert.equal(skewed.status, 400);
      assert.match((skewed.body.error as { message: string }).message, /^at must be/);
      assert.equal((await api(relay, 'PUT', path('/pins/TEE'), { at: 'now' }, { host: true })).status, 400);
      assert.equal((await api(relay, 'PUT', '/v1/rooms/nope/pins/TEE', {}, { host: true })).status, 404);
    });
  });

  describe('coupons', () => {
    it('hands out a coupon of quantity 10 exactly 10 times to 1,000 concurrent claims', async () => {
      const id = await newCoupon(10);
      const replies = await Promise.all(Array.from({ length: 1000 }, (_, n) => claimCoupon(id, shopper(`c${n}`))));
      const won = replies.filter((r) => r.status === 200);
      const lost = replies.filter((r) => r.status !== 200);
      assert.equal(won.length, 10);
      assert.ok(won.every((r) => r.body.code === 'SAVE10'));
      assert.ok(lost.every((r) => r.status === 409 && (r.body.error as { code: string }).code === 'claimed_out'), 'every other claim is told the coupons are gone');
      const stored = relay.db.prepare('SELECT claimed, (SELECT COUNT(*) FROM coupon_claims WHERE coupon_id = ?) AS rows FROM coupons WHERE id = ?').get(id, id) as { claimed: number; rows: number };
      assert.deepEqual(stored, { claimed: 10, rows: 10 });
      const last = await viewer.next((m) => m.type === 'coupon' && m.data.id === id && m.data.remaining === 0);
      assert.equal(last.data.status, 'claimed-out');
      assert.equal(last.data.code, undefined, 'the code itself is never broadcast');
    });

    it('gives a shopper at most one, and answers a retry with the same key exactly as the first time', async () => {
      const id = await newCoupon(2);
      const first = await claimCoupon(id, shopper('once'), 'key-once-0001');
      const retry = await claimCoupon(id, shopper('once'), 'key-once-0001');
      assert.equal(first.status, 200);
      assert.deepEqual(retry.body, first.body);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      const again = await claimCoupon(id, shopper('once'), 'key-once-0002');
      assert.equal(again.status, 200);
      assert.equal(again.body.claimedAt, first.body.claimedAt, 'a second claim by the same shopper returns the first one');
      assert.equal((again.body.coupon as { remaining: number }).remaining, 1, 'and does not take another coupon');
      assert.equal((await claimCoupon(id, shopper('other'))).status, 200);
      const refused = await claimCoupon(id, shopper('late'), 'key-late-0001');
      assert.equal(refused.status, 409);
      const refusedAgain = await claimCoupon(id, shopper('late'), 'key-late-0001');
      assert.equal(refusedAgain.status, 409);
      assert.deepEqual(refusedAgain.body, refused.body);
    });

    it('refuses expired coupons, unknown ones, bad shopper ids and bad idempotency keys, saying why', async () => {
      const id = await newCoupon(5);
      relay.db.prepare('UPDATE coupons SET expires_at = ? WHERE id = ?').run(Date.now() - 1, id);
      const expired = await claimCoupon(id, shopper('exp'));
      assert.equal(expired.status, 410);
      assert.equal((expired.body.error as { code: string }).code, 'coupon_expired');
      assert.equal((await claimCoupon('nope', shopper('exp'))).status, 404);
      for (const bad of [undefined, 'short', 'has spaces in it', 'x'.repeat(65), 42]) {
        const reply = await api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: bad });
        assert.equal(reply.status, 400, `shopper ${String(bad)}`);
        assert.equal((reply.body.error as { code: string }).code, 'invalid_shopper');
      }
      const badKey = await claimCoupon(id, shopper('exp'), 'short');
      assert.equal(badKey.status, 400);
      assert.equal((badKey.body.error as { code: string }).code, 'invalid_idempotency_key');
      const tooBig = await api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: shopper('big'), pad: 'x'.repeat(4000) });
      assert.equal(tooBig.status, 413, 'a viewer action is at most 2 KB');
    });

    it('rate-limits one shopper hammering claims and says when to retry', async () => {
      const ids = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => newCoupon(5)));
      const replies = [];
      for (const id of ids) replies.push(await claimCoupon(id, shopper('greedy')));
      const limited = replies.find((r) => r.status === 429);
      assert.ok(limited, 'the seventh claim within a second is refused');
      assert.match((limited.body.error as { message: string }).message, /try again in \d+ s/);
      // Retries of a claim that was answered are not new claims: they get the kept answer, never a 429.
      const answered = await claimCoupon(ids[0]!, shopper('patient'), 'patient-key-1');
      const retries = await Promise.all(Array.from({ length: 10 }, () => claimCoupon(ids[0]!, shopper('patient'), 'patient-key-1')));
      assert.ok(retries.every((r) => r.status === answered.status && JSON.stringify(r.body) === JSON.stringify(answered.body)));
    });

    it('validates every field of a new coupon and needs the host key', async () => {
      const good = { code: 'OK-1', title: 'Free shipping', quantity: 5, expiresInSeconds: 60 };
      assert.equal((await api(relay, 'POST', path('/coupons'), good)).status, 401);
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ ...good, code: 'a b' }, /^code/],
        [{ ...good, code: undefined }, /^code/],
        [{ ...good, title: '' }, /^title/],
        [{ ...good, title: 'x'.repeat(81) }, /^title/],
        [{ ...good, quantity: 0 }, /^quantity/],
        [{ ...good, quantity: 2.5 }, /^quantity/],
        [{ ...good, quantity: '5' }, /^quantity/],
        [{ ...good, expiresInSeconds: 5 }, /^expiresInSeconds/],
        [{ ...good, expiresInSeconds: undefined }, /^expiresInSeconds/],
      ];
      for (const [body, message] of cases) {
        const reply = await api(relay, 'POST', path('/coupons'), body, { host: true });
        assert.equal(reply.status, 400, JSON.stringify(body));
        assert.match((reply.body.error as { message: string }).message, message);
      }
      const notJson = await api(relay, 'POST', path('/coupons'), undefined, { host: true, raw: 'code=X', type: 'application/x-www-form-urlencoded' });
      assert.equal(notJson.status, 415);
    });
  });

  describe('flash sales', () => {
    it('counts stock down live, shows sold out, never oversells, and ends', async () => {
      const start = await api(relay, 'POST', path('/flash-sales'), { sku: 'CAP', price: '7.99', quantity: 3, durationSeconds: 60 }, { host: true });
      assert.equal(start.status, 201);
      const sale = start.body as { id: string; price: string; regularPrice: string; remaining: number; status: string };
      assert.deepEqual([sale.price, sale.regularPrice, sale.remaining, sale.status], ['7.99', '11.50', 3, 'active']);
      const claim = (who: string) => api(relay, 'POST', path(`/flash-sales/${sale.id}/claim`), { shopper: who });
      const replies = await Promise.all(Array.from({ length: 20 }, (_, n) => claim(shopper(`fs${n}`))));
      assert.equal(replies.filter((r) => r.status === 200).length, 3);
      assert.ok(replies.filter((r) => r.status !== 200).every((r) => (r.body.error as { code: string }).code === 'sold_out'));
      const remaining = (await viewer.next((m) => m.type === 'flash-sale' && m.data.id === sale.id && m.data.remaining === 0)).data;
      assert.equal(remaining.status, 'sold-out');
      const seen = viewer.events('flash-sale').filter((m) => m.data.id === sale.id).map((m) => m.data.remaining);
      assert.deepEqual(seen, [3, 2, 1, 0], 'shoppers see the stock fall one by one');
      const stop = await api(relay, 'POST', path(`/flash-sales/${sale.id}/stop`), undefined, { host: true });
      assert.equal((stop.body as { status: string }).status, 'ended');
      const late = await claim(shopper('late-fs'));
      assert.equal(late.status, 410);
    });

    it("prices a sale in the product's currency: whole yen, refused in fractions of a yen", async () => {
      await api(relay, 'POST', '/v1/catalog', [{ sku: 'YEN-POT', title: 'Teapot', price: '1500', currency: 'JPY' }], { host: true });
      const fraction = await api(relay, 'POST', path('/flash-sales'), { sku: 'YEN-POT', price: '999.50', quantity: 1, durationSeconds: 60 }, { host: true });
      assert.equal(fraction.status, 400);
      assert.match((fraction.body.error as { message: string }).message, /^price: JPY has no minor unit/);
      const start = await api(relay, 'POST', path('/flash-sales'), { sku: 'YEN-POT', price: '999', quantity: 1, durationSeconds: 60 }, { host: true });
      assert.equal(start.status, 201, JSON.stringify(start.body));
      assert.deepEqual([start.body.price, start.body.regularPrice, start.body.currency], ['999', '1500', 'JPY']);
      await api(relay, 'POST', path(`/flash-sales/${start.body.id}/stop`), undefined, { host: true });
    });

    it('ends a sale by itself when its time is up', async () => {
      const start = await api(relay, 'POST', path('/flash-sales'), { sku: 'TEE', price: 5, quantity: 10, durationSeconds: 10 }, { host: true });
      assert.equal(start.status, 201);
      relay.db.prepare('UPDATE flash_sales SET ends_at = ? WHERE id = ?').run(Date.now() + 300, start.body.id);
      // The timer was armed for 10 s; the sale's end moved earlier, so the end is checked again then.
      await sleep(50);
      const stop = await api(relay, 'POST', path(`/flash-sales/${start.body.id}/stop`), undefined, { host: true });
      assert.equal((stop.body as { status: string }).status, 'ended');
    });

    it('takes pins and open sales down when the show ends', async () => {
      relay.rooms.upsert('ending-show', { title: 'Ends' });
      const show = new Viewer(relay, 'ending-show');
      await show.opened;
      await api(relay, 'PUT', '/v1/rooms/ending-show/pins/TEE', {}, { host: true });
      const started = await api(relay, 'POST', '/v1/rooms/ending-show/flash-sales', { sku: 'TEE', price: '5.00', quantity: 5, durationSeconds: 600 }, { host: true });
      relay.rooms.setStatus('ending-show', 'ended');
      await show.next((m) => m.type === 'unpin' && m.data.sku === 'TEE');
      const ended = await show.next((m) => m.type === 'flash-sale' && m.data.id === started.body.id && m.data.status === 'ended');
      assert.equal(ended.data.status, 'ended');
      assert.deepEqual((await api<{ pins: unknown[] }>(relay, 'GET', '/v1/rooms/ending-show/pins')).body.pins, []);
      await show.close();
    });

    it('validates a new sale field by field', async () => {
      const good = { sku: 'TEE', price: '5.00', quantity: 5, durationSeconds: 60 };
      const cases: Array<[Record<string, unknown>, number, RegExp]> = [
        [{ ...good, sku: undefined }, 400, /^sku/],
        [{ ...good, sku: 'NOPE' }, 404, /NOPE/],
        [{ ...good, price: '-1' }, 400, /^price/],
        [{ ...good, price: '1.999' }, 400, /^price/],
        [{ ...good, quantity: 0 }, 400, /^quantity/],
        [{ ...good, durationSeconds: 1 }, 400, /^durationSeconds/],
      ];
      for (const [body, status, message] of cases) {
        const reply = await api(relay, 'POST', path('/flash-sales'), body, { host: true });
        assert.equal(reply.status, status, JSON.stringify(body));
        assert.match((reply.body.error as { message: string }).message, message);
      }
      assert.equal((await api(relay, 'POST', path('/flash-sales'), good)).status, 401);
    });
  });
});
