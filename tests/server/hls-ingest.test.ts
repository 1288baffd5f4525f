/**
 * The LiveKit ingest end to end on loopback: a host publishes camera and microphone with
 * @livekit/rtc-node, the relay's hidden subscriber feeds ffmpeg, and the room's LL-HLS
 * playlists appear with a ladder derived from the host's size; a smaller picture of the same shape
 * (a lower simulcast layer) is fitted without a break, a change of shape is a discontinuity; ending
 * the show ends the playlists. The ingest is not a viewer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AudioFrame, AudioSource, LocalAudioTrack, LocalVideoTrack, Room, TrackPublishOptions, TrackSource,
  VideoBufferType, VideoFrame, VideoSource, dispose,
} from '@livekit/rtc-node';
import { startRelay, type Relay } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { attributes, completeSegments, parseMediaPlaylist } from './hls-playlist.ts';

const HOST_KEY = 'hls-ingest-host-key-0123456789';
const ROOM = 'ingest-show';
let relay: Relay;
let host: Room | null = null;
let timers: NodeJS.Timeout[] = [];
let frameSize = { width: 640, height: 360 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | null>, limitMs: number): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function text(path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL(path, relay.url));
  return { status: response.status, body: await response.text() };
}

/** Publishes a moving gray picture and a tone as the room's host. */
async function publishHost(): Promise<void> {
  const response = await fetch(`${relay.url}/v1/rooms/${ROOM}/host-token`, { method: 'POST', headers: { authorization: `Bearer ${HOST_KEY}` } });
  const { token, livekitUrl } = (await response.json()) as { token: string; livekitUrl: string };
  host = new Room();
  await host.connect(livekitUrl, token, { autoSubscribe: false, dynacast: false });
  const video = new VideoSource(frameSize.width, frameSize.height);
  const audio = new AudioSource(48_000, 1);
  const camera = new TrackPublishOptions();
  camera.source = TrackSource.SOURCE_CAMERA;
  const microphone = new TrackPublishOptions();
  microphone.source = TrackSource.SOURCE_MICROPHONE;
  await host.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('camera', video), camera);
  await host.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('microphone', audio), microphone);
  let n = 0;
  timers.push(setInterval(() => {
    const { width, height } = frameSize;
    const data = new Uint8Array((width * height * 3) / 2).fill(128);
    data.fill((n * 4) % 255, 0, width * height);
    n += 1;
    video.captureFrame(new VideoFrame(data, width, height, VideoBufferType.I420));
  }, 33));
  timers.push(setInterval(() => {
    const frame = AudioFrame.create(48_000, 1, 480);
    for (let i = 0; i < 480; i += 1) frame.data[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48_000));
    void audio.captureFrame(frame).catch(() => undefined);
  }, 10));
}

describe('LL-HLS ingest from LiveKit', () => {
  before(async () => {
    relay = await startRelay(loadConfig({
      LIVE_SHOP_HOST_KEY: HOST_KEY,
      LIVE_SHOP_PORT: '0',
      LIVE_SHOP_DB: ':memory:',
      LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN,
    }));
    relay.rooms.upsert(ROOM, { title: 'Ingest' });
  });

  after(async () => {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    await host?.disconnect().catch(() => undefined);
    await relay?.close();
    // The relay disposes rtc-node's native client when its last ingest stops; this test's own
    // host used it too, so the test disposes it again at the very end.
    await dispose();
  });

  it('turns the host\'s tracks into an LL-HLS ladder derived from the source size', async () => {
    await publishHost();
    await until('the room to go live (webhook)', async () => (relay.rooms.get(ROOM)?.status === 'live' ? true : null), 15_000);
    const info = JSON.parse((await text(`/v1/rooms/${ROOM}`)).body);
    assert.ok(info.hlsUrl, 'hlsUrl while live');
    assert.equal(info.viewers, 0, 'the ingest is not counted as a viewer');
    const multivariant = await until('the multivariant playlist', async () => {
      const r = await text(info.hlsUrl);
      return r.status === 200 ? r.body : null;
    }, 20_000);
    const resolutions = [...multivariant.matchAll(/#EXT-X-STREAM-INF:(.*)/g)].map((m) => attributes(m[1]!).RESOLUTION);
    assert.deepEqual(resolutions, ['640x360', '320x180']);
    const mediaPath = new URL(multivariant.trim().split('\n')[4]!, info.hlsUrl).pathname;
    const p = await until('three segments', async () => {
      const parsed = parseMediaPlaylist((await text(mediaPath)).body);
      return completeSegments(parsed).length >= 3 ? parsed : null;
    }, 20_000);
    assert.equal(p.segments[0]!.parts[0]?.independent ?? true, true);
    const age = Date.now() - Date.parse(p.segments.at(-1)!.dateTime!);
    assert.ok(age >= 0 && age < 3000, `PROGRAM-DATE-TIME follows the wall clock (${age} ms)`);

    // A smaller picture of the same shape is fitted to the encoder's input: no break at all.
    frameSize = { width: 320, height: 180 };
    const lastBefore = completeSegments(p).at(-1)!.uri;
    const fitted = await until('three more segments', async () => {
      const parsed = parseMediaPlaylist((await text(mediaPath)).body);
      const complete = completeSegments(parsed);
      const index = complete.findIndex((s) => s.uri === lastBefore);
      return index >= 0 && complete.length - index > 3 ? complete.slice(index) : null;
    }, 20_000);
    assert.ok(fitted.every((s) => !s.discontinuity && s.map === p.segments[0]!.map), 'the same encoder run goes on');

    // The host turns the phone: a new encoder run, and the playlist goes on after a discontinuity.
    frameSize = { width: 180, height: 320 };
    const changed = await until('a discontinuity', async () => {
      const parsed = parseMediaPlaylist((await text(mediaPath)).body);
      return completeSegments(parsed).some((s) => s.discontinuity) ? parsed : null;
    }, 20_000);
    const resumed = changed.segments.find((s) => s.discontinuity)!;
    assert.notEqual(resumed.map, p.segments[0]!.map, 'a new init segment');

    const ended = await fetch(`${relay.url}/v1/rooms/${ROOM}/end`, { method: 'POST', headers: { authorization: `Bearer ${HOST_KEY}` } });
    assert.equal(ended.status, 200);
    const final = await until('ENDLIST', async () => {
      const parsed = parseMediaPlaylist((await text(mediaPath)).body);
      return parsed.ended ? parsed : null;
    }, 10_000);
    assert.equal(final.preloadHint, null);
  });
});
