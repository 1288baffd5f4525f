import type { Db } from '../store/db.ts';

export type RoomStatus = 'scheduled' | 'live' | 'ended';

export interface Room {
  name: string;
  title: string;
  poster: string | null;
  scheduledAt: number | null;
  status: RoomStatus;
  startedAt: number | null;
  endedAt: number | null;
}

export interface RoomDetails {
  title: string;
  poster?: string | undefined;
  scheduledAt?: number | undefined;
}

interface RoomRow {
  name: string;
  title: string;
  poster: string | null;
  scheduled_at: number | null;
  status: RoomStatus;
  started_at: number | null;
  ended_at: number | null;
}

const fromRow = (row: RoomRow): Room => ({
  name: row.name,
  title: row.title,
  poster: row.poster,
  scheduledAt: row.scheduled_at,
  status: row.status,
  startedAt: row.started_at,
  endedAt: row.ended_at,
});

type Listener = (room: Room, previous: RoomStatus | null) => void;

/** Rooms and their show status, kept in SQLite; listeners hear every status change. */
export class Rooms {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly db: Db) {}

  get(name: string): Room | null {
    const row = this.db.statement('SELECT * FROM rooms WHERE name = ?').get(name) as RoomRow | undefined;
    return row ? fromRow(row) : null;
  }

  list(): Room[] {
    return (this.db.statement('SELECT * FROM rooms ORDER BY name').all() as RoomRow[]).map(fromRow);
  }

  /** Creates the room, or updates its title, poster and schedule; the show status is left as it is. */
  upsert(name: string, details: RoomDetails): Room {
    this.db
      .statement(
        `INSERT INTO rooms (name, title, poster, scheduled_at, status, updated_at)
         VALUES (@name, @title, @poster, @scheduledAt, 'scheduled', @now)
         ON CONFLICT (name) DO UPDATE SET title = @title, poster = @poster, scheduled_at = @scheduledAt, updated_at = @now`,
      )
      .run({ name, title: details.title, poster: details.poster ?? null, scheduledAt: details.scheduledAt ?? null, now: Date.now() });
    return this.get(name)!;
  }

  /** Moves a room to `live` or `ended`; a repeated transition is a no-op, so webhooks may be redelivered. */
  setStatus(name: string, status: RoomStatus, at = Date.now()): Room | null {
    const before = this.get(name);
    if (!before || before.status === status) return before;
    const stamp = status === 'live' ? 'started_at = @at, ended_at = NULL' : status === 'ended' ? 'ended_at = @at' : 'started_at = NULL, ended_at = NULL';
    this.db.statement(`UPDATE rooms SET status = @status, ${stamp}, updated_at = @at WHERE name = @name`).run({ name, status, at });
    const after = this.get(name)!;
    for (const listener of this.listeners) listener(after, before.status);
    return after;
  }

  onStatus(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
