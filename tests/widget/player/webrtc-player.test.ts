import { WebRtcPlayer } from '../../../widget/player/webrtc-player.ts';
import { playerContract } from './player-contract.ts';

playerContract('WebRtcPlayer', 'webrtc', () => new WebRtcPlayer());
