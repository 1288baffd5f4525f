import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.ts';

export interface ChatMessage {
  id: string;
  /** A one-way digest of the shopper's id: stable per shopper, what the host mutes. */
  author: string;
  name: string;
  text: string;
  host: boolean;
  time: number;
}

export interface ChatSettings {
  slowModeSeconds: number;
  blocklist: string[];
}

interface MessageRow {
  id: string;
  author: string;
  name: string;
  text: string;
  host: number;
  time: number;
}

/** How much of the chat a newcomer is shown. */
export const RECENT_MESSAGES = 50;
/**
 * Messages kept per room; older ones are deleted. Only the recent ones are ever read (snapshots)
 * or moderated; the event log keeps its own bounded copy for reconnecting viewers.
 */
export const CHAT_RETAINED_PER_ROOM = 1000;

/** Chat messages, moderation (deletions, mutes, slow mode, blocklist) and the room's like total, in SQLite. */
export class Chat {
  private blockCache = new Map<string, RegExp | null>();
  /** Messages added per room since its last pruning: rooms are pruned every tenth of the retention. */
  private addedSincePrune = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly retainedPerRoom = CHAT_RETAINED_PER_ROOM,
  ) {}

  add(room: string, message: Omit<ChatMessage, 'id' | 'time'>, now = Date.now()): ChatMessage {
    const stored: ChatMessage = { ...message, text: this.filter(room, message.text), id: randomUUID(), time: now };
    this.db
      .statement('INSERT INTO chat_messages (room, id, author, name, text, host, time) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(room, stored.id, stored.author, stored.name, stored.text, stored.host ? 1 : 0, stored.time);
    const added = (this.addedSincePrune.get(room) ?? 0) + 1;
    if (added >= Math.max(1, Math.floor(this.retainedPerRoom / 10))) {
      this.addedSincePrune.delete(room);
      this.prune(room);
    } else {
      this.addedSincePrune.set(room, added);
    }
    return stored;
  }

  /** Deletes all but the newest `retainedPerRoom` messages of the room (in the order `recent` reads them). */
  private prune(room: string): void {
    this.db
      .statement(
        `DELETE FROM chat_messages WHERE room = ? AND rowid IN
           (SELECT rowid FROM chat_messages WHERE room = ? ORDER BY time DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      )
      .run(room, room, this.retainedPerRoom);
  }

  recent(room: string, limit = RECENT_MESSAGES): ChatMessage[] {
    const rows = this.db
      .statement('SELECT id, author, name, text, host, time FROM chat_messages WHERE room = ? AND deleted = 0 ORDER BY time DESC, rowid DESC LIMIT ?')
      .all(room, limit) as MessageRow[];
    return rows.reverse().map((row) => ({ ...row, host: row.host === 1 }));
  }

  remove(room: string, id: string): boolean {
    return this.db.statement('UPDATE chat_messages SET deleted = 1 WHERE room = ? AND id = ? AND deleted = 0').run(room, id).changes > 0;
  }

  /** Mutes an author until then; the room's mutes that have run out go at the same time, so they never pile up. */
  mute(room: string, author: string, until: number, now = Date.now()): void {
    this.db.statement('DELETE FROM chat_mutes WHERE room = ? AND until <= ?').run(room, now);
    this.db.statement('INSERT INTO chat_mutes (room, author, until) VALUES (?, ?, ?) ON CONFLICT (room, author) DO UPDATE SET until = excluded.until').run(room, author, until);
  }

  unmute(room: string, author: string): boolean {
    return this.db.statement('DELETE FROM chat_mutes WHERE room = ? AND author = ?').run(room, author).changes > 0;
  }

  mutedUntil(room: string, author: string, now = Date.now()): number | null {
    const row = this.db.statement('SELECT until FROM chat_mutes WHERE room = ? AND author = ? AND until > ?').get(room, author, now) as { until: number } | undefined;
    return row?.until ?? null;
  }

  settings(room: string): ChatSettings {
    const row = this.db.statement('SELECT slow_mode_seconds, blocklist FROM chat_settings WHERE room = ?').get(room) as { slow_mode_seconds: number; blocklist: string } | undefined;
    return { slowModeSeconds: row?.slow_mode_seconds ?? 0, blocklist: row ? (JSON.parse(row.blocklist) as string[]) : [] };
  }

  configure(room: string, settings: ChatSettings): void {
    this.db
      .statement(
        `INSERT INTO chat_settings (room, slow_mode_seconds, blocklist) VALUES (?, ?, ?)
         ON CONFLICT (room) DO UPDATE SET slow_mode_seconds = excluded.slow_mode_seconds, blocklist = excluded.blocklist`,
      )
      .run(room, settings.slowModeSeconds, JSON.stringify(settings.blocklist));
    this.blockCache.delete(room);
  }

  likes(room: string): number {
    const row = this.db.statement('SELECT likes FROM chat_settings WHERE room = ?').get(room) as { likes: number } | undefined;
    return row?.likes ?? 0;
  }

  addLikes(room: string, count: number): number {
    this.db.statement('INSERT INTO chat_settings (room, likes) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET likes = likes + excluded.likes').run(room, count);
    return this.likes(room);
  }

  /** Blocked words are masked, whole words only and ignoring case: "Scam" in "scammer" stays. */
  private filter(room: string, text: string): string {
    let pattern = this.blockCache.get(room);
    if (pattern === undefined) {
      const words = this.settings(room).blocklist;
      pattern = words.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}])(${words.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
      this.blockCache.set(room, pattern);
    }
    return pattern ? text.replace(pattern, (word) => '*'.repeat([...word].length)) : text;
  }
}

const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
