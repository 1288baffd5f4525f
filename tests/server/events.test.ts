import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../server/app.ts';
import { EventHub, type EventHubOptions } from '../../server/events/hub.ts';
import { openDatabase } from '../../server/store/db.ts';
import { api, relayOn, shopper, sleep, tempDatabase, Viewer, type TestDir } from './events-harness.ts';

const ROOM = 'stream-show';

const chat = (relay: Relay, n: number) => api(relay, 'POST', `/v1/rooms/${ROOM}/chat`, { text: `message ${n}` }, { host: true });

/** An EventHub on its own HTTP server (no LiveKit), for what the relay's defaults would hide. */
async function bareHub(room: string, options: EventHubOptions) {
  const db = openDatabase(':memory:');
  const hub = new EventHub(db, (name) => ({ room: name }), options);
  const server: Server = createServer();
  server.on('upgrade', (req, socket, head) => hub.accept(room, req, socket, head, { host: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayLike = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` } as Relay;
  const close = async () => {
    hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    db.close();
  };
  return { hub, relayLike, close };
}

/** Keeps the event loop busy, as 10,000 socket writes or a GC pause would: timers come due meanwhile. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function assertContiguous(seqs: number[]): void {
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1, `seq ${seqs[i]} follows ${seqs[i - 1]}`);
}

describe('room event stream', () => {
  let dir: TestDir;
  let relay: Relay;

  before(async () => {
    dir = tempDatabase();
    relay = await relayOn(dir.db);
    relay.rooms.upsert(ROOM, { title: 'Stream test' });
  });
  after(async () => {
    await relay.close();
    dir.remove();
  });

  it('starts with a snapshot, then sends every event once, in order, with increasing seq and server time', async () => {
    const viewer = new Viewer(relay, ROOM);
    await viewer.opened;
    const snapshot = await viewer.next((m) => m.type === 'snapshot');
    assert.equal(snapshot.data.room, ROOM);
    assert.deepEqual(snapshot.data.chat.messages, []);
    for (let n = 0; n < 25; n++) assert.equal((await chat(relay, n)).status, 201);
    await viewer.next((m) => m.type === 'chat' && m.data.text === 'message 24');
    const chats = viewer.events('chat');
    assert.deepEqual(chats.map((m) => m.data.text), Array.from({ length: 25 }, (_, n) => `message ${n}`));
    assertContiguous(viewer.events().map((m) => m.seq!));
    assert.ok(chats.every((m) => typeof m.time === 'number' && Math.abs(m.time - Date.now()) < 10_000));
    await viewer.close();
  });

  it('resumes from ?since=<seq> with exactly the missed events: none lost, none repeated', async () => {
    const first = new Viewer(relay, ROOM);
    await first.opened;
    await first.next((m) => m.type === 'snapshot');
    await chat(relay, 100);
    await first.next((m) => m.data?.text === 'message 100');
    const resumeAt = first.lastSeq();
    await first.close();
    for (let n = 101; n <= 110; n++) await chat(relay, n);
    const second = new Viewer(relay, ROOM, { since: String(resumeAt) });
    await second.opened;
    await second.next((m) => m.data?.text === 'message 110');
    await sleep(300);
    assert.equal(second.messages.filter((m) => m.type === 'snapshot').length, 0, 'a resumed client gets no snapshot');
    const texts = second.events('chat').map((m) => m.data.text);
    assert.deepEqual(texts, Array.from({ length: 10 }, (_, i) => `message ${101 + i}`));
    assert.equal(second.events()[0]!.seq, resumeAt + 1);
    assertContiguous(second.events().map((m) => m.seq!));
    await second.close();
  });

  it('sends a snapshot instead of a resume it cannot serve, and ignores a malformed since', async () => {
    const ahead = new Viewer(relay, ROOM, { since: '999999999' });
    const garbage = new Viewer(relay, ROOM, { since: '12abc' });
    try {
      await Promise.all([ahead.opened, garbage.opened]);
      for (const viewer of [ahead, garbage]) {
        const snapshot = await viewer.next((m) => m.type === 'snapshot');
        assert.ok(snapshot.seq! > 0 && snapshot.seq! < 999999999);
      }
    } finally {
      await Promise.all([ahead.close(), garbage.close()]);
    }
  });

  it('batches the events of one tick into one frame', async () => {
    const viewer = new Viewer(relay, ROOM);
    await viewer.opened;
    await viewer.next((m) => m.type === 'snapshot');
    await sleep(400); // let the viewer-count event of this join go out first
    const framesBefore = viewer.frames.length;
    for (let n = 0; n < 50; n++) relay.events.publish(ROOM, 'test-burst', { n });
    await viewer.next((m) => m.type === 'test-burst' && m.data.n === 49);
    const frames = viewer.frames.slice(framesBefore);
    assert.ok(frames.length <= 2, `50 events in one tick arrived in ${frames.length} frames`);
    assert.deepEqual(viewer.events('test-burst').map((m) => m.data.n), Array.from({ length: 50 }, (_, n) => n));
    await viewer.close();
  });

  it('counts viewers but not the studio, and announces named joins once (not on resume)', async () => {
    const hostSocket = new Viewer(relay, ROOM, { role: 'host' });
    const ann = new Viewer(relay, ROOM, { name: 'Ann' });
    const bob = new Viewer(relay, ROOM, { name: 'Bob' });
    await Promise.all([hostSocket.opened, ann.opened, bob.opened]);
    const count = await hostSocket.next((m) => m.type === 'viewers' && m.data.count === 2);
    assert.equal(count.data.count, 2);
    // Joins are announced in batches; on a busy machine Ann and Bob may fall into two of them.
    const announced = () => hostSocket.events('join').flatMap((m) => m.data.names as string[]).sort();
    await hostSocket.next(() => announced().length >= 2);
    assert.deepEqual(announced(), ['Ann', 'Bob']);
    const resumed = new Viewer(relay, ROOM, { name: 'Ann', since: String(ann.lastSeq()) });
    await resumed.opened;
    await hostSocket.next((m) => m.type === 'viewers' && m.data.count === 3);
    await sleep(1200);
    assert.deepEqual(announced(), ['Ann', 'Bob'], 'a resumed connection is not a new join');
    await Promise.all([hostSocket.close(), ann.close(), bob.close(), resumed.close()]);
  });

  it('explains that the socket takes no actions', async () => {
    const viewer = new Viewer(relay, ROOM);
    await viewer.opened;
    viewer.ws.send(JSON.stringify({ type: 'chat', text: 'hi' }));
    const error = await viewer.next((m) => m.type === 'error');
    assert.equal(error.data.code, 'not_accepted');
    assert.equal(error.seq, undefined, 'a notice to one client has no seq');
    const closed = new Promise<number>((resolve) => viewer.ws.once('close', (code) => resolve(code)));
    for (let n = 0; n < 6; n++) viewer.ws.send('{}');
    assert.equal(await closed, 1008, 'a client that keeps talking is closed with "policy violation"');
  });

  it('refuses sockets for rooms that do not exist', async () => {
    const viewer = new Viewer(relay, 'no-such-room');
    await assert.rejects(viewer.opened, /404/);
  });
});

describe('relay restart mid-show', () => {
  it('keeps events, their order, pins, claims and chat, and clients resume where they were', async () => {
    const dir = tempDatabase();
    let relay = await relayOn(dir.db);
    try {
      relay.rooms.upsert(ROOM, { title: 'Restart test' });
      await api(relay, 'POST', '/v1/catalog', [{ sku: 'MUG', title: 'Mug', price: '12.00', currency: 'EUR' }], { host: true });
      const viewer = new Viewer(relay, ROOM);
      await viewer.opened;
      assert.equal((await api(relay, 'PUT', `/v1/rooms/${ROOM}/pins/MUG`, {}, { host: true })).status, 200);
      const coupon = await api(relay, 'POST', `/v1/rooms/${ROOM}/coupons`, { code: 'KEEP', title: '5 off', quantity: 3, expiresInSeconds: 600 }, { host: true });
      const claim = await api(relay, 'POST', `/v1/rooms/${ROOM}/coupons/${coupon.body.id}/claim`, { shopper: shopper(1) }, { headers: { 'idempotency-key': 'restart-claim-1' } });
      assert.equal(claim.status, 200);
      for (let n = 0; n < 5; n++) await chat(relay, n);
      await viewer.next((m) => m.data?.text === 'message 4');
      const seenBefore = viewer.events().map((m) => m.seq!);
      await relay.close(); // the viewer's socket drops here, as in a crash or deploy
      await viewer.close();

      relay = await relayOn(dir.db);
      const resumed = new Viewer(relay, ROOM, { since: String(Math.max(...seenBefore)) });
      await resumed.opened;
      for (let n = 5; n < 8; n++) assert.equal((await chat(relay, n)).status, 201);
      await resumed.next((m) => m.data?.text === 'message 7');
      const after = resumed.events().map((m) => m.seq!);
      assert.equal(after[0], Math.max(...seenBefore) + 1, 'the sequence continues after the restart');
      assertContiguous(after);
      assert.deepEqual(resumed.events('chat').map((m) => m.data.text), ['message 5', 'message 6', 'message 7']);

      const retry = await api(relay, 'POST', `/v1/rooms/${ROOM}/coupons/${coupon.body.id}/claim`, { shopper: shopper(1) }, { headers: { 'idempotency-key': 'restart-claim-1' } });
      assert.deepEqual(retry.body, claim.body, 'a retried claim after the restart returns the first answer');
      const fresh = new Viewer(relay, ROOM);
      await fresh.opened;
      const snapshot = await fresh.next((m) => m.type === 'snapshot');
      assert.deepEqual(snapshot.data.pins.map((p: { sku: string }) => p.sku), ['MUG']);
      assert.equal(snapshot.data.coupons[0].remaining, 2);
      assert.deepEqual(snapshot.data.chat.messages.map((m: { text: string }) => m.text).slice(-3), ['message 5', 'message 6', 'message 7']);
      await Promise.all([resumed.close(), fresh.close()]);
    } finally {
      await relay.close();
      dir.remove();
    }
  });
});

describe('slow clients', () => {
  it('skips a client whose socket backs up, keeps the others on time, and resyncs it from a snapshot', async () => {
    const db = openDatabase(':memory:');
    const hub = new EventHub(db, (room) => ({ room }), { tickMs: 20, maxBufferedBytes: 64 * 1024 });
    const server: Server = createServer();
    server.on('upgrade', (req, socket, head) => hub.accept('slow', req, socket, head, { host: false }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const relayLike = { url } as Relay;
    const fast = new Viewer(relayLike, 'slow');
    const slow = new Viewer(relayLike, 'slow');
    try {
      await Promise.all([fast.opened, slow.opened]);
      await slow.next((m) => m.type === 'snapshot');
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const filler = 'x'.repeat(16 * 1024);
      // Far more than the kernel's loopback buffers hold, so the relay's own buffer must grow.
      for (let n = 0; n < 800; n++) {
        hub.publish('slow', 'bulk', { n, filler });
        if (n % 20 === 19) await sleep(25);
      }
      await fast.next((m) => m.type === 'bulk' && m.data.n === 799, 20_000);
      assert.deepEqual(fast.events('bulk').map((m) => m.data.n), Array.from({ length: 800 }, (_, n) => n), 'the fast client got everything');
      const last = fast.lastSeq();
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await slow.next((m) => m.type === 'snapshot' && m.seq! >= last, 20_000);
      const bulk = slow.events('bulk').map((m) => m.data.n);
      assert.ok(bulk.length < 800, `the slow client was skipped for a while (got ${bulk.length} of 800 one by one)`);
      assert.ok(slow.messages.filter((m) => m.type === 'snapshot').length >= 2, 'it was resynced with a fresh snapshot');
      // What it did get is in order with no repeats: each event follows the previous one or a snapshot.
      let at = -1;
      for (const m of slow.messages) {
        if (m.type === 'snapshot') assert.ok(m.seq! >= at, 'a resync never goes back');
        else assert.equal(m.seq, at + 1, `event ${m.seq} follows ${at}`);
        at = m.seq!;
      }
    } finally {
      await Promise.all([fast.close(), slow.close()]);
      hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      db.close();
    }
  });

  it('sends at most one frame per tick however late the event loop runs', async () => {
    const { hub, relayLike, close } = await bareHub('late', { tickMs: 100 });
    const viewer = new Viewer(relayLike, 'late');
    try {
      await viewer.opened;
      await viewer.next((m) => m.type === 'snapshot');
      const before = viewer.frames.length;
      const rounds = 5;
      for (let round = 0; round < rounds; round++) {
        busy(150); // the tick is overdue now
        hub.publish('late', 'burst', { n: 2 * round }); // the first after a quiet tick: at once
        await nextTurn();
        hub.publish('late', 'burst', { n: 2 * round + 1 }); // the overdue tick runs next
        await sleep(0);
      }
      await viewer.next((m) => m.type === 'burst' && m.data.n === 2 * rounds - 1);
      const frames = viewer.frames.length - before;
      assert.ok(frames <= rounds + 1, `${2 * rounds} events over ${rounds} late ticks came in ${frames} frames (at most one per tick)`);
      assert.deepEqual(viewer.events('burst').map((m) => m.data.n), Array.from({ length: 2 * rounds }, (_, n) => n));
      // A quiet room still sends the next event at once (a pin should not wait for the tick).
      await sleep(250);
      const sent = Date.now();
      hub.publish('late', 'pin', {});
      await viewer.next((m) => m.type === 'pin');
      assert.ok(Date.now() - sent < 90, `an event after a quiet tick arrived in ${Date.now() - sent} ms`);
    } finally {
      await viewer.close();
      await close();
    }
  });

  it('writes a flush a slice of clients at a time, each client getting every batch once and in order', async () => {
    const { hub, relayLike, close } = await bareHub('sliced', { tickMs: 20, flushSliceClients: 2 });
    const viewers = Array.from({ length: 7 }, () => new Viewer(relayLike, 'sliced'));
    try {
      await Promise.all(viewers.map(async (v) => {
        await v.opened;
        await v.next((m) => m.type === 'snapshot');
      }));
      // Publishing between slices: the next batch must wait for the flush under way.
      for (let n = 0; n < 60; n++) {
        hub.publish('sliced', 'step', { n });
        if (n % 3 === 2) await nextTurn();
      }
      for (const viewer of viewers) {
        await viewer.next((m) => m.type === 'step' && m.data.n === 59);
        assert.deepEqual(viewer.events('step').map((m) => m.data.n), Array.from({ length: 60 }, (_, n) => n));
        assertContiguous(viewer.events().map((m) => m.seq!));
      }
      assert.ok(hub.counters.flushes < 60, `${hub.counters.flushes} flushes for 60 events: they were batched`);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await close();
    }
  });
});
