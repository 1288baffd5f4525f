import type { RelayConfig } from '../config.ts';
import type { Router } from '../http/router.ts';
import { Ingest, INGEST_FPS } from '../ingest/ingest.ts';
import type { LiveKit } from '../livekit/livekit.ts';
import type { Room, Rooms } from '../rooms/rooms.ts';
import type { PlayerHints } from '../rooms/routes.ts';
import { HlsOrigin } from './origin.ts';
import type { HlsTiming } from './rendition.ts';
import { ReplayStore } from './replay.ts';
import { replayPath } from './replay-routes.ts';
import { hlsPath, registerHlsRoutes } from './routes.ts';

export interface HlsDeps {
  config: RelayConfig;
  rooms: Rooms;
  livekit: LiveKit;
  /** The relay's public base URL, for `hlsUrl`. */
  url: string;
}

export interface HlsService {
  origin: HlsOrigin;
  /** Recordings of past shows; null when replays are off. The relay starts them (with the show's pins). */
  replays: ReplayStore | null;
  /** What the room info tells players: `hlsUrl` while live, and whether WebRTC is full. */
  player: PlayerHints;
  /** Starts encoding rooms that are (or go) live; called once everything that hears a new show listens. */
  start(): void;
  close(): Promise<void>;
}

/** Parts of six frames at 30 fps (200 ms), one-second segments, a 30-second live window. */
export function defaultTiming(fps = INGEST_FPS): HlsTiming {
  const framesPerPart = Math.max(1, Math.round(0.2 * fps));
  return { partTarget: framesPerPart / fps, targetDuration: 1, windowSegments: 30 };
}

/** The LL-HLS fallback: origin, routes and the ingest that feeds it when a room goes live. */
export function startHls(router: Router, deps: HlsDeps): HlsService {
  const { config, rooms, livekit, url } = deps;
  const origin = new HlsOrigin(defaultTiming());
  registerHlsRoutes(router, { origin, rooms });
  const ingest = new Ingest({ rooms, origin, livekit, source: config.hlsSource });
  const replays = config.replaysDir ? new ReplayStore(config.replaysDir, config.replaysKept) : null;
  return {
    origin,
    replays,
    player: {
      hlsUrl: (room: Room) => (config.hlsSource === 'off' ? null : `${url}${hlsPath(room.name)}`),
      replayUrl: (room: Room) => {
        const replay = replays?.latestFinished(room.name);
        return replay ? `${url}${replayPath(replay)}` : null;
      },
      webrtcFull: (_room: Room, viewers: number) => config.webrtcCapacity > 0 && viewers >= config.webrtcCapacity,
    },
    start: () => ingest.run(),
    close: async () => {
      // Shows cut by the relay stopping are not over: their replays go on when it is back.
      replays?.relayStopping();
      await ingest.close();
      await replays?.close();
    },
  };
}
