/**
 * Replays against a running relay fed by the ffmpeg test-pattern source: a show is recorded to
 * disk as it runs, offered as `replayUrl` once over, decodes from its first to its last frame,
 * survives a relay restart and a recording cut off mid-write, refuses bad paths, and the oldest
 * replay goes when a room has more than it keeps.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startRelay, type Relay } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { ReplayStore } from '../../server/hls/replay.ts';

const HOST_KEY = 'replay-test-host-key-0123456789';
const ROOM = 'replay-show';
const FPS = 30;
let relay: Relay;
let dir: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(kept = 20): Promise<Relay> {
  return startRelay(loadConfig({
    LIVE_SHOP_HOST_KEY: HOST_KEY,
    LIVE_SHOP_PORT: '0',
    LIVE_SHOP_DB: join(dir, 'relay.sqlite'),
    LIVE_SHOP_REPLAYS: join(dir, 'replays'),
    LIVE_SHOP_REPLAYS_KEPT: String(kept),
    LIVE_SHOP_HLS_SOURCE: 'test-pattern',
    LIVE_SHOP_DEMO: '1',
    LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN,
  }));
}

async function get(path: string): Promise<{ status: number; headers: Headers; text: string; bytes: Buffer }> {
  const response = await fetch(new URL(path, relay.url));
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, text: bytes.toString('utf8'), bytes };
}

async function roomInfo(): Promise<{ status: string; replayUrl: string | null }> {
  return JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
}

/** The host pins (or unpins) a product at a moment of the picture. */
async function pin(sku: string, at: number, unpin = false): Promise<void> {
  const response = await fetch(`${relay.url}/v1/rooms/${ROOM}/pins/${sku}${unpin ? `?at=${at}` : ''}`, {
    method: unpin ? 'DELETE' : 'PUT',
    headers: { authorization: `Bearer ${HOST_KEY}`, 'content-type': 'application/json' },
    body: unpin ? undefined : JSON.stringify({ at }),
  });
  assert.equal(response.status, 200, await response.text());
}

/**
 * Goes live, waits until the live playlist has `seconds` of segments, ends, and waits for the
 * replay. `during` runs once the show has its first segment.
 */
async function recordShow(seconds: number, during: () => Promise<void> = async () => undefined): Promise<string> {
  const before = (await roomInfo()).replayUrl;
  relay.rooms.setStatus(ROOM, 'live');
  await liveFor(seconds, during);
  return endShow(before);
}

/** Waits until the live playlist lists `seconds` of segments; `during` runs at its first segment. */
async function liveFor(seconds: number, during: () => Promise<void> = async () => undefined): Promise<void> {
  let ran = false;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const variant = await get(`/v1/rooms/${ROOM}/hls/index.m3u8`);
    if (variant.status === 200) {
      const media = new URL(variant.text.split('\n').find((line) => line.endsWith('.m3u8'))!, `${relay.url}/v1/rooms/${ROOM}/hls/`);
      const text = (await get(media.pathname)).text;
      const listed = [...text.matchAll(/^#EXTINF:([\d.]+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      if (listed > 0 && !ran) {
        ran = true;
        await during();
      }
      if (listed >= seconds) break;
    }
    if (Date.now() > deadline) throw new Error(`the live show did not reach ${seconds} s`);
    await sleep(250);
  }
}

/** Ends the show and waits for its replay to be offered instead of `before`. */
async function endShow(before: string | null): Promise<string> {
  relay.rooms.setStatus(ROOM, 'ended');
  for (let i = 0; i < 100; i += 1) {
    const url = (await roomInfo()).replayUrl;
    // By path: a restarted relay listens on another port.
    if (url && (!before || new URL(url).pathname !== new URL(before).pathname)) return url;
    await sleep(100);
  }
  throw new Error('no new replayUrl within 10 s of the end');
}

/** `/v1/rooms/{room}/replays/{show}/...` */
const showId = (url: string) => new URL(url).pathname.split('/')[5]!;

/** The media playlists of a replay, with their URLs. */
async function mediaPlaylists(replayUrl: string): Promise<{ url: URL; text: string }[]> {
  const variant = await get(replayUrl);
  assert.equal(variant.status, 200, variant.text);
  const uris = variant.text.split('\n').filter((line) => line && !line.startsWith('#'));
  assert.ok(uris.length >= 2, 'every rendition of the ladder is recorded');
  return Promise.all(uris.map(async (uri) => {
    const url = new URL(uri, replayUrl);
    const response = await get(url.pathname);
    assert.equal(response.status, 200, response.text);
    return { url, text: response.text };
  }));
}

