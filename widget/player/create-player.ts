import type { Player, Transport } from './player.ts';
import { WebRtcPlayer } from './webrtc-player.ts';

/** The transports a `<live-shop transport="...">` may ask for. */
export type TransportPreference = 'auto' | Transport;

/** Picks the player for a preference; the choice between transports lives here and nowhere else. */
export function createPlayer(_preference: TransportPreference): Player {
  return new WebRtcPlayer();
}
