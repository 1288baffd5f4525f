/**
 * Requests held until a rendition reaches a point in the stream: blocking playlist reloads
 * (rfc8216bis 6.2.5.2) and the preload-hinted part. At the live edge every viewer of a rendition
 * waits for the same next part, so when it appears thousands of requests are due at once: they
 * sit in one list per rendition that the rendition's change releases in one pass, with one timer
 * for all their deadlines. A listener, a timer and a 'close' handler per request were a
 * measurable share of the origin's CPU at 2,000 viewers.
 */
import type { ServerResponse } from 'node:http';
import type { Rendition } from './rendition.ts';

/**
 * What a held request waits for. `part`: a playlist reload with `_HLS_msn` and `_HLS_part`, that
 * part exists. `segment`: a reload with `_HLS_msn` only, that segment is complete. `part-bytes`:
 * the hinted part itself, it exists or its segment closed without it (then 404).
 */
export type Until = 'part' | 'segment' | 'part-bytes';

interface Held {
  until: Until;
  msn: number;
  part: number;
  /** Date.now() after which the request is answered false (503). */
  deadline: number;
  res: ServerResponse;
  resolve: (reached: boolean) => void;
}

/** How often deadlines and gone clients are looked for; the 503 comes at most this late. */
const SWEEP_MS = 100;

export class BlockedRequests {
  private held: Held[] = [];
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly rendition: Rendition) {
    rendition.onChange(() => this.release());
  }

  /**
   * Resolves true once the rendition reaches the point (or ends), false after `limitMs`. A
   * client that goes away is dropped at the next pass, unanswered.
   */
  wait(res: ServerResponse, until: Until, msn: number, part: number, limitMs: number): Promise<boolean> {
    if (this.reached(until, msn, part)) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.held.push({ until, msn, part, deadline: Date.now() + limitMs, res, resolve });
      if (this.sweeper === null) {
        this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
        this.sweeper.unref();
      }
    });
  }

  get size(): number {
    return this.held.length;
  }

  private reached(until: Until, msn: number, part: number): boolean {
    const r = this.rendition;
    if (r.ended) return true;
    if (until === 'segment') return r.lastCompleteMsn >= msn;
    if (r.reached(msn, part)) return true;
    return until === 'part-bytes' && r.nextPartMsn > msn;
  }

  /** One pass over everything held: answer what the change made due, keep the rest. */
  private release(): void {
    const due: Held[] = [];
    const kept: Held[] = [];
    for (const held of this.held) {
      if (held.res.destroyed) continue;
      (this.reached(held.until, held.msn, held.part) ? due : kept).push(held);
    }
    this.held = kept;
    this.stopSweeperIfIdle();
    // Answered after the pass, so a response that triggers more work never sees a half-updated list.
    for (const held of due) held.resolve(true);
  }

  private sweep(): void {
    const now = Date.now();
    const expired: Held[] = [];
    this.held = this.held.filter((held) => {
      if (held.res.destroyed) return false;
      if (held.deadline > now) return true;
      expired.push(held);
      return false;
    });
    this.stopSweeperIfIdle();
    for (const held of expired) held.resolve(false);
  }

  private stopSweeperIfIdle(): void {
    if (this.held.length > 0 || this.sweeper === null) return;
    clearInterval(this.sweeper);
    this.sweeper = null;
  }
}

const byRendition = new WeakMap<Rendition, BlockedRequests>();

/** The held requests of a rendition, created with its first one. */
export function blockedRequests(rendition: Rendition): BlockedRequests {
  let blocked = byRendition.get(rendition);
  if (!blocked) {
    blocked = new BlockedRequests(rendition);
    byRendition.set(rendition, blocked);
  }
  return blocked;
}