/** Frames ffprobe decodes from a media playlist: each encoder run's init + its segments, in order. */
async function decodedFrames(playlist: { url: URL; text: string }): Promise<number> {
  const runs = playlist.text.split('#EXT-X-MAP:').slice(1).map((run) => [/URI="([^"]+)"/.exec(run)![1]!, ...run.split('\n').filter((line) => line.endsWith('.m4s'))]);
  let frames = 0;
  for (const uris of runs) {
    const parts = await Promise.all(uris.map(async (uri) => (await get(new URL(uri, playlist.url).pathname)).bytes));
    const file = join(dir, 'joined.mp4');
    writeFileSync(file, Buffer.concat(parts));
    const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
      '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
    frames += Number(stdout.trim());
  }
  return frames;
}

describe('replays', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'live-shop-replay-'));
    relay = await start();
    relay.rooms.upsert(ROOM, { title: 'Replay' });
  });

  after(async () => {
    await relay?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let first = '';

  it('offers no replay before any show', async () => {
    assert.equal((await roomInfo()).replayUrl, null);
    assert.deepEqual(JSON.parse((await get(`/v1/rooms/${ROOM}/replays`)).text), { replays: [] });
  });

  let pinnedAt = 0;

  it('records the whole show, offers it once over, and every frame decodes', async () => {
    // One product is pinned before the show, one during it; the first is unpinned during it.
    await pin('TR2-LAGOON', Date.now() - 30_000);
    first = await recordShow(4, async () => {
      pinnedAt = Date.now();
      await pin('SHELL-EMBER', pinnedAt);
      await pin('TR2-LAGOON', pinnedAt + 1, true);
    });
    const { replays } = JSON.parse((await get(`/v1/rooms/${ROOM}/replays`)).text);
    assert.equal(replays.length, 1);
    assert.equal(replays[0].url, first);
    assert.ok(replays[0].endedAt > replays[0].startedAt);
    assert.ok(replays[0].duration >= 4, `duration ${replays[0].duration}`);

    for (const playlist of await mediaPlaylists(first)) {
      const { text } = playlist;
      assert.match(text, /^#EXTM3U\n/);
      assert.match(text, /#EXT-X-PLAYLIST-TYPE:EVENT\n/);
      assert.match(text, /#EXT-X-MEDIA-SEQUENCE:0\n/, 'from the first segment of the show, not the live window');
      assert.ok(text.endsWith('#EXT-X-ENDLIST\n'));
      assert.equal(text.match(/#EXT-X-PROGRAM-DATE-TIME:/g)?.length, text.match(/#EXTINF:/g)?.length, 'a date on every segment');
      const seconds = [...text.matchAll(/^#EXTINF:([\d.]+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      assert.ok(Math.abs(seconds - replays[0].duration) < 0.5, `${seconds} s listed, ${replays[0].duration} s reported`);
      const msns = [...text.matchAll(/^seg-(\d+)\.m4s$/gm)].map((m) => Number(m[1]));
      assert.deepEqual(msns, msns.map((_, i) => i), 'no segment missing');
      // Every frame of every listed second decodes (the source is 30 fps).
      const frames = await decodedFrames(playlist);
      assert.ok(Math.abs(frames - seconds * FPS) <= 2, `${frames} frames decoded for ${seconds} s`);
    }
  });

  it('keeps the pins of the show, with the products as the catalog has them now', async () => {
    const { pins } = JSON.parse((await get(new URL('pins', first).pathname)).text);
    assert.deepEqual(pins.map((p: { sku: string; at: number; until?: number }) => [p.sku, p.at, p.until]), [
      ['TR2-LAGOON', pins[0].at, pinnedAt + 1],
      ['SHELL-EMBER', pinnedAt, pins[1].until],
    ]);
    assert.ok(pins[1].until > pinnedAt + 1000 && pins[1].until <= Date.now(), 'still pinned when the show ended, and unpinned by its end');
    assert.ok(pins[0].at < pinnedAt - 20_000, 'pinned before the show: shown from its start');
    assert.equal(pins[1].product.sku, 'SHELL-EMBER');
    assert.ok(pins[1].product.title.length > 0);
  });

  it('serves media as immutable and a finished playlist as cacheable', async () => {
    const [playlist] = await mediaPlaylists(first);
    const response = await get(playlist!.url.pathname);
    assert.equal(response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=86400');
    const segment = await get(new URL('seg-0.m4s', playlist!.url).pathname);
    assert.equal(segment.status, 200);
    assert.equal(segment.headers.get('content-type'), 'video/mp4');
    assert.match(segment.headers.get('cache-control')!, /immutable/);
  });

  it('refuses bad and unknown paths with a reason', async () => {
    const show = showId(first);
    const rendition = (await mediaPlaylists(first))[0]!.url.pathname.split('/')[6]!;
    const cases: [string, number, RegExp][] = [
      [`/v1/rooms/${ROOM}/replays/zzzz9999/index.m3u8`, 404, /no replay .*zzzz9999/],
      [`/v1/rooms/${ROOM}/replays/BAD.ID/index.m3u8`, 400, /show ids/],
      [`/v1/rooms/${ROOM}/replays/${show}/${rendition}/show.json`, 400, /no such replay file/],
      [`/v1/rooms/${ROOM}/replays/${show}/..%2F..%2F/index.m3u8`, 400, /no such replay file/],
      [`/v1/rooms/${ROOM}/replays/${show}/${rendition}/seg-99999.m4s`, 404, /no such file/],
      ['/v1/rooms/no-such-room/replays', 404, /does not exist/],
    ];
    for (const [path, status, message] of cases) {
      const response = await get(path);
      assert.equal(response.status, status, `${path}: ${response.text}`);
      assert.match(response.text, message, path);
    }
  });

  it('keeps replays across a relay restart', async () => {
    await relay.close();
    relay = await start();
    const url = (await roomInfo()).replayUrl;
    assert.ok(url, 'the restarted relay still offers the replay');
    assert.equal(new URL(url).pathname, new URL(first).pathname);
    for (const playlist of await mediaPlaylists(url)) assert.ok(playlist.text.endsWith('#EXT-X-ENDLIST\n'));
  });

  it('continues the replay of a show the relay was restarted in, after a discontinuity', async () => {
    const before = JSON.parse((await get(`/v1/rooms/${ROOM}/replays`)).text).replays.length;
    relay.rooms.setStatus(ROOM, 'live');
    await liveFor(2);
    await relay.close();
    relay = await start();
    await liveFor(2);
    const url = await endShow(first);
    const { replays } = JSON.parse((await get(`/v1/rooms/${ROOM}/replays`)).text);
    assert.equal(replays.length, before + 1, 'one replay for the show');
    assert.equal(replays[0].url, url);
    assert.equal(replays[0].cut, undefined);
    for (const playlist of await mediaPlaylists(url)) {
      const { text } = playlist;
      assert.ok(text.endsWith('#EXT-X-ENDLIST\n'));
      assert.equal(text.match(/#EXT-X-ENDLIST/g)!.length, 1);
      assert.equal(text.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 1, 'where the relay restarted');
      const maps = [...text.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(new Set(maps).size, 2, `a new init segment after the restart: ${maps.join(', ')}`);
      const files = text.split('\n').filter((line) => line.endsWith('.m4s'));
      assert.equal(new Set(files).size, files.length, 'the continued files are numbered on, not over');
      const seconds = [...text.matchAll(/^#EXTINF:([\d.]+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      assert.ok(seconds >= 4 && Math.abs(seconds - replays[0].duration) < 0.5, `${seconds} s listed, ${replays[0].duration} s reported`);
      const frames = await decodedFrames(playlist);
      assert.ok(Math.abs(frames - seconds * FPS) <= 4, `${frames} frames decoded for ${seconds} s`);
    }
  });

  it('ends a recording cut off mid-write at its last whole segment', () => {
    const root = join(dir, 'cut');
    const showDir = showId(first);
    cpSync(join(dir, 'replays', ROOM, showDir), join(root, ROOM, showDir), { recursive: true });
    const info = JSON.parse(readFileSync(join(root, ROOM, showDir, 'show.json'), 'utf8'));
    writeFileSync(join(root, ROOM, showDir, 'show.json'), JSON.stringify({ ...info, endedAt: null }));
    const media = readFileSync(join(root, ROOM, showDir, 'index.m3u8'), 'utf8').split('\n').find((l) => l.endsWith('.m3u8'))!;
    const path = join(root, ROOM, showDir, media);
    const whole = readFileSync(path, 'utf8').replace('#EXT-X-ENDLIST\n', '');
    const lastEntry = whole.lastIndexOf('#EXT-X-PROGRAM-DATE-TIME');
    // The crash came while the last entry was half appended.
    writeFileSync(path, whole.slice(0, lastEntry) + '#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:00:00.000Z\n#EXTIN');

    const store = new ReplayStore(root, 20);
    const [replay] = store.list(ROOM);
    assert.ok(replay?.endedAt, 'ended when loaded');
    assert.equal(replay.cut, true, 'a show that goes on soon after continues it');
    const repaired = readFileSync(path, 'utf8');
    assert.ok(repaired.endsWith('.m4s\n#EXT-X-ENDLIST\n'), repaired.slice(-80));
    const segments = repaired.match(/^seg-\d+\.m4s$/gm)!.length;
    assert.equal(segments, whole.match(/^seg-\d+\.m4s$/gm)!.length - 1, 'only the half-written entry is gone');
    assert.ok(replay.duration < info.duration && replay.duration > info.duration - 1.5);
  });

  it('deletes the oldest replay when the room has more than it keeps', async () => {
    await relay.close();
    relay = await start(1);
    const second = await recordShow(2);
    assert.notEqual(second, first);
    const { replays } = JSON.parse((await get(`/v1/rooms/${ROOM}/replays`)).text);
    assert.deepEqual(replays.map((r: { url: string }) => r.url), [second]);
    assert.equal((await get(new URL(first).pathname)).status, 404);
    assert.equal(existsSync(join(dir, 'replays', ROOM, showId(first))), false, 'its files are gone');
  });
});
