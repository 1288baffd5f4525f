import { map, onMount, type MapStore } from 'nanostores';
import { EventStream, type StreamEvent, type StreamStatus } from '../relay/event-stream.ts';
import { RelayRequestError, relayFetch, roomPath, type RoomInfo } from '../relay/client.ts';
import { $shopperName } from './shopper.ts';

export interface RoomState {
  /** The room as the relay last described it; null until the first answer. */
  info: RoomInfo | null;
  viewers: number;
  stream: StreamStatus;
  /** Why the room cannot be shown (unknown room, relay unreachable); null when all is well. */
  error: { code: string; message: string } | null;
}

type EventHandler = (event: StreamEvent, store: MapStore<RoomState>) => void;

/**
 * Handlers for the stream's event types. Features register theirs at module load (chat,
 * products, ...), so the stream stays one mechanism for every kind of event.
 */
const handlers = new Map<string, EventHandler[]>();

export function onRoomEvent(type: string, handler: EventHandler): void {
  handlers.set(type, [...(handlers.get(type) ?? []), handler]);
}

onRoomEvent('snapshot', (event, store) => {
  const info = event.data as RoomInfo | null;
  if (info) store.set({ ...store.get(), info, viewers: info.viewers });
});
onRoomEvent('status', (event, store) => {
  const info = event.data as RoomInfo;
  store.setKey('info', info);
});
onRoomEvent('viewers', (event, store) => store.setKey('viewers', (event.data as { count: number }).count));

const stores = new Map<string, MapStore<RoomState>>();

/**
 * The state of one room on one relay, shared by every element showing it. Connects lazily when
 * the first element subscribes and disconnects when the last one leaves.
 */
export function roomStore(base: string, room: string, options: { host?: boolean } = {}): MapStore<RoomState> {
  const key = `${base}|${room}|${options.host ? 'host' : 'viewer'}`;
  const existing = stores.get(key);
  if (existing) return existing;
  const created = map<RoomState>({ info: null, viewers: 0, stream: 'connecting', error: null });
  stores.set(key, created);
  onMount(created, () => {
    let stream: EventStream | null = null;
    let cancelled = false;
    relayFetch<RoomInfo>(base, roomPath(room))
      .then((info) => {
        if (cancelled) return;
        created.set({ ...created.get(), info, viewers: info.viewers, error: null });
        stream = new EventStream({
          base,
          room,
          host: options.host ?? false,
          name: () => (options.host ? null : $shopperName.get() || null),
          onStatus: (status) => created.setKey('stream', status),
          onEvent: (event) => handlers.get(event.type)?.forEach((handle) => handle(event, created)),
        });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        const known = error instanceof RelayRequestError;
        created.setKey('error', {
          code: known ? error.code : 'unknown',
          message: known && error.status === 404 ? `There is no show called "${room}".` : (error as Error).message,
        });
      });
    return () => {
      cancelled = true;
      stream?.close();
      stores.delete(key);
    };
  });
  return created;
}
