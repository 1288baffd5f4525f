/**
 * LL-HLS origin conformance (draft-pantos-hls-rfc8216bis, ../shared/REFERENCE.md) against a
 * running relay whose live room is fed by the ffmpeg test-pattern source: every tag, the part
 * and segment rules, blocking reload timing, delta updates, bad directives, unknown names,
 * cache headers, an encoder crash, and the end of the show.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { startRelay, type Relay } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { attributes, completeSegments, lastPart, parseMediaPlaylist, type MediaPlaylist } from './hls-playlist.ts';

const HOST_KEY = 'hls-test-host-key-0123456789';
const ROOM = 'hls-show';
let relay: Relay;
let dir: string;
let media: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function get(path: string): Promise<{ status: number; ms: number; headers: Headers; text: string; bytes: Buffer }> {
  const started = performance.now();
  const response = await fetch(new URL(path, relay.url));
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, ms: performance.now() - started, headers: response.headers, text: bytes.toString('utf8'), bytes };
}

async function playlist(path: string): Promise<MediaPlaylist> {
  const response = await get(path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  return parseMediaPlaylist(response.text);
}

/** Waits until the media playlist has `count` complete segments. */
async function waitForSegments(path: string, count: number, limitMs = 20_000): Promise<MediaPlaylist> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const p = await playlist(path);
    if (completeSegments(p).length >= count) return p;
    if (Date.now() > deadline) throw new Error(`${path} has ${completeSegments(p).length} segments, wanted ${count}`);
    await sleep(250);
  }
}

const base = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const ffmpegChildren = () => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', 'ffmpeg']).toString().trim().split('\n').map(Number);
  } catch {
    return [];
  }
};

