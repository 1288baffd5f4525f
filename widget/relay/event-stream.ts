/** One event of a room's stream, as the relay sends it. */
export interface StreamEvent<T = unknown> {
  seq: number;
  time: number;
  type: string;
  data: T;
}

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface EventStreamOptions {
  base: string;
  room: string;
  /** The studio's connection: it hears everything but is not counted as a viewer. */
  host?: boolean;
  /** The shopper's chat name, if they have one: the relay announces a named join (not a resume). */
  name?: () => string | null;
  onEvent(event: StreamEvent): void;
  onStatus(status: StreamStatus): void;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * The room's event WebSocket, reconnecting with capped exponential backoff and resuming from the
 * last sequence number it saw, so a dropped connection loses nothing.
 */
export class EventStream {
  private socket: WebSocket | null = null;
  private lastSeq = -1;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: EventStreamOptions) {
    this.open();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = null;
    this.options.onStatus('closed');
  }

  private receive(event: StreamEvent): void {
    // A notice about this connection only (an `error`) has no seq and does not move the resume point.
    if (typeof event.seq !== 'number') return this.options.onEvent(event);
    if (event.type !== 'snapshot' && event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.options.onEvent(event);
  }

  private open(): void {
    const url = new URL(`${this.options.base}/v1/rooms/${encodeURIComponent(this.options.room)}/events`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.lastSeq >= 0) url.searchParams.set('since', String(this.lastSeq));
    if (this.options.host) url.searchParams.set('role', 'host');
    const name = this.lastSeq < 0 ? this.options.name?.() : null;
    if (name) url.searchParams.set('name', name);
    this.options.onStatus(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.options.onStatus('open');
    };
    socket.onmessage = (message) => {
      // The relay sends the events of one tick as one array; a snapshot or a notice comes alone.
      const parsed = JSON.parse(String(message.data)) as StreamEvent | StreamEvent[];
      for (const event of Array.isArray(parsed) ? parsed : [parsed]) this.receive(event);
    };
    socket.onclose = () => {
      if (this.closed || this.socket !== socket) return;
      this.attempts += 1;
      this.options.onStatus('reconnecting');
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.attempts, 6)) * (0.75 + Math.random() * 0.5);
      this.retryTimer = setTimeout(() => this.open(), delay);
    };
  }
}
