/**
 * The `Player` contract, run against every implementation (WebRTC, LL-HLS) on a real live show:
 * the fixture's relay, LiveKit and ingest (fixture.ts, started by fixture-plugin.mjs).
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { Player, PlayerStatus, Transport } from '../../../widget/player/player.ts';

export interface Fixture {
  server: string;
  room: string;
  hostKey: string;
}

let fixture: Promise<Fixture> | null = null;
/** The live show, started on first use and shared by every test file of the run. */
export function liveShow(): Promise<Fixture> {
  fixture ??= fetch('/__live-shop-fixture.json').then((r) => r.json() as Promise<Fixture>);
  return fixture;
}

export function videoElement(): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.style.width = '320px';
  document.body.append(video);
  return video;
}

/** Frames the element presents during `ms`. */
export async function framesDuring(video: HTMLVideoElement, ms: number): Promise<number> {
  let first: number | null = null;
  let last = 0;
  const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
    first ??= meta.presentedFrames;
    last = meta.presentedFrames;
    handle = video.requestVideoFrameCallback(onFrame);
  };
  let handle = video.requestVideoFrameCallback(onFrame);
  await new Promise((resolve) => setTimeout(resolve, ms));
  video.cancelVideoFrameCallback(handle);
  return first === null ? 0 : last - first;
}

/** Mean luma of the picture on screen, 0-255. */
export function brightness(video: HTMLVideoElement): number {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(video, 0, 0, 64, 36);
  const { data } = context.getImageData(0, 0, 64, 36);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  return sum / (data.length / 4);
}

export function playerContract(name: string, transport: Transport, create: () => Player): void {
  describe(`Player contract: ${name}`, function () {
    this.timeout(30_000);
    let player: Player | null = null;
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

    const start = async (room?: string) => {
      const show = await liveShow();
      player = create();
      await player.start({ server: show.server, room: room ?? show.room, video, muted: true, onStatus: (s) => statuses.push(s.kind) });
    };

    it('names its transport and has no clock before it plays', () => {
      player = create();
      expect(player.transport).to.equal(transport);
      expect(player.playbackClock()).to.equal(null);
      expect(player.diagnostics().transport).to.equal(transport);
    });

    it('starts muted, plays a moving picture, and says so', async () => {
      await start();
      expect(statuses[0]).to.equal('connecting');
      expect(statuses).to.include('playing');
      expect(video.muted).to.equal(true);
      expect(await framesDuring(video, 1500)).to.be.greaterThan(15);
      expect(brightness(video)).to.be.greaterThan(20);
    });

    it('keeps a playback clock near the wall clock that advances with the picture', async () => {
      await start();
      await waitUntil(() => player!.playbackClock() !== null, 'a clock once playing', { timeout: 5000 });
      const a = player!.playbackClock()!;
      expect(Date.now() - a).to.be.within(-500, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const b = player!.playbackClock()!;
      expect(b - a).to.be.within(500, 2000);
    });

    it('reports latency and the rendition it shows', async () => {
      await start();
      await waitUntil(() => player!.diagnostics().rendition !== null && player!.diagnostics().latencyMs !== null, 'diagnostics', { timeout: 8000 });
      const d = player!.diagnostics();
      expect(d.transport).to.equal(transport);
      expect(d.rendition).to.match(/^\d+x\d+$/);
      expect(d.latencyMs).to.be.within(0, 10_000);
    });

    it('rejects start for a room that does not exist', async () => {
      const error = await start('no-such-room').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
    });

    it('releases the video element and goes quiet when destroyed', async () => {
      await start();
      player!.destroy();
      const count = statuses.length;
      expect(video.srcObject).to.equal(null);
      expect(video.getAttribute('src')).to.equal(null);
      expect(await framesDuring(video, 800)).to.equal(0);
      expect(statuses.length).to.equal(count);
      player = null;
    });
  });
}
