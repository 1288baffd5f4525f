import { expect, waitUntil } from '@open-wc/testing';
import { AutoPlayer } from '../../../widget/player/auto-player.ts';
import type { Player, PlayerStatus } from '../../../widget/player/player.ts';
import { WebRtcPlayer } from '../../../widget/player/webrtc-player.ts';
import { framesDuring, liveShow, videoElement } from './player-contract.ts';

/** WebRTC that never shows a picture, as behind a firewall that drops UDP. */
class SilentWebRtc implements Player {
  readonly transport = 'webrtc' as const;
  destroyed = false;
  start(): Promise<void> {
    return new Promise(() => undefined);
  }
  setMuted(): void {}
  playbackClock(): null {
    return null;
  }
  diagnostics() {
    return { transport: this.transport, latencyMs: null, rendition: null };
  }
  destroy(): void {
    this.destroyed = true;
  }
}

describe('AutoPlayer (transport="auto")', function () {
  this.timeout(30_000);
  let player: AutoPlayer | null = null;
  let video: HTMLVideoElement;
  let statuses: PlayerStatus['kind'][];

  beforeEach(() => {
    video = videoElement();
    statuses = [];
  });
  afterEach(() => {
    player?.destroy();
    player = null;
    video.remove();
  });

  const start = async (p: AutoPlayer) => {
    const show = await liveShow();
    player = p;
    const started = performance.now();
    await p.start({ server: show.server, room: show.room, video, muted: true, onStatus: (s) => statuses.push(s.kind) });
    return performance.now() - started;
  };

  it('stays on WebRTC when WebRTC plays', async () => {
    await start(new AutoPlayer());
    expect(player!.transport).to.equal('webrtc');
    expect(await framesDuring(video, 1000)).to.be.greaterThan(10);
  });

  it('switches to LL-HLS when WebRTC shows no picture within the bounded time', async () => {
    const silent = new SilentWebRtc();
    const ms = await start(new AutoPlayer({ webrtcConnectTimeoutMs: 1500, createWebRtc: () => silent }));
    expect(player!.transport).to.equal('hls');
    expect(silent.destroyed, 'the abandoned WebRTC attempt is released').to.equal(true);
    expect(ms).to.be.within(1500, 15_000);
    expect(statuses.at(-1)).to.equal('playing');
    expect(await framesDuring(video, 1000)).to.be.greaterThan(10);
  });

  it('takes LL-HLS at once where the browser has no WebRTC', async () => {
    const original = window.RTCPeerConnection;
    let asked = false;
    (window as { RTCPeerConnection?: unknown }).RTCPeerConnection = undefined;
    try {
      await start(new AutoPlayer({ createWebRtc: () => ((asked = true), new SilentWebRtc()) }));
    } finally {
      window.RTCPeerConnection = original;
    }
    expect(asked).to.equal(false);
    expect(player!.transport).to.equal('hls');
  });

  it('takes LL-HLS when the relay says the room\'s WebRTC is full', async () => {
    const originalFetch = window.fetch;
    window.fetch = async (input, init) => {
      const response = await originalFetch(input, init);
      if (!String(input).match(/\/v1\/rooms\/[^/]+$/)) return response;
      const info = await response.json();
      return Response.json({ ...info, player: { transports: ['hls'], webrtcFull: true } });
    };
    let asked = false;
    try {
      await start(new AutoPlayer({ createWebRtc: () => ((asked = true), new WebRtcPlayer()) }));
    } finally {
      window.fetch = originalFetch;
    }
    expect(asked).to.equal(false);
    expect(player!.transport).to.equal('hls');
  });

  it('moves a viewer whose WebRTC connection drops for good to LL-HLS', async () => {
    let webrtc: WebRtcPlayer | null = null;
    await start(new AutoPlayer({ createWebRtc: () => (webrtc = new WebRtcPlayer()) }));
    expect(player!.transport).to.equal('webrtc');
    // The connection goes away without the show ending (as when the network drops for good).
    await (webrtc as unknown as { room: { disconnect(): Promise<void> } }).room.disconnect();
    await waitUntil(() => player!.transport === 'hls' && statuses.at(-1) === 'playing', 'playing over LL-HLS', { timeout: 20_000 });
    expect(await framesDuring(video, 1000)).to.be.greaterThan(10);
  });
});
