import type { Statement } from 'better-sqlite3';
import { RelayError } from '../http/errors.ts';
import type { Db } from '../store/db.ts';

/** How long a kept answer is replayed: a retry comes within seconds or minutes, not days. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;
/** Expired answers are deleted at most this often, by the save that finds them due. */
const PRUNE_INTERVAL_MS = 60_000;

/** What an action answered: kept so that a retry with the same key gets the same answer. */
export interface Outcome {
  status: number;
  body: unknown;
}

/**
 * Runs an action at most once per (scope, key). Both answers are kept, success and refusal: a
 * shopper who retries a claim that found the coupon gone is told the same thing again, and one
 * whose first try succeeded but never heard the reply gets that success.
 * Call it inside the same SQLite transaction as the action, so the answer and the effect are
 * stored together or not at all. Answers older than {@link IDEMPOTENCY_RETENTION_MS} are deleted,
 * so the table stays bounded; a claim retried later than that is still one per shopper, as the
 * claim itself checks.
 */
export class Idempotency {
  private readonly find: Statement;
  private readonly save: Statement;
  private readonly prune: Statement;
  private prunedAt = 0;

  constructor(db: Db) {
    this.find = db.statement('SELECT status, body FROM idempotency WHERE scope = ? AND key = ? AND created_at >= ?');
    this.save = db.statement('INSERT OR REPLACE INTO idempotency (scope, key, status, body, created_at) VALUES (?, ?, ?, ?, ?)');
    this.prune = db.statement('DELETE FROM idempotency WHERE created_at < ?');
  }

  /** The answer kept for this key, if any: a retry gets it without counting against rate limits. */
  kept(scope: string, key: string | null, now = Date.now()): (Outcome & { replayed: true }) | null {
    if (key === null) return null;
    const row = this.find.get(scope, key, now - IDEMPOTENCY_RETENTION_MS) as { status: number; body: string } | undefined;
    return row ? { status: row.status, body: JSON.parse(row.body) as unknown, replayed: true } : null;
  }

  run(scope: string, key: string | null, action: () => unknown, now = Date.now()): Outcome & { replayed: boolean } {
    const kept = this.kept(scope, key, now);
    if (kept) return kept;
    let outcome: Outcome;
    try {
      outcome = { status: 200, body: action() };
    } catch (error) {
      if (!(error instanceof RelayError) || error.status >= 500 || error.status === 429) throw error;
      outcome = { status: error.status, body: { error: { code: error.code, message: error.message } } };
    }
    if (key !== null) {
      // REPLACE: an expired answer not pruned yet gives way to the new one.
      this.save.run(scope, key, outcome.status, JSON.stringify(outcome.body), now);
      if (now - this.prunedAt >= PRUNE_INTERVAL_MS) {
        this.prunedAt = now;
        this.prune.run(now - IDEMPOTENCY_RETENTION_MS);
      }
    }
    return { ...outcome, replayed: false };
  }
}
