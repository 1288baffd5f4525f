import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Db } from '../store/db.ts';
import { EventLog, RETAINED_EVENTS_PER_ROOM, type RoomEvent } from './log.ts';
import { prepareTextFrame, writeFrame } from './frame.ts';

export type { RoomEvent } from './log.ts';

export interface EventHubOptions {
  /** Events published within one tick go out as one frame per client. */
  tickMs?: number;
  /** A client whose socket holds more unsent bytes than this is skipped and later resynced. */
  maxBufferedBytes?: number;
  /** A client that stays too slow this long is disconnected; it reconnects and resumes. */
  maxLagMs?: number;
  /** A flush writes this many clients, then lets the event loop take new connections and requests. */
  flushSliceClients?: number;
}

const DEFAULTS: Required<EventHubOptions> = { tickMs: 100, maxBufferedBytes: 512 * 1024, maxLagMs: 30_000, flushSliceClients: 1000 };

/** Viewer counts change with every join and leave; they are sent at most this often. */
const VIEWER_COUNT_INTERVAL_MS = 250;
/** Join notices are gathered and sent at most this often per room, naming at most a few people. */
const JOIN_INTERVAL_MS = 1000;
const JOIN_NAMES_SHOWN = 3;
const JOIN_NAME = /^[\p{L}\p{N} ._'-]{1,40}$/u;

interface Client {
  ws: WebSocket;
  host: boolean;
  /** The last seq this client was sent (or resynced to). */
  sentSeq: number;
  /** When it fell behind; null while it keeps up. */
  laggingSince: number | null;
}

/** A flush under way: one batch going to every client, a slice at a time. */
interface Flush {
  batch: RoomEvent[];
  /** Clients not written yet; one who joins meanwhile is visited too, and skipped (it has the batch). */
  clients: Iterator<Client>;
  /** The batch framed once, on first use. */
  frame: Buffer | null;
  now: number;
}

interface Channel {
  room: string;
  seq: number;
  clients: Set<Client>;
  hosts: number;
  pending: RoomEvent[];
  flushedAt: number;
  flushQueued: boolean;
  flush: Flush | null;
  /** A flush was due while one was under way: it starts when that one ends, so batches never interleave. */
  flushAgain: boolean;
  /** A flush held back until a tick after the last one (see flushChannel). */
  flushTimer: NodeJS.Timeout | null;
  viewersDirty: boolean;
  viewersSentAt: number;
  joins: string[];
  joinsOthers: number;
  joinsSentAt: number;
}

type SnapshotPart = (room: string) => unknown;

/**
 * What the fan-out did since the hub started, for tracing it under load (the event benchmark's
 * relay prints them per interval): flushes that sent events, frames written (one per client
 * per flush), ticks, and the worst tick lateness and flush duration since the reader last looked.
 */
export interface EventHubCounters {
  flushes: number;
  /** Of those, flushes that a publish started at once rather than a tick. */
  immediateFlushes: number;
  /** The longest slice of a flush (ms of a blocked event loop), since the reader last set this to 0. */
  flushMaxMs: number;
  framesWritten: number;
  ticks: number;
  /** How late a tick ran past its due time (the event loop was busy), at most, since the reader last set this to 0. */
  tickLateMaxMs: number;
}

/**
 * The room's event stream over WebSocket, for every viewer whatever the video transport.
 *
 * Every event is written to the {@link EventLog} first, then sent to everyone once per tick in
 * one frame. A new connection gets a `snapshot` (what the room looks like now, with the seq it
 * is valid at); a reconnection with `?since=<seq>` gets exactly the events after that seq
 * instead, so it sees each event once. A client too slow to keep up is skipped rather than
 * buffered without bound, and is sent a fresh snapshot once its socket drains.
 */
export class EventHub {
  private readonly channels = new Map<string, Channel>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly log: EventLog;
  private readonly options: Required<EventHubOptions>;
  private readonly parts = new Map<string, SnapshotPart>();
  private readonly tickHooks: Array<(now: number, closing: boolean) => void> = [];
  private readonly publishListeners = new Set<(room: string, event: RoomEvent) => void>();
  private readonly timer: NodeJS.Timeout;
  private lastTickAt = Date.now();
  readonly counters: EventHubCounters = { flushes: 0, immediateFlushes: 0, flushMaxMs: 0, framesWritten: 0, ticks: 0, tickLateMaxMs: 0 };

  constructor(
    db: Db,
    private readonly roomSnapshot: (room: string) => object | null,
    options: EventHubOptions = {},
  ) {
    this.log = new EventLog(db);
    this.options = { ...DEFAULTS, ...options };
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  viewers(room: string): number {
    const channel = this.channels.get(room);
    return channel ? channel.clients.size - channel.hosts : 0;
  }

  /** Adds `key: part(room)` to every snapshot: how a feature (chat, pins) tells a newcomer its state. */
  addSnapshotPart(key: string, part: SnapshotPart): void {
    this.parts.set(key, part);
  }

  /** Runs before each flush: aggregators (likes) publish what they gathered; `closing` on the last one. */
  onTick(hook: (now: number, closing: boolean) => void): void {
    this.tickHooks.push(hook);
  }

  /** Hears every event as it is published (the replay recorder keeps the pins of a show). */
  onPublish(listener: (room: string, event: RoomEvent) => void): () => void {
    this.publishListeners.add(listener);
    return () => this.publishListeners.delete(listener);
  }

  /** Stores the event and queues it for the next tick's frame; returns it with its seq. */
  publish<T>(room: string, type: string, data: T): RoomEvent<T> {
    const channel = this.channel(room);
    const event: RoomEvent<T> = { seq: channel.seq + 1, time: Date.now(), type, data };
    this.log.append(room, event);
    channel.seq = event.seq;
    channel.pending.push(event);
    for (const listener of this.publishListeners) listener(room, event);
    // The first event after a quiet tick goes out at once (a pin should not wait); under load,
    // events keep gathering until the next tick.
    if (!channel.flushQueued && event.time - channel.flushedAt >= this.options.tickMs) {
      channel.flushQueued = true;
      setImmediate(() => {
        if (channel.pending.length > 0) this.counters.immediateFlushes += 1;
        this.flushChannel(channel, Date.now());
      });
    }
    return event;
  }

  /** The room as a newcomer must see it, valid at the returned seq. */
  snapshot(room: string): RoomEvent {
    const channel = this.channel(room);
    const data: Record<string, unknown> = { ...this.roomSnapshot(room) };
    for (const [key, part] of this.parts) data[key] = part(room);
    return { seq: channel.seq, time: Date.now(), type: 'snapshot', data };
  }

  /** Takes over an HTTP upgrade that the router matched to a known room. */
  accept(room: string, req: IncomingMessage, socket: Duplex, head: Buffer, options: { host: boolean }): void {
    const query = new URL(req.url ?? '/', 'http://relay').searchParams;
    const since = parseSince(query.get('since'));
    const name = query.get('name')?.trim() ?? '';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const channel = this.channel(room);
      const client: Client = { ws, host: options.host, sentSeq: channel.seq, laggingSince: null };
      channel.clients.add(client);
      if (options.host) channel.hosts += 1;
      channel.viewersDirty = true;
      const missed = since === null ? null : this.log.since(room, since, RETAINED_EVENTS_PER_ROOM);
      if (missed === null) this.sendSnapshot(client, channel);
      else if (missed.length > 0) ws.send(JSON.stringify(missed));
      // A resumed connection is the same person coming back: no second join notice.
      if (since === null && !options.host && JOIN_NAME.test(name)) this.noteJoin(channel, name);
      let refused = 0;
      ws.on('message', () => {
        // Explained a few times, then the socket is closed: nobody needs to say more to it.
        if (++refused > 5) return ws.close(1008, 'this socket only sends events');
        this.tell(ws, 'error', { code: 'not_accepted', message: 'this socket only sends events; post actions to the HTTP API' });
      });
      ws.on('close', () => {
        channel.clients.delete(client);
        if (client.host) channel.hosts -= 1;
        channel.viewersDirty = true;
      });
      ws.on('error', () => ws.terminate());
    });
  }

  /** Sends one client a message outside the room's sequence (an error about its own action). */
  tell(ws: WebSocket, type: string, data: unknown): void {
    ws.send(JSON.stringify({ time: Date.now(), type, data }));
  }

  close(): void {
    clearInterval(this.timer);
    for (const hook of this.tickHooks) hook(Date.now(), true);
    // The last events go out whole, now: the sockets close next.
    for (const channel of this.channels.values()) {
      if (channel.flushTimer) clearTimeout(channel.flushTimer);
      if (channel.flush) this.writeSlice(channel, Infinity);
      this.flushChannel(channel, Date.now(), Infinity);
    }
    for (const channel of this.channels.values()) for (const client of channel.clients) client.ws.terminate();
    this.wss.close();
  }

  private channel(room: string): Channel {
    let channel = this.channels.get(room);
    if (!channel) {
      channel = {
        room,
        seq: this.log.lastSeq(room),
        clients: new Set(),
        hosts: 0,
        pending: [],
        flushedAt: 0,
        flushQueued: false,
        flush: null,
        flushAgain: false,
        flushTimer: null,
        viewersDirty: false,
        viewersSentAt: 0,
        joins: [],
        joinsOthers: 0,
        joinsSentAt: 0,
      };
      this.channels.set(room, channel);
    }
    return channel;
  }

  private noteJoin(channel: Channel, name: string): void {
    if (channel.joins.length < JOIN_NAMES_SHOWN) channel.joins.push(name);
    else channel.joinsOthers += 1;
  }

  private tick(): void {
    const now = Date.now();
    this.counters.ticks += 1;
    this.counters.tickLateMaxMs = Math.max(this.counters.tickLateMaxMs, now - this.lastTickAt - this.options.tickMs);
    this.lastTickAt = now;
    for (const hook of this.tickHooks) hook(now, false);
    for (const channel of this.channels.values()) {
      if (channel.viewersDirty && now - channel.viewersSentAt >= VIEWER_COUNT_INTERVAL_MS) {
        channel.viewersDirty = false;
        channel.viewersSentAt = now;
        this.publish(channel.room, 'viewers', { count: this.viewers(channel.room) });
      }
      if (channel.joins.length > 0 && now - channel.joinsSentAt >= JOIN_INTERVAL_MS) {
        channel.joinsSentAt = now;
        this.publish(channel.room, 'join', { names: channel.joins, others: channel.joinsOthers });
        channel.joins = [];
        channel.joinsOthers = 0;
      }
    }
    this.flush(now);
  }

  private flush(now = Date.now()): void {
    for (const channel of this.channels.values()) this.flushChannel(channel, now);
  }

  /**
   * Sends the channel's pending events to every client as one frame. Writing 10,000 sockets takes
   * tens of ms, and libuv accepts one connection per event-loop turn (libuv#3696): a flush done
   * in one go starves new viewers and posts (each waits for whole flushes in the accept queue,
   * seconds once flushes fill the loop). So it writes `flushSliceClients` at a time and lets the
   * loop turn in between; a flush due meanwhile waits for this one, so each client gets the
   * batches in order.
   *
   * Events go out at most once per tick, however late the loop runs: when ticks run late, a
   * publish ("at once after a quiet tick") and the late tick would otherwise each send a frame
   * to every client within a few ms, more work for a loop already behind.
   */
  private flushChannel(channel: Channel, now: number, slice = this.options.flushSliceClients): void {
    channel.flushQueued = false;
    if (channel.flush) {
      channel.flushAgain = true;
      return;
    }
    const wait = channel.flushedAt + this.options.tickMs - now;
    if (channel.pending.length > 0 && wait > 0 && slice !== Infinity) {
      channel.flushTimer ??= setTimeout(() => {
        channel.flushTimer = null;
        this.flushChannel(channel, Date.now());
      }, wait);
      return;
    }
    if (channel.pending.length > 0) {
      channel.flushedAt = now;
      this.counters.flushes += 1;
    }
    channel.flush = { batch: channel.pending, clients: channel.clients.values(), frame: null, now };
    channel.pending = [];
    this.writeSlice(channel, slice);
  }

  private writeSlice(channel: Channel, slice: number): void {
    const flush = channel.flush;
    if (!flush) return; // finished by close()
    const started = performance.now();
    let written = 0;
    for (let next = flush.clients.next(); !next.done; next = flush.clients.next()) {
      this.send(next.value, channel, flush);
      if (++written >= slice) {
        this.counters.flushMaxMs = Math.max(this.counters.flushMaxMs, performance.now() - started);
        setImmediate(() => this.writeSlice(channel, this.options.flushSliceClients));
        return;
      }
    }
    this.counters.flushMaxMs = Math.max(this.counters.flushMaxMs, performance.now() - started);
    channel.flush = null;
    if (channel.flushAgain) {
      channel.flushAgain = false;
      this.flushChannel(channel, Date.now(), slice);
    }
  }

  /** One client's part of a flush: the batch (from what it lacks), a resync, or nothing. */
  private send(client: Client, channel: Channel, flush: Flush): void {
    const { ws } = client;
    const { batch, now } = flush;
    if (ws.readyState !== ws.OPEN) return;
    if (client.laggingSince !== null) {
      this.catchUp(client, channel, now);
      return;
    }
    if (batch.length === 0 || client.sentSeq >= batch[batch.length - 1]!.seq) return;
    if (ws.bufferedAmount > this.options.maxBufferedBytes) {
      client.laggingSince = now;
      return;
    }
    if (client.sentSeq < batch[0]!.seq) {
      flush.frame ??= prepareTextFrame(JSON.stringify(batch));
      writeFrame(ws, flush.frame);
    } else {
      // Joined during this tick: it already has everything up to its snapshot or resume point.
      ws.send(JSON.stringify(batch.filter((event) => event.seq > client.sentSeq)));
    }
    this.counters.framesWritten += 1;
    client.sentSeq = batch[batch.length - 1]!.seq;
  }

  /** A lagging client gets one fresh snapshot once its socket has drained, or is dropped if it never does. */
  private catchUp(client: Client, channel: Channel, now: number): void {
    if (client.ws.bufferedAmount <= this.options.maxBufferedBytes / 8) {
      client.laggingSince = null;
      this.sendSnapshot(client, channel);
    } else if (now - client.laggingSince! > this.options.maxLagMs) {
      client.ws.terminate();
    }
  }

  private sendSnapshot(client: Client, channel: Channel): void {
    const snapshot = this.snapshot(channel.room);
    client.ws.send(JSON.stringify(snapshot));
    client.sentSeq = snapshot.seq;
  }
}

function parseSince(raw: string | null): number | null {
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
