/** The widget's calls to the relay's HTTP API, with errors turned into data. */

export class RelayRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RelayRequestError';
  }
}

export interface RoomInfo {
  room: string;
  title: string;
  poster: string | null;
  status: 'scheduled' | 'live' | 'ended';
  scheduledAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  viewers: number;
  player: { transports: string[] };
  hlsUrl?: string;
  /** The recording of the room's last show, once it is over and recorded. */
  replayUrl?: string | null;
}

export interface MintedToken {
  token: string;
  identity: string;
  livekitUrl: string;
  expiresAt: number;
  room: string;
}

/** The relay's base URL: the `server` attribute, or the page's origin when it is absent. */
export function relayBase(server: string | null | undefined): string {
  return (server || window.location.origin).replace(/\/+$/, '');
}

export async function relayFetch<T>(base: string, path: string, init: RequestInit & { hostKey?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.hostKey) headers.set('authorization', `Bearer ${init.hostKey}`);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { ...init, headers });
  } catch (cause) {
    throw new RelayRequestError(0, 'network', `cannot reach the live-shop server at ${base} (${(cause as Error).message})`);
  }
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) {
    throw new RelayRequestError(response.status, body?.error?.code ?? 'http_' + response.status, body?.error?.message ?? response.statusText);
  }
  return body as T;
}

export const roomPath = (room: string) => `/v1/rooms/${encodeURIComponent(room)}`;