describe('LL-HLS origin', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'live-shop-hls-'));
    relay = await startRelay(loadConfig({
      LIVE_SHOP_HOST_KEY: HOST_KEY,
      LIVE_SHOP_PORT: '0',
      LIVE_SHOP_DB: ':memory:',
      LIVE_SHOP_HLS_SOURCE: 'test-pattern',
      LIVE_SHOP_WEBRTC_CAPACITY: '2',
      LIVEKIT_SERVER_BIN: process.env.LIVEKIT_SERVER_BIN,
    }));
    relay.rooms.upsert(ROOM, { title: 'HLS conformance' });
  });

  after(async () => {
    await relay?.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(ffmpegChildren(), [], 'closing the relay stops every ffmpeg it started');
  });

  it('has no stream and no hlsUrl before the show', async () => {
    assert.equal((await get(`/v1/rooms/${ROOM}/hls/index.m3u8`)).status, 404);
    const info = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
    assert.equal(info.hlsUrl, null);
    assert.deepEqual(info.player.transports, []);
  });

  it('gives hlsUrl and both transports once live, and a multivariant playlist of at least two renditions', async () => {
    relay.rooms.setStatus(ROOM, 'live');
    const info = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
    assert.equal(info.hlsUrl, `${relay.url}/v1/rooms/${ROOM}/hls/index.m3u8`);
    assert.deepEqual(info.player.transports, ['webrtc', 'hls']);
    assert.equal(info.player.webrtcFull, false);

    const response = await get(info.hlsUrl);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.match(response.headers.get('cache-control') ?? '', /max-age=\d+/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const lines = response.text.trim().split('\n');
    assert.equal(lines[0], '#EXTM3U');
    const variants = lines.flatMap((line, i) => (line.startsWith('#EXT-X-STREAM-INF:') ? [{ a: attributes(line.slice(18)), uri: lines[i + 1]! }] : []));
    assert.ok(variants.length >= 2, 'an ABR ladder of at least two renditions');
    const heights = new Set(variants.map((v) => v.a.RESOLUTION));
    assert.equal(heights.size, variants.length, 'renditions differ in size');
    for (const variant of variants) {
      assert.ok(Number(variant.a.BANDWIDTH) > 100_000);
      assert.match(variant.a.CODECS!, /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      assert.match(variant.a.RESOLUTION!, /^\d+x\d+$/);
      assert.ok(!variant.uri.startsWith('#'));
    }
    // The top rendition keeps the source's 640x360; the other is derived from it.
    assert.equal(variants[0]!.a.RESOLUTION, '640x360');
    media = variants.map((v) => new URL(v.uri, info.hlsUrl).pathname);
  });

  it('writes every LL-HLS tag with values the rules allow', async () => {
    const p = await waitForSegments(media[0]!, 3);
    assert.ok(p.version >= 9, 'EXT-X-SKIP needs version 9');
    assert.ok(Number.isInteger(p.targetDuration) && p.targetDuration >= 1);
    assert.ok(p.partTarget >= 0.2 && p.partTarget <= 0.334, `PART-TARGET ${p.partTarget} in 200-333 ms`);
    const sc = p.serverControl;
    assert.equal(sc['CAN-BLOCK-RELOAD'], 'YES');
    assert.ok(Number(sc['PART-HOLD-BACK']) >= 2 * p.partTarget, 'PART-HOLD-BACK >= 2x PART-TARGET');
    assert.ok(Number(sc['HOLD-BACK']) >= 3 * p.targetDuration, 'HOLD-BACK >= 3x target duration');
    assert.ok(Number(sc['CAN-SKIP-UNTIL']) >= 6 * p.targetDuration, 'CAN-SKIP-UNTIL >= 6x target duration');
    assert.equal(p.ended, false);

    for (const segment of p.segments) {
      assert.ok(segment.dateTime, `segment ${segment.msn} has EXT-X-PROGRAM-DATE-TIME`);
      const age = Date.now() - Date.parse(segment.dateTime!);
      assert.ok(age > -2000 && age < 60_000, `PROGRAM-DATE-TIME is wall-clock time (${age} ms old)`);
      assert.ok(segment.map, 'every segment has an EXT-X-MAP');
      if (segment.duration !== null) assert.ok(Math.round(segment.duration) <= p.targetDuration, `EXTINF ${segment.duration} <= target`);
    }
    const withParts = p.segments.filter((s) => s.parts.length > 0);
    assert.ok(withParts.length >= 2, 'parts are listed for the newest segments');
    for (const segment of withParts) {
      assert.equal(segment.parts[0]!.independent, true, `segment ${segment.msn} starts with an INDEPENDENT part`);
      segment.parts.forEach((part, i) => {
        assert.ok(part.duration <= p.partTarget + 1e-6, `part ${part.uri} (${part.duration}) <= PART-TARGET`);
        const exempt = part.independent || (i === segment.parts.length - 1 && segment.uri !== null);
        if (!exempt) assert.ok(part.duration >= 0.85 * p.partTarget, `part ${part.uri} (${part.duration}) >= 85% of PART-TARGET`);
      });
      if (segment.uri !== null) {
        const sum = segment.parts.reduce((s, part) => s + part.duration, 0);
        assert.ok(Math.abs(sum - segment.duration!) < 0.002, 'a segment lasts as long as its parts');
      }
    }
    const last = lastPart(p);
    const hint = p.preloadHint!;
    assert.equal(hint.TYPE, 'PART');
    const [, msn, index] = /part-(\d+)\.(\d+)\.m4s$/.exec(hint.URI!)!.map(Number);
    assert.ok((msn === last.msn && index === last.part + 1) || (msn === last.msn + 1 && index === 0), 'the hint names the next part');
    assert.equal(p.renditionReports.length, media.length - 1, 'a report for each other rendition');
    const report = p.renditionReports[0]!;
    assert.equal(new URL(report.URI!, `http://x${media[0]}`).pathname, media[1]);
    assert.ok(Math.abs(Number(report['LAST-MSN']) - last.msn) <= 1, 'renditions advance together');
    assert.ok(Number(report['LAST-PART']) >= 0);

    const other = await playlist(media[1]!);
    assert.deepEqual(other.serverControl, p.serverControl, 'identical SERVER-CONTROL across renditions');
    assert.equal(other.partTarget, p.partTarget);
  });

  it('serves init, parts and segments that decode, with keyframes at segment starts', async () => {
    const p = await waitForSegments(media[0]!, 3);
    const segment = completeSegments(p).at(-1)!;
    const init = await get(base(media[0]!) + segment.map);
    assert.equal(init.status, 200);
    assert.equal(init.bytes.toString('latin1', 4, 8), 'ftyp');
    assert.ok(init.bytes.includes(Buffer.from('moov')));
    const whole = await get(base(media[0]!) + segment.uri);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.match(whole.headers.get('cache-control')!, /immutable/);
    if (segment.parts.length > 0) {
      const parts = await Promise.all(segment.parts.map((part) => get(base(media[0]!) + part.uri)));
      for (const part of parts) assert.equal(part.status, 200);
      assert.ok(Buffer.concat(parts.map((part) => part.bytes)).equals(whole.bytes), 'a segment is its parts, byte for byte');
    }
    // ffprobe, not our parser, says the segment starts on a keyframe and holds the listed duration.
    const file = join(dir, 'segment.mp4');
    writeFileSync(file, Buffer.concat([init.bytes, whole.bytes]));
    const { stdout } = await promisify(execFile)('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0', file,
    ]);
    const keys = stdout.trim().split('\n').map((l) => l.trim().replace(/,$/, ''));
    assert.equal(keys[0], '1', 'first frame of the segment is a keyframe');
    assert.ok(Math.abs(keys.length / 30 - segment.duration!) < 0.05, `${keys.length} frames at 30 fps in a ${segment.duration} s segment`);
    const { stdout: audio } = await promisify(execFile)('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
    assert.equal(audio.trim(), 'aac', 'sound is muxed in');
  });

  it('holds a blocking reload until the requested part exists, and answers existing ones at once', async () => {
    const p = await playlist(media[0]!);
    const last = lastPart(p);
    const existing = await get(`${media[0]}?_HLS_msn=${last.msn}&_HLS_part=${last.part}`);
    assert.equal(existing.status, 200);
    assert.ok(existing.ms < 150, `existing part answered in ${existing.ms.toFixed(0)} ms`);

    const [, msn, index] = /part-(\d+)\.(\d+)\.m4s$/.exec(p.preloadHint!.URI!)!.map(Number);
    const blocked = await get(`${media[0]}?_HLS_msn=${msn}&_HLS_part=${index}`);
    assert.equal(blocked.status, 200);
    const after = parseMediaPlaylist(blocked.text);
    const reached = lastPart(after);
    assert.ok(reached.msn > msn! || (reached.msn === msn && reached.part >= index!), 'the response contains the requested part');
    assert.ok(blocked.ms < 600, `answered within about one part (${blocked.ms.toFixed(0)} ms)`);
    assert.match(blocked.headers.get('cache-control')!, /max-age=\d+/);

    // A part index past the end of a complete segment means the next segment's first part.
    const done = completeSegments(after).at(-1)!;
    const beyond = await get(`${media[0]}?_HLS_msn=${done.msn}&_HLS_part=99`);
    assert.equal(beyond.status, 200);
    assert.ok(parseMediaPlaylist(beyond.text).segments.some((s) => s.msn === done.msn + 1 && s.parts.length > 0));

    // Without _HLS_part, the whole segment must be complete.
    const open = lastPart(after).msn;
    const whole = await get(`${media[0]}?_HLS_msn=${open + 1}`);
    assert.equal(whole.status, 200);
    const wholeParsed = parseMediaPlaylist(whole.text);
    assert.ok(completeSegments(wholeParsed).some((s) => s.msn === open + 1), `segment ${open + 1} is listed with EXTINF`);
    assert.ok(whole.ms > 300 && whole.ms < 2500, `waited for a whole segment (${whole.ms.toFixed(0)} ms)`);
  });

  it('answers the hinted part as soon as it is complete, and 404 for parts never hinted', async () => {
    const p = await playlist(media[0]!);
    const hinted = await get(base(media[0]!) + p.preloadHint!.URI);
    assert.ok(hinted.status === 200 || hinted.status === 404, `hinted part: ${hinted.status}`);
    if (hinted.status === 200) assert.ok(hinted.ms < 600, `hinted part came in ${hinted.ms.toFixed(0)} ms`);
    const last = lastPart(p);
    const far = await get(`${base(media[0]!)}part-${last.msn + 1}.3.m4s`);
    assert.equal(far.status, 404);
    assert.ok(far.ms < 150, 'a part never hinted is refused at once');
    assert.equal((await get(`${base(media[0]!)}part-0.99.m4s`)).status, 404);
  });

  it('rejects bad directives with 400 and unknown names with 404', async () => {
    const p = await playlist(media[0]!);
    const last = lastPart(p);
    const tooFar = await get(`${media[0]}?_HLS_msn=${last.msn + 3}`);
    assert.equal(tooFar.status, 400);
    assert.ok(tooFar.ms < 150, 'more than two segments ahead is refused at once');
    assert.equal(JSON.parse(tooFar.text).error.code, 'hls_msn_too_far');
    for (const query of ['_HLS_part=1', '_HLS_msn=abc', '_HLS_msn=-1', '_HLS_msn=1.5', `_HLS_msn=${last.msn}&_HLS_part=x`, '_HLS_skip=NO']) {
      const response = await get(`${media[0]}?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(JSON.parse(response.text).error.code, 'invalid_hls_directive', query);
    }
    const dirPath = base(media[0]!);
    const show = dirPath.split('/').at(-3)!;
    for (const path of [
      `${dirPath}nope.m3u8`, `${dirPath}seg-999999.m4s`, `${dirPath}init-7.mp4`, `${dirPath}part-x.m4s`, `${dirPath}../../x.ts`,
      `/v1/rooms/${ROOM}/hls/${show}/4000p/index.m3u8`, `/v1/rooms/${ROOM}/hls/other/360p/index.m3u8`,
      '/v1/rooms/no-such-room/hls/index.m3u8',
    ]) {
      assert.equal((await get(path)).status, 404, path);
    }
    assert.equal((await get('/v1/rooms/Bad%20Name/hls/index.m3u8')).status, 400);
  });

  it('sends delta updates that skip only segments older than CAN-SKIP-UNTIL', async () => {
    const first = await playlist(media[0]!);
    const skipUntil = Number(first.serverControl['CAN-SKIP-UNTIL']);
    await waitForSegments(media[0]!, Math.ceil(skipUntil / first.targetDuration) + 2, 20_000);
    // Both requests wait for the same next part, so both describe the same moment.
    const next = lastPart(await playlist(media[0]!));
    const query = `_HLS_msn=${next.msn}&_HLS_part=${next.part + 1}`;
    const [full, delta] = await Promise.all([playlist(`${media[0]}?${query}`), playlist(`${media[0]}?${query}&_HLS_skip=YES`)]);
    assert.ok(delta.skipped > 0, 'some segments are skipped');
    assert.equal(delta.mediaSequence, full.mediaSequence);
    assert.equal(delta.segments.length, full.segments.length - delta.skipped);
    assert.equal(delta.segments[0]!.msn, full.segments[delta.skipped]!.msn);
    // Rule: each skipped segment ends at least CAN-SKIP-UNTIL before the end; the next one does not.
    const total = full.segments.reduce((s, seg) => s + (seg.duration ?? seg.parts.reduce((a, part) => a + part.duration, 0)), 0);
    const endOf = (i: number) => full.segments.slice(0, i + 1).reduce((s, seg) => s + (seg.duration ?? 0), 0);
    assert.ok(total - endOf(delta.skipped - 1) >= skipUntil - 1e-6);
    assert.ok(total - endOf(delta.skipped) < skipUntil);
    assert.ok(delta.lines.indexOf(delta.lines.find((l) => l.startsWith('#EXT-X-SKIP'))!) < delta.lines.findIndex((l) => l.startsWith('#EXTINF')));
    const v2 = await playlist(`${media[0]}?_HLS_skip=v2`);
    assert.ok(v2.skipped > 0);
  });

  it('serves the same stream as classic HLS with 6 s segments, made of six LL-HLS segments each', async () => {
    const classicMultivariant = await get(`/v1/rooms/${ROOM}/hls/classic.m3u8`);
    assert.equal(classicMultivariant.status, 200);
    const classicPath = new URL(classicMultivariant.text.split('\n').find((l) => l.endsWith('classic.m3u8'))!, `${relay.url}/v1/rooms/${ROOM}/hls/`).pathname;
    assert.equal(base(classicPath), base(media[0]!));
    const classic = await get(classicPath);
    assert.equal(classic.status, 200);
    assert.match(classic.text, /#EXT-X-TARGETDURATION:6\n/);
    assert.doesNotMatch(classic.text, /#EXT-X-PART|#EXT-X-SERVER-CONTROL|#EXT-X-PRELOAD-HINT/);
    const groups = [...classic.text.matchAll(/#EXTINF:([\d.]+),\n(classic-(\d+)\.m4s)/g)];
    assert.ok(groups.length >= 1, classic.text);
    const [, duration, uri, group] = groups[0]!;
    assert.ok(Math.abs(Number(duration) - 6) < 0.1, `a classic segment lasts about 6 s (${duration})`);
    const whole = await get(base(classicPath) + uri);
    const parts = await Promise.all(Array.from({ length: 6 }, (_, i) => get(`${base(media[0]!)}seg-${Number(group) * 6 + i}.m4s`)));
    assert.ok(parts.every((p) => p.status === 200));
    assert.ok(Buffer.concat(parts.map((p) => p.bytes)).equals(whole.bytes), 'a classic segment is its six LL-HLS segments');
  });

  it('tells players WebRTC is full when the room reaches the capacity setting', async () => {
    // Two shoppers watching (the capacity is 2 here): the room's event stream counts them.
    const sockets = [0, 1].map(() => new WebSocket(`${relay.url.replace('http', 'ws')}/v1/rooms/${ROOM}/events`));
    try {
      await Promise.all(sockets.map((ws) => new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      })));
      let info = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
      for (let i = 0; i < 20 && info.viewers < 2; i += 1) {
        await sleep(100);
        info = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
      }
      assert.equal(info.viewers, 2);
      assert.equal(info.player.webrtcFull, true);
      assert.deepEqual(info.player.transports, ['hls'], 'new players are sent to LL-HLS');
    } finally {
      for (const ws of sockets) ws.close();
    }
    let after = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
    for (let i = 0; i < 20 && after.viewers > 1; i += 1) {
      await sleep(100);
      after = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
    }
    assert.deepEqual(after.player.transports, ['webrtc', 'hls'], 'below capacity WebRTC is offered again');
  });

  it('returns 503 when a blocked reload waits longer than three target durations', async () => {
    const [pid] = ffmpegChildren();
    assert.ok(pid, 'the test-pattern ffmpeg runs as a child of the relay');
    const p = await playlist(media[0]!);
    const last = lastPart(p);
    process.kill(pid, 'SIGSTOP');
    try {
      const stalled = await get(`${media[0]}?_HLS_msn=${last.msn + 2}&_HLS_part=0`);
      assert.equal(stalled.status, 503);
      const limit = p.targetDuration * 3000;
      assert.ok(stalled.ms >= limit - 50 && stalled.ms < limit + 1000, `503 after ${stalled.ms.toFixed(0)} ms (limit ${limit})`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('goes on after an encoder crash, with a discontinuity and a new init segment', async () => {
    const before = await playlist(media[0]!);
    const [pid] = ffmpegChildren();
    process.kill(pid!, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    let p = before;
    while (Date.now() < deadline) {
      p = await playlist(media[0]!);
      if (p.segments.some((s) => s.discontinuity) && completeSegments(p).some((s) => s.discontinuity)) break;
      await sleep(250);
    }
    const resumed = p.segments.find((s) => s.discontinuity);
    assert.ok(resumed, 'EXT-X-DISCONTINUITY after the restart');
    assert.notEqual(resumed.map, before.segments[0]!.map, 'a new EXT-X-MAP for the new encoder run');
    assert.ok(p.segments.at(-1)!.msn > lastPart(before).msn, 'media sequence numbers go on');
    assert.equal((await get(base(media[0]!) + resumed.map)).status, 200);
    const msns = p.segments.map((s) => s.msn);
    assert.deepEqual(msns, msns.map((_, i) => msns[0]! + i), 'no gap in sequence numbers');
    assert.equal(resumed.parts[0]?.independent ?? true, true);
  });

  it('ends the playlist with ENDLIST when the show ends, keeps its segments, and ignores directives', async () => {
    const live = await waitForSegments(media[0]!, 3);
    relay.rooms.setStatus(ROOM, 'ended');
    let p = live;
    for (let i = 0; i < 40 && !p.ended; i += 1) {
      await sleep(100);
      p = await playlist(media[0]!);
    }
    assert.equal(p.ended, true, 'EXT-X-ENDLIST');
    assert.equal(p.preloadHint, null, 'no hint after the end');
    assert.equal(p.lines.at(-1), '#EXT-X-ENDLIST');
    const segment = completeSegments(p)[0]!;
    assert.equal((await get(base(media[0]!) + segment.uri)).status, 200, 'segments stay');
    const ignored = await get(`${media[0]}?_HLS_msn=${lastPart(p).msn + 2}&_HLS_part=0`);
    assert.equal(ignored.status, 200);
    assert.ok(ignored.ms < 150, 'blocking directives are ignored once ENDLIST is there');
    assert.match(ignored.headers.get('cache-control')!, /max-age=\d{3,}/);
    const info = JSON.parse((await get(`/v1/rooms/${ROOM}`)).text);
    assert.equal(info.hlsUrl, null);
    assert.equal((await get(`/v1/rooms/${ROOM}/hls/index.m3u8`)).status, 200, 'the ended show stays playable');
    assert.deepEqual(ffmpegChildren(), [], 'the encoder stopped');
  });
});
