import { AutoPlayer } from './auto-player.ts';
import { HlsPlayer } from './hls-player.ts';
import type { Player, Transport } from './player.ts';
import { WebRtcPlayer } from './webrtc-player.ts';

/** The transports a `<live-shop transport="...">` may ask for. */
export type TransportPreference = 'auto' | Transport;

/** Picks the player for a preference; `auto` chooses between transports in auto-player.ts. */
export function createPlayer(preference: TransportPreference): Player {
  if (preference === 'webrtc') return new WebRtcPlayer();
  if (preference === 'hls') return new HlsPlayer();
  return new AutoPlayer();
}
