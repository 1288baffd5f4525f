/**
 * Shared by the event, chat, catalog and commerce tests: a real relay on loopback (with its own
 * LiveKit dev server) on a SQLite file that outlives it, a small HTTP client, and a WebSocket
 * client that records everything the room's stream sends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startRelay, type Relay } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { RoomEvent } from '../../server/events/hub.ts';

export const HOST_KEY = 'test-host-key-0123456789';

export interface TestDir {
  db: string;
  remove(): void;
}

export function tempDatabase(): TestDir {
  const dir = mkdtempSync(join(tmpdir(), 'live-shop-events-'));
  return { db: join(dir, 'relay.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function relayOn(db: string, env: Record<string, string> = {}): Promise<Relay> {
  return startRelay(
    loadConfig({ LIVE_SHOP_HOST_KEY: HOST_KEY, LIVE_SHOP_PORT: '0', LIVE_SHOP_DB: db, LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN, ...env }),
  );
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = Record<string, unknown>>(
  relay: Relay,
  method: string,
  path: string,
  body?: unknown,
  options: { host?: boolean; headers?: Record<string, string>; raw?: string; type?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.host) headers.authorization = `Bearer ${HOST_KEY}`;
  let payload: string | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
    headers['content-type'] = options.type ?? 'text/csv';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${relay.url}${path}`, { method, headers, body: payload });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

export interface StreamMessage extends Partial<RoomEvent> {
  type: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A viewer's socket: every event in arrival order, batches unpacked. */
export class Viewer {
  readonly messages: StreamMessage[] = [];
  readonly frames: number[] = [];
  private waiters: Array<() => void> = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(relay: Relay, room: string, query: Record<string, string> = {}) {
    const url = new URL(`${relay.url.replace(/^http/, 'ws')}/v1/rooms/${room}/events`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (raw) => {
      const parsed = JSON.parse(String(raw)) as StreamMessage | StreamMessage[];
      const list = Array.isArray(parsed) ? parsed : [parsed];
      this.frames.push(list.length);
      this.messages.push(...list);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  events(type?: string): StreamMessage[] {
    return this.messages.filter((m) => m.type !== 'snapshot' && (type === undefined || m.type === type));
  }

  /** Resolves with the first message matching, waiting up to `ms`. */
  async next(match: (m: StreamMessage) => boolean, ms = 5000): Promise<StreamMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event within ${ms} ms; got ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  lastSeq(): number {
    return Math.max(-1, ...this.messages.filter((m) => typeof m.seq === 'number').map((m) => m.seq!));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A shopper id as the widget makes one. */
export const shopper = (n: number | string) => `shopper-${String(n).padStart(6, '0')}`;
