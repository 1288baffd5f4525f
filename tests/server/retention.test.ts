/**
 * Bounded retention: the chat, mutes and the kept answers of idempotent claims do not grow without end.
 * Runs on a real SQLite database (in memory) with the relay's own migrations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chat } from '../../server/chat/chat.ts';
import { IDEMPOTENCY_RETENTION_MS, Idempotency } from '../../server/commerce/idempotency.ts';
import { openDatabase } from '../../server/store/db.ts';

const rows = (db: ReturnType<typeof openDatabase>, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;

describe('retention', () => {
  it('keeps only the newest messages of each room, and the recent chat is still the newest', () => {
    const db = openDatabase(':memory:');
    const chat = new Chat(db, 20);
    const start = Date.now();
    for (let n = 0; n < 45; n++) chat.add('busy', { author: 'a', name: 'A', text: `m${n}`, host: false }, start + n);
    for (let n = 0; n < 5; n++) chat.add('quiet', { author: 'b', name: 'B', text: `q${n}`, host: false }, start + n);
    const busy = rows(db, 'SELECT COUNT(*) AS n FROM chat_messages WHERE room = ?', 'busy');
    // Pruned every tenth of the retention (2 messages): never more than that above it.
    assert.ok(busy >= 20 && busy <= 22, `${busy} messages kept`);
    assert.deepEqual(chat.recent('busy', 3).map((m) => m.text), ['m42', 'm43', 'm44']);
    assert.equal(chat.recent('busy', 100).at(0)!.text, `m${45 - busy}`, 'the oldest are the ones deleted');
    assert.equal(rows(db, 'SELECT COUNT(*) AS n FROM chat_messages WHERE room = ?', 'quiet'), 5, 'other rooms keep theirs');
    db.close();
  });

  it('forgets mutes that ran out when the host mutes someone else in the room', () => {
    const db = openDatabase(':memory:');
    const chat = new Chat(db, 20);
    const t0 = Date.now();
    chat.mute('r', 'author-a', t0 + 1000, t0);
    chat.mute('other', 'author-c', t0 + 1000, t0);
    chat.mute('r', 'author-b', t0 + 120_000, t0 + 2000);
    assert.deepEqual((db.prepare('SELECT room, author FROM chat_mutes ORDER BY room, author').all()), [
      { room: 'other', author: 'author-c' },
      { room: 'r', author: 'author-b' },
    ]);
    assert.equal(chat.mutedUntil('r', 'author-b', t0 + 2000), t0 + 120_000);
    db.close();
  });

  it('replays a kept answer within the retention, forgets it after, and deletes expired answers', () => {
    const db = openDatabase(':memory:');
    const idempotency = new Idempotency(db);
    const t0 = Date.now();
    let runs = 0;
    const claim = () => ({ code: `CODE-${++runs}` });
    assert.deepEqual(idempotency.run('coupon:c1:s1', 'key-00001', claim, t0).body, { code: 'CODE-1' });
    const retry = idempotency.run('coupon:c1:s1', 'key-00001', claim, t0 + IDEMPOTENCY_RETENTION_MS - 1);
    assert.deepEqual([retry.body, retry.replayed, runs], [{ code: 'CODE-1' }, true, 1]);
    // A day later the key is new again, and the first save after that deletes what expired.
    const later = t0 + IDEMPOTENCY_RETENTION_MS + 60_000;
    assert.equal(idempotency.kept('coupon:c1:s1', 'key-00001', later), null);
    idempotency.run('coupon:c2:s1', 'key-00002', claim, later);
    assert.equal(rows(db, 'SELECT COUNT(*) AS n FROM idempotency WHERE key = ?', 'key-00001'), 0);
    assert.equal(rows(db, 'SELECT COUNT(*) AS n FROM idempotency WHERE key = ?', 'key-00002'), 1);
    const again = idempotency.run('coupon:c1:s1', 'key-00001', claim, later + 1);
    assert.deepEqual([again.body, again.replayed], [{ code: 'CODE-3' }, false]);
    db.close();
  });
});
