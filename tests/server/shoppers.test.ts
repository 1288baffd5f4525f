/**
 * Signed-in shoppers: a shop signs its customer's id with LIVE_SHOP_SHOPPER_SECRET, and that
 * customer is one shopper on every device (one coupon, one mute). With LIVE_SHOP_CLAIMS=signed-in
 * only such customers may claim. Tokens that are forged, altered, expired or malformed are
 * refused with a reason, and a relay without the secret says it cannot check them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../server/app.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { shopper as identify, signShopperToken } from '../../server/events/shopper.ts';
import { api, relayOn, shopper, tempDatabase, type TestDir } from './events-harness.ts';

const ROOM = 'signed-in-show';
const SECRET = 'shop-secret-for-tests-0123456789abcdef';
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const token = (customer: string, expires = inAnHour(), secret = SECRET) => signShopperToken(secret, customer, expires);
const settings = { shopperSecret: SECRET, claims: 'anyone' as const };

describe('shopper identity', () => {
  it('is the anonymous id without a token, and the customer with a valid one', () => {
    assert.deepEqual(identify({ shopper: shopper(1) }, settings), { id: shopper(1), signedIn: false });
    assert.deepEqual(identify({ shopper: shopper(1), shopperToken: token('cust-42') }, settings), { id: 'shop:cust-42', signedIn: true });
  });

  it('refuses forged, altered, expired and malformed tokens with a reason', () => {
    const good = token('cust-42');
    const cases: [unknown, number, RegExp][] = [
      [token('cust-42', inAnHour(), 'another-secret-0123456789abcdefghij'), 401, /not signed with this relay's/],
      [good.replace('cust-42', 'cust-43'), 401, /not signed with this relay's/],
      [good.replace(/\.(\d+)\./, (_, s: string) => `.${Number(s) + 1}.`), 401, /not signed with this relay's/],
      [token('cust-42', Math.floor(Date.now() / 1000) - 1), 401, /expired/],
      ['cust-42', 401, /must be "<customer id>\.<expiry/],
      [`${'x'.repeat(65)}.${inAnHour()}.${'a'.repeat(43)}`, 401, /must be/],
      [42, 401, /must be/],
    ];
    for (const [value, status, message] of cases) {
      assert.throws(() => identify({ shopper: shopper(1), shopperToken: value }, settings), (error: { status: number; message: string }) => {
        assert.equal(error.status, status, String(value));
        assert.match(error.message, message, String(value));
        return true;
      });
    }
  });

  it('says a relay without the secret cannot check tokens, and checks the settings at start', () => {
    assert.throws(() => identify({ shopper: shopper(1), shopperToken: token('c') }, { shopperSecret: null, claims: 'anyone' }), /no LIVE_SHOP_SHOPPER_SECRET/);
    const base = { LIVE_SHOP_HOST_KEY: 'x'.repeat(16) };
    assert.throws(() => loadConfig({ ...base, LIVE_SHOP_SHOPPER_SECRET: 'short' }), (e: ConfigError) => e.variable === 'LIVE_SHOP_SHOPPER_SECRET');
    assert.throws(() => loadConfig({ ...base, LIVE_SHOP_CLAIMS: 'signed-in' }), (e: ConfigError) => e.variable === 'LIVE_SHOP_CLAIMS' && /SHOPPER_SECRET/.test(e.message));
    assert.throws(() => loadConfig({ ...base, LIVE_SHOP_CLAIMS: 'everyone' }), (e: ConfigError) => e.variable === 'LIVE_SHOP_CLAIMS');
  });
});

describe('claims by signed-in customers', () => {
  let dir: TestDir;
  let relay: Relay;
  const path = (rest: string) => `/v1/rooms/${ROOM}${rest}`;

  before(async () => {
    dir = tempDatabase();
    relay = await relayOn(dir.db, { LIVE_SHOP_SHOPPER_SECRET: SECRET, LIVE_SHOP_CLAIMS: 'signed-in' });
    relay.rooms.upsert(ROOM, { title: 'Signed-in claims' });
    relay.rooms.setStatus(ROOM, 'live');
  });
  after(async () => {
    await relay.close();
    dir.remove();
  });

  it('refuses an anonymous shopper, and gives a customer one coupon whatever device they claim from', async () => {
    const created = await api(relay, 'POST', path('/coupons'), { code: 'VIP', title: 'VIP', quantity: 5, expiresInSeconds: 600 }, { host: true });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    const anonymous = await api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: shopper(1) });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(anonymous.body.error, { code: 'sign_in_required', message: 'sign in to the shop to claim this' });

    const phone = await api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: shopper(2), shopperToken: token('cust-7') });
    assert.equal(phone.status, 200, JSON.stringify(phone.body));
    assert.equal(phone.body.code, 'VIP');
    // The same customer on a laptop (another anonymous id) is the same shopper.
    const laptop = await api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: shopper(3), shopperToken: token('cust-7') });
    assert.equal(laptop.status, 200, JSON.stringify(laptop.body));
    assert.equal(laptop.body.claimedAt, phone.body.claimedAt, 'the claim the customer already has, not a second one');
    assert.equal((laptop.body.coupon as { remaining: number }).remaining, 4);
    const other = await api(relay, 'POST', path(`/coupons/${id}/claim`), { shopper: shopper(3), shopperToken: token('cust-8') });
    assert.equal(other.status, 200);
    assert.equal((other.body.coupon as { remaining: number }).remaining, 3, 'another customer on that laptop gets their own');
  });

  it('mutes a signed-in customer on every device', async () => {
    const sent = await api<{ author: string }>(relay, 'POST', path('/chat'), { shopper: shopper(4), shopperToken: token('cust-9'), name: 'Ada', text: 'hello' });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const muted = await api(relay, 'POST', path('/chat/mutes'), { author: sent.body.author, minutes: 10 }, { host: true });
    assert.ok(muted.status < 300, JSON.stringify(muted.body));
    const elsewhere = await api(relay, 'POST', path('/chat'), { shopper: shopper(5), shopperToken: token('cust-9'), name: 'Ada', text: 'hi again' });
    assert.equal(elsewhere.status, 403);
    assert.equal((elsewhere.body.error as { code: string }).code, 'muted');
    const anonymous = await api(relay, 'POST', path('/chat'), { shopper: shopper(5), name: 'Bo', text: 'anonymous chat still works' });
    assert.equal(anonymous.status, 201, 'signed-in mode is about claims: anonymous shoppers still chat');
  });
});
