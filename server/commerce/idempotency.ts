import type { Statement } from 'better-sqlite3';
import { RelayError } from '../http/errors.ts';
import type { Db } from '../store/db.ts';

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
 * stored together or not at all.
 */
export class Idempotency {
  private readonly find: Statement;
  private readonly save: Statement;

  constructor(db: Db) {
    this.find = db.prepare('SELECT status, body FROM idempotency WHERE scope = ? AND key = ?');
    this.save = db.prepare('INSERT INTO idempotency (scope, key, status, body, created_at) VALUES (?, ?, ?, ?, ?)');
  }

  /** The answer kept for this key, if any: a retry gets it without counting against rate limits. */
  kept(scope: string, key: string | null): (Outcome & { replayed: true }) | null {
    if (key === null) return null;
    const row = this.find.get(scope, key) as { status: number; body: string } | undefined;
    return row ? { status: row.status, body: JSON.parse(row.body) as unknown, replayed: true } : null;
  }

  run(scope: string, key: string | null, action: () => unknown): Outcome & { replayed: boolean } {
    const kept = this.kept(scope, key);
    if (kept) return kept;
    let outcome: Outcome;
    try {
      outcome = { status: 200, body: action() };
    } catch (error) {
      if (!(error instanceof RelayError) || error.status >= 500 || error.status === 429) throw error;
      outcome = { status: error.status, body: { error: { code: error.code, message: error.message } } };
    }
    if (key !== null) this.save.run(scope, key, outcome.status, JSON.stringify(outcome.body), Date.now());
    return { ...outcome, replayed: false };
  }
}
