/**
 * A live show for the browser Player tests: a relay (its own loopback LiveKit, CORS open to the
 * test page) whose room has a host publishing a moving picture and a tone with @livekit/rtc-node,
 * so the room plays over WebRTC and, through the relay's real ingest, over LL-HLS.
 * Prints one JSON line `{ server, room, hostKey }` when the HLS stream is ready; stops on SIGTERM,
 * SIGINT or when stdin closes (its parent, the test runner, went away).
 */
import {
  AudioFrame, AudioSource, LocalAudioTrack, LocalVideoTrack, Room, TrackPublishOptions, TrackSource,
  VideoBufferType, VideoFrame, VideoSource, dispose,
} from '@livekit/rtc-node';
import { startRelay, type Relay } from '../../../server/app.ts';
import { loadConfig } from '../../../server/config.ts';

const ROOM = 'player-contract';
const HOST_KEY = 'player-fixture-host-key-0123456789';
const WIDTH = 640;
const HEIGHT = 360;

// Signals may come at any stage (a short test run stops the runner while this still starts):
// whatever has started by then is stopped, so no LiveKit or ffmpeg outlives the fixture.
let relay: Relay | null = null;
let relayStarting: Promise<Relay> | null = null;
let host: Room | null = null;
const timers: NodeJS.Timeout[] = [];
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  await host?.disconnect().catch(() => undefined);
  const running = relay ?? (await relayStarting?.catch(() => null));
  await running?.close();
  await dispose();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();

relayStarting = startRelay(loadConfig({
  LIVE_SHOP_HOST_KEY: HOST_KEY,
  LIVE_SHOP_PORT: '0',
  LIVE_SHOP_DB: ':memory:',
  LIVE_SHOP_ORIGINS: '*',
  LIVE_SHOP_STATIC: '',
  LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN,
}));
relay = await relayStarting;
relay.rooms.upsert(ROOM, { title: 'Player contract' });

const minted = await relay.livekit.hostToken(ROOM, 3600);
host = new Room();
await host.connect(minted.livekitUrl, minted.token, { autoSubscribe: false, dynacast: false });
const video = new VideoSource(WIDTH, HEIGHT);
const audio = new AudioSource(48_000, 1);
const camera = new TrackPublishOptions();
camera.source = TrackSource.SOURCE_CAMERA;
const microphone = new TrackPublishOptions();
microphone.source = TrackSource.SOURCE_MICROPHONE;
await host.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('camera', video), camera);
await host.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('microphone', audio), microphone);

// A bar that sweeps across a changing background, so consecutive frames differ.
let n = 0;
timers.push(setInterval(() => {
  const data = new Uint8Array((WIDTH * HEIGHT * 3) / 2).fill(128);
  data.fill(40 + ((n * 3) % 160), 0, WIDTH * HEIGHT);
  const x = (n * 8) % WIDTH;
  for (let y = 0; y < HEIGHT; y += 1) data.fill(235, y * WIDTH + x, y * WIDTH + Math.min(WIDTH, x + 40));
  n += 1;
  video.captureFrame(new VideoFrame(data, WIDTH, HEIGHT, VideoBufferType.I420));
}, 33));
let phase = 0;
timers.push(setInterval(() => {
  const frame = AudioFrame.create(48_000, 1, 480);
  for (let i = 0; i < 480; i += 1) frame.data[i] = Math.round(6000 * Math.sin(phase++ * ((2 * Math.PI * 440) / 48_000)));
  void audio.captureFrame(frame).catch(() => undefined);
}, 10));

// Ready when the relay answers the multivariant playlist (the ingest has parts).
const deadline = Date.now() + 30_000;
for (;;) {
  const response = await fetch(`${relay.url}/v1/rooms/${ROOM}/hls/index.m3u8`).catch(() => null);
  if (response?.ok) break;
  if (Date.now() > deadline) throw new Error('the fixture show did not reach LL-HLS within 30 s');
  await new Promise((resolve) => setTimeout(resolve, 250));
}
process.stdout.write(`${JSON.stringify({ server: relay.url, room: ROOM, hostKey: HOST_KEY })}\n`);

