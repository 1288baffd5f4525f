import { expect } from '@open-wc/testing';
import { LOW_LATENCY_CONFIG } from '../../../widget/player/hls-engine.ts';
import { HlsPlayer, hlsUrlFor } from '../../../widget/player/hls-player.ts';
import type { PlayerStatus } from '../../../widget/player/player.ts';
import { liveShow, playerContract, videoElement } from './player-contract.ts';

playerContract('HlsPlayer', 'hls', () => new HlsPlayer());

describe('HlsPlayer', () => {
  it('asks hls.js for low latency driven by the playlist (PART-HOLD-BACK), leaving the catch-up rate to the player', () => {
    expect(LOW_LATENCY_CONFIG.lowLatencyMode).to.equal(true);
    expect(LOW_LATENCY_CONFIG).not.to.have.property('liveSyncDuration');
    expect(LOW_LATENCY_CONFIG).not.to.have.property('liveSyncDurationCount');
    // hls.js would set any other rate back to 1 on every 'timeupdate' with less than a second buffered.
    expect(LOW_LATENCY_CONFIG.maxLiveSyncPlaybackRate).to.equal(1);
    expect(LOW_LATENCY_CONFIG.backBufferLength).to.be.within(1, 120);
  });

  it('plays the relay\'s multivariant playlist for the room', () => {
    expect(hlsUrlFor('https://relay.example', 'spring-drop')).to.equal('https://relay.example/v1/rooms/spring-drop/hls/index.m3u8');
  });
});

describe('HlsPlayer on a live show', function () {
  this.timeout(30_000);

  it('jumps back to the live edge when behind, and its seeks are not reported as buffering', async () => {
    const show = await liveShow();
    const video = videoElement();
    const statuses: PlayerStatus['kind'][] = [];
    const player = new HlsPlayer();
    try {
      await player.start({ server: show.server, room: show.room, video, muted: true, onStatus: (s) => statuses.push(s.kind) });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const before = video.currentTime;
      const target = Math.max(video.buffered.start(0), before - 1.2);
      statuses.length = 0;
      video.currentTime = target;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Playing on at 1x from the target would be at target + 1.5 now; the player jumped ahead of that.
      expect(video.currentTime).to.be.greaterThan(target + 1.5 + 0.4 * (before - target));
      expect(statuses).not.to.include('buffering');
    } finally {
      player.destroy();
      video.remove();
    }
  });
});
