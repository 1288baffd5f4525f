import { expect } from '@open-wc/testing';
import { LOW_LATENCY_CONFIG } from '../../../widget/player/hls-engine.ts';
import { HlsPlayer, hlsUrlFor } from '../../../widget/player/hls-player.ts';
import { playerContract } from './player-contract.ts';

playerContract('HlsPlayer', 'hls', () => new HlsPlayer());

describe('HlsPlayer', () => {
  it('asks hls.js for low latency driven by the playlist (PART-HOLD-BACK), with catch-up', () => {
    expect(LOW_LATENCY_CONFIG.lowLatencyMode).to.equal(true);
    expect(LOW_LATENCY_CONFIG).not.to.have.property('liveSyncDuration');
    expect(LOW_LATENCY_CONFIG).not.to.have.property('liveSyncDurationCount');
    expect(LOW_LATENCY_CONFIG.maxLiveSyncPlaybackRate).to.be.within(1.1, 2);
    expect(LOW_LATENCY_CONFIG.backBufferLength).to.be.within(1, 120);
  });

  it('plays the relay\'s multivariant playlist for the room', () => {
    expect(hlsUrlFor('https://relay.example', 'spring-drop')).to.equal('https://relay.example/v1/rooms/spring-drop/hls/index.m3u8');
  });
});
