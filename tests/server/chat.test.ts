import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../server/app.ts';
import { api, relayOn, shopper, sleep, tempDatabase, Viewer, type TestDir } from './events-harness.ts';

const ROOM = 'chat-show';
const errorOf = (body: Record<string, unknown>) => body.error as { code: string; message: string };

describe('chat, moderation and likes', () => {
  let dir: TestDir;
  let relay: Relay;
  let viewer: Viewer;
  const say = (who: string, text: unknown, name: unknown = 'Ann') => api(relay, 'POST', `/v1/rooms/${ROOM}/chat`, { shopper: who, name, text });

  before(async () => {
    dir = tempDatabase();
    relay = await relayOn(dir.db);
    relay.rooms.upsert(ROOM, { title: 'Chat test' });
    viewer = new Viewer(relay, ROOM);
    await viewer.opened;
  });
  after(async () => {
    await viewer.close();
    await relay.close();
    dir.remove();
  });

  it('relays a message with an author digest, never the shopper id, and leaves markup as it was typed', async () => {
    const text = '<img src=x onerror="alert(1)"> <script>alert(2)</script>';
    const reply = await say(shopper('ann'), text, '<b>Ann</b>');
    assert.equal(reply.status, 201);
    const event = await viewer.next((m) => m.type === 'chat' && m.data.id === reply.body.id);
    assert.equal(event.data.text, text, 'stored and sent as plain text; the widget renders it as text');
    assert.equal(event.data.name, '<b>Ann</b>');
    assert.match(event.data.author, /^[A-Za-z0-9_-]{12}$/);
    assert.ok(!JSON.stringify(event.data).includes(shopper('ann')));
  });

  it('refuses empty, too long and malformed messages, saying which field', async () => {
    const cases: Array<[unknown, unknown, string, RegExp]> = [
      ['', 'Ann', 'invalid_field', /^text is empty/],
      ['   \u0000\u200b ', 'Ann', 'invalid_field', /^text is empty/],
      ['x'.repeat(281), 'Ann', 'too_long', /^text must be at most 280 characters, got 281/],
      [42, 'Ann', 'invalid_field', /^text must be a string/],
      ['hi', '', 'invalid_field', /^name is empty/],
      ['hi', 'n'.repeat(41), 'too_long', /^name must be at most 40/],
    ];
    for (const [text, name, code, explained] of cases) {
      const reply = await say(shopper('val'), text, name);
      assert.equal(reply.status, 400, JSON.stringify({ text, name }));
      assert.equal(errorOf(reply.body).code, code);
      assert.match(errorOf(reply.body).message, explained);
    }
    assert.equal((await say('bad id', 'hi')).status, 400);
    assert.equal((await api(relay, 'POST', '/v1/rooms/nope/chat', { shopper: shopper(1), name: 'A', text: 'hi' })).status, 404);
    assert.equal([...'😀'.repeat(280)].length, 280);
    assert.equal((await say(shopper('emoji'), '😀'.repeat(280))).status, 201, 'length counts characters, not UTF-16 units');
  });

  it('rate-limits a shopper who floods the chat, and explains when to retry', async () => {
    const replies = [];
    for (let n = 0; n < 7; n++) replies.push(await say(shopper('flood'), `flood ${n}`));
    const limited = replies.filter((r) => r.status === 429);
    assert.ok(limited.length >= 1, 'a burst beyond five is refused');
    assert.equal(replies[0]!.status, 201);
    assert.match(errorOf(limited[0]!.body).message, /try again in \d+ s/);
  });

  it('lets the host delete a message, for everyone and for newcomers', async () => {
    const reply = await say(shopper('del'), 'buy elsewhere');
    const id = reply.body.id as string;
    assert.equal((await api(relay, 'DELETE', `/v1/rooms/${ROOM}/chat/${id}`)).status, 401);
    assert.equal((await api(relay, 'DELETE', `/v1/rooms/${ROOM}/chat/${id}`, undefined, { host: true })).status, 200);
    await viewer.next((m) => m.type === 'chat-delete' && m.data.id === id);
    assert.equal((await api(relay, 'DELETE', `/v1/rooms/${ROOM}/chat/${id}`, undefined, { host: true })).status, 404);
    const newcomer = new Viewer(relay, ROOM);
    await newcomer.opened;
    const snapshot = await newcomer.next((m) => m.type === 'snapshot');
    assert.ok(!snapshot.data.chat.messages.some((m: { id: string }) => m.id === id));
    await newcomer.close();
  });

  it('mutes an author until the host unmutes them', async () => {
    const first = await say(shopper('troll'), 'first');
    const author = first.body.author as string;
    const mute = await api(relay, 'POST', `/v1/rooms/${ROOM}/chat/mutes`, { author, minutes: 10 }, { host: true });
    assert.equal(mute.status, 200);
    await viewer.next((m) => m.type === 'chat-mute' && m.data.author === author);
    const refused = await say(shopper('troll'), 'again');
    assert.equal(refused.status, 403);
    assert.equal(errorOf(refused.body).code, 'muted');
    assert.match(errorOf(refused.body).message, /muted you until \d{4}-/);
    assert.equal((await say(shopper('bystander'), 'still here')).status, 201, 'others are not muted');
    for (const bad of [{ author: 'x' }, { author, minutes: 0 }, { author, minutes: 'ten' }]) {
      assert.equal((await api(relay, 'POST', `/v1/rooms/${ROOM}/chat/mutes`, bad, { host: true })).status, 400);
    }
    assert.equal((await api(relay, 'DELETE', `/v1/rooms/${ROOM}/chat/mutes/${author}`, undefined, { host: true })).status, 200);
    await sleep(2100); // past the per-shopper rate limit of this author's earlier messages
    assert.equal((await say(shopper('troll'), 'sorry')).status, 201);
  });

  it('enforces slow mode and masks blocklisted words (whole words, any case)', async () => {
    const settings = await api(relay, 'PUT', `/v1/rooms/${ROOM}/chat/settings`, { slowModeSeconds: 30, blocklist: ['scam', 'fake'] }, { host: true });
    assert.equal(settings.status, 200);
    assert.deepEqual(settings.body, { slowModeSeconds: 30, blocklist: ['scam', 'fake'] });
    await viewer.next((m) => m.type === 'chat-settings' && m.data.slowModeSeconds === 30);
    assert.ok(!viewer.events('chat-settings').some((m) => 'blocklist' in m.data), 'the blocklist is not broadcast');
    const masked = await say(shopper('slow'), 'This is a SCAM, fake! not a scammer');
    assert.equal(masked.body.text, 'This is a ****, ****! not a scammer');
    const second = await say(shopper('slow'), 'one more');
    assert.equal(second.status, 429);
    assert.equal(errorOf(second.body).code, 'slow_mode');
    assert.match(errorOf(second.body).message, /one message every 30 s; try again in \d+ s/);
    const host = await api(relay, 'POST', `/v1/rooms/${ROOM}/chat`, { text: 'Host speaking' }, { host: true });
    assert.equal(host.status, 201);
    assert.equal(host.body.host, true);
    for (const bad of [{ slowModeSeconds: -1 }, { slowModeSeconds: 601 }, { blocklist: 'scam' }, { blocklist: [''] }, { blocklist: [1] }]) {
      assert.equal((await api(relay, 'PUT', `/v1/rooms/${ROOM}/chat/settings`, bad, { host: true })).status, 400, JSON.stringify(bad));
    }
    assert.equal((await api(relay, 'PUT', `/v1/rooms/${ROOM}/chat/settings`, { slowModeSeconds: 0 })).status, 401);
    await api(relay, 'PUT', `/v1/rooms/${ROOM}/chat/settings`, { slowModeSeconds: 0, blocklist: [] }, { host: true });
  });

  it('sums likes into a few events carrying the running total', async () => {
    const before = viewer.events('likes').length;
    await Promise.all(Array.from({ length: 40 }, (_, n) => api(relay, 'POST', `/v1/rooms/${ROOM}/likes`, { shopper: shopper(`like${n % 8}`), count: 5 })));
    const last = await viewer.next((m) => m.type === 'likes' && m.data.total === 200);
    assert.equal(last.data.total, 200);
    const events = viewer.events('likes').slice(before);
    assert.ok(events.length <= 4, `200 likes arrived as ${events.length} events`);
    assert.equal(events.reduce((sum, m) => sum + m.data.delta, 0), 200);
    for (const bad of [0, 51, 1.5, '3']) {
      const reply = await api(relay, 'POST', `/v1/rooms/${ROOM}/likes`, { shopper: shopper('l'), count: bad });
      assert.equal(reply.status, 400, String(bad));
    }
    const greedy = [];
    for (let n = 0; n < 4; n++) greedy.push(await api(relay, 'POST', `/v1/rooms/${ROOM}/likes`, { shopper: shopper('greedy'), count: 50 }));
    assert.equal(greedy.filter((r) => r.status === 429).length >= 1, true, 'one shopper cannot send hundreds of likes at once');
  });

  it('closes the chat when the show has ended', async () => {
    relay.rooms.setStatus(ROOM, 'ended');
    const reply = await say(shopper('late'), 'hello?');
    assert.equal(reply.status, 409);
    assert.equal(errorOf(reply.body).code, 'show_ended');
  });
});
