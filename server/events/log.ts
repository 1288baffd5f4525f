import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.ts';

/** One event of a room's stream: `seq` increases by one per room, `time` is the relay's clock. */
export interface RoomEvent<T = unknown> {
  seq: number;
  time: number;
  type: string;
  data: T;
}

interface EventRow {
  seq: number;
  time: number;
  type: string;
  data: string;
}

/** Events older than this many per room are pruned; a client further behind is resynced from a snapshot. */
export const RETAINED_EVENTS_PER_ROOM = 20_000;

/**
 * The room's events in SQLite, written before anyone is sent them: a relay restart keeps the
 * sequence, and a reconnecting client is served what it missed from here.
 */
export class EventLog {
  private readonly insert: Statement;
  private readonly last: Statement;
  private readonly first: Statement;
  private readonly after: Statement;
  private readonly prune: Statement;

  constructor(db: Db) {
    this.insert = db.statement('INSERT INTO events (room, seq, time, type, data) VALUES (?, ?, ?, ?, ?)');
    this.last = db.statement('SELECT MAX(seq) AS seq FROM events WHERE room = ?');
    this.first = db.statement('SELECT MIN(seq) AS seq FROM events WHERE room = ?');
    this.after = db.statement('SELECT seq, time, type, data FROM events WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.prune = db.statement('DELETE FROM events WHERE room = ? AND seq <= ?');
  }

  lastSeq(room: string): number {
    return (this.last.get(room) as { seq: number | null }).seq ?? 0;
  }

  append(room: string, event: RoomEvent): void {
    this.insert.run(room, event.seq, event.time, event.type, JSON.stringify(event.data));
    if (event.seq % 1000 === 0) this.prune.run(room, event.seq - RETAINED_EVENTS_PER_ROOM);
  }

  /**
   * The events after `since`, or null when they cannot all be served (pruned, or more than
   * `limit`), in which case the caller resyncs the client from a snapshot.
   */
  since(room: string, since: number, limit: number): RoomEvent[] | null {
    const last = this.lastSeq(room);
    if (since === last) return [];
    if (since > last) return null; // a seq this relay never issued: the client knows another history
    const first = (this.first.get(room) as { seq: number | null }).seq ?? last + 1;
    if (since + 1 < first || last - since > limit) return null;
    const rows = this.after.all(room, since, limit) as EventRow[];
    return rows.map((row) => ({ seq: row.seq, time: row.time, type: row.type, data: JSON.parse(row.data) as unknown }));
  }
}
