import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** One event of a room's stream: `seq` increases by one per room, `time` is the relay's clock. */
export interface RoomEvent<T = unknown> {
  seq: number;
  time: number;
  type: string;
  data: T;
}

interface Channel {
  seq: number;
  sockets: Set<WebSocket>;
  /** Sockets of the host's studio: they get every event but are not counted as viewers. */
  hosts: Set<WebSocket>;
  viewersDirty: boolean;
}

/** Viewer counts change with every join and leave; they are sent at most this often. */
const VIEWER_COUNT_INTERVAL_MS = 250;

/**
 * The room's event stream over WebSocket, for every viewer whatever the video transport.
 * A new connection first gets a `snapshot` (what the room looks like now), then every event.
 */
export class EventHub {
  private readonly channels = new Map<string, Channel>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly snapshot: (room: string) => unknown) {
    this.timer = setInterval(() => this.flushViewerCounts(), VIEWER_COUNT_INTERVAL_MS);
    this.timer.unref();
  }

  viewers(room: string): number {
    const channel = this.channels.get(room);
    return channel ? channel.sockets.size - channel.hosts.size : 0;
  }

  publish<T>(room: string, type: string, data: T): RoomEvent<T> {
    const channel = this.channel(room);
    channel.seq += 1;
    const event: RoomEvent<T> = { seq: channel.seq, time: Date.now(), type, data };
    const frame = JSON.stringify(event);
    for (const socket of channel.sockets) socket.send(frame);
    return event;
  }

  /** Takes over an HTTP upgrade that the router matched to a known room. */
  accept(room: string, req: IncomingMessage, socket: Duplex, head: Buffer, options: { host: boolean }): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const channel = this.channel(room);
      channel.sockets.add(ws);
      if (options.host) channel.hosts.add(ws);
      channel.viewersDirty = true;
      ws.send(JSON.stringify({ seq: channel.seq, time: Date.now(), type: 'snapshot', data: this.snapshot(room) }));
      ws.on('close', () => {
        channel.sockets.delete(ws);
        channel.hosts.delete(ws);
        channel.viewersDirty = true;
      });
      ws.on('error', () => ws.terminate());
    });
  }

  close(): void {
    clearInterval(this.timer);
    for (const channel of this.channels.values()) for (const ws of channel.sockets) ws.terminate();
    this.wss.close();
  }

  private channel(room: string): Channel {
    let channel = this.channels.get(room);
    if (!channel) {
      channel = { seq: 0, sockets: new Set(), hosts: new Set(), viewersDirty: false };
      this.channels.set(room, channel);
    }
    return channel;
  }

  private flushViewerCounts(): void {
    for (const [room, channel] of this.channels) {
      if (!channel.viewersDirty) continue;
      channel.viewersDirty = false;
      this.publish(room, 'viewers', { count: this.viewers(room) });
    }
  }
}
