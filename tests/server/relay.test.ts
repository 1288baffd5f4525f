/**
 * The relay's HTTP API for the live room (issue 2): every endpoint with good and bad input,
 * CORS, configuration errors, and the grants of real tokens exercised against real LiveKit.
 */
import {
  AudioSource,
  LocalAudioTrack,
  Room as RtcRoom,
  TrackPublishOptions,
  TrackSource,
  dispose,
} from '@livekit/rtc-node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../server/app.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { HOST_KEY, api, relayOn, sleep, tempDatabase, type TestDir } from './events-harness.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

function claims(token: string): { video: Record<string, unknown>; sub: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('relay HTTP API', { timeout: 120_000 }, () => {
  let dir: TestDir;
  let relay: Relay;

  before(async () => {
    dir = tempDatabase();
    relay = await relayOn(dir.db, { LIVE_SHOP_ORIGINS: 'https://shop.example' });
  });

  after(async () => {
    await relay?.close();
    dir?.remove();
    await dispose();
  });

  it('answers health and readiness', async () => {
    assert.deepEqual((await api(relay, 'GET', '/v1/health')).body, { status: 'ok' });
    const ready = await api(relay, 'GET', '/v1/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.livekit, true);
  });

  it('answers unknown paths with 404 and wrong methods with 405, as JSON', async () => {
    const missing = await api<ErrorBody>(relay, 'GET', '/v1/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const wrong = await api<ErrorBody>(relay, 'DELETE', '/v1/health');
    assert.equal(wrong.status, 405);
    assert.match(wrong.body.error.message, /DELETE is not allowed/);
  });

  it('rejects room names outside the safe alphabet', async () => {
    for (const name of ['UPPER', '-leading', 'a'.repeat(65), 'semi;colon', 'dot.dot']) {
      const reply = await api<ErrorBody>(relay, 'GET', `/v1/rooms/${name}`);
      assert.equal(reply.status, 400, name);
      assert.equal(reply.body.error.code, 'invalid_room');
    }
  });

  it('says which room does not exist and how to create it', async () => {
    const reply = await api<ErrorBody>(relay, 'GET', '/v1/rooms/ghost');
    assert.equal(reply.status, 404);
    assert.match(reply.body.error.message, /PUT \/v1\/rooms\/ghost/);
  });

  it('lets only the host create a room, and validates every field', async () => {
    assert.equal((await api(relay, 'PUT', '/v1/rooms/show', { title: 'x' })).status, 401);
    assert.equal((await api(relay, 'PUT', '/v1/rooms/show', { title: 'x' }, { headers: { authorization: 'Bearer wrong-key-wrong-key' } })).status, 401);
    const cases: Array<[unknown, string]> = [
      [{}, 'missing_field'],
      [{ title: 42 }, 'invalid_field'],
      [{ title: 'x'.repeat(201) }, 'invalid_field'],
      [{ title: 'ok', poster: 'javascript:alert(1)' }, 'invalid_field'],
      [{ title: 'ok', scheduledAt: 'next tuesday' }, 'invalid_field'],
      [[1, 2], 'invalid_body'],
    ];
    for (const [body, code] of cases) {
      const reply = await api<ErrorBody>(relay, 'PUT', '/v1/rooms/show', body, { host: true });
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.error.code, code, JSON.stringify(body));
    }
    const invalidJson = await api<ErrorBody>(relay, 'PUT', '/v1/rooms/show', undefined, { host: true, raw: '{"title":', type: 'application/json' });
    assert.equal(invalidJson.body.error.code, 'invalid_json');
    const wrongType = await api<ErrorBody>(relay, 'PUT', '/v1/rooms/show', undefined, { host: true, raw: 'title=x', type: 'text/plain' });
    assert.equal(wrongType.status, 415);
    const huge = await api<ErrorBody>(relay, 'PUT', '/v1/rooms/show', { title: 'x', pad: 'y'.repeat(70_000) }, { host: true });
    assert.equal(huge.status, 413);

    const created = await api(relay, 'PUT', '/v1/rooms/show', { title: 'Spring <b>drop</b>', scheduledAt: '2030-01-01T10:00:00Z' }, { host: true });
    assert.equal(created.status, 200);
    assert.equal(created.body.status, 'scheduled');
    assert.equal(created.body.title, 'Spring <b>drop</b>', 'stored as given; the widget renders it as text');
    assert.equal(created.body.scheduledAt, Date.parse('2030-01-01T10:00:00Z'));
  });

  it('gives no viewer token before the show, and host tokens only for the host key', async () => {
    const early = await api<ErrorBody>(relay, 'POST', '/v1/rooms/show/viewer-token');
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'not_live');
    assert.equal((await api(relay, 'POST', '/v1/rooms/show/host-token')).status, 401);
    assert.equal((await api(relay, 'POST', '/v1/rooms/show/end')).status, 401);
    const host = await api<{ token: string; identity: string }>(relay, 'POST', '/v1/rooms/show/host-token', undefined, { host: true });
    assert.equal(host.status, 200);
    assert.equal(host.body.identity, 'host:show');
    const grant = claims(host.body.token).video;
    assert.equal(grant.canPublish, true);
    assert.deepEqual(grant.canPublishSources, ['camera', 'microphone']);
  });

  it('goes live when LiveKit reports the host publishing; viewers get hidden subscribe-only tokens that cannot publish', async () => {
    const hostToken = (await api<{ token: string; livekitUrl: string }>(relay, 'POST', '/v1/rooms/show/host-token', undefined, { host: true })).body;
    const host = new RtcRoom();
    await host.connect(hostToken.livekitUrl, hostToken.token, { autoSubscribe: false, dynacast: false });
    const source = new AudioSource(48_000, 1);
    await host.localParticipant!.publishTrack(
      LocalAudioTrack.createAudioTrack('microphone', source),
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
    // The relay learns it from LiveKit's signed webhook, not from the host.
    await waitFor(async () => (await api(relay, 'GET', '/v1/rooms/show')).body.status === 'live', 'the room to go live');

    const viewer = await api<{ token: string; identity: string; expiresAt: number; livekitUrl: string }>(relay, 'POST', '/v1/rooms/show/viewer-token');
    assert.equal(viewer.status, 200);
    assert.match(viewer.body.identity, /^viewer:[0-9a-f-]{36}$/);
    const grant = claims(viewer.body.token);
    assert.equal(grant.video.canPublish, false);
    assert.equal(grant.video.canPublishData, false);
    assert.equal(grant.video.hidden, true);
    assert.ok(grant.exp - Date.now() / 1000 <= 600 + 5, 'viewer tokens are short-lived');

    const intruder = new RtcRoom();
    await intruder.connect(viewer.body.livekitUrl, viewer.body.token, { autoSubscribe: false, dynacast: false });
    const fake = LocalAudioTrack.createAudioTrack('fake', new AudioSource(48_000, 1));
    const attempt = await Promise.race([
      intruder.localParticipant!.publishTrack(fake, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE })).then(
        () => 'published',
        (error: Error) => `rejected: ${error.message}`,
      ),
      sleep(8000).then(() => 'no answer'),
    ]);
    assert.notEqual(attempt, 'published', 'a viewer token must not publish');
    // The viewer's token is no host credential either.
    const asHost = await api(relay, 'POST', '/v1/rooms/show/end', undefined, { headers: { authorization: `Bearer ${viewer.body.token}` } });
    assert.equal(asHost.status, 401);
    await intruder.disconnect();

    const ended = await api(relay, 'POST', '/v1/rooms/show/end', undefined, { host: true });
    assert.equal(ended.body.status, 'ended');
    const late = await api<ErrorBody>(relay, 'POST', '/v1/rooms/show/viewer-token');
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'show_ended');
    await host.disconnect();
  });

  it('rejects webhooks that LiveKit did not sign', async () => {
    const forged = await api<ErrorBody>(relay, 'POST', '/v1/livekit/webhook', undefined, {
      raw: JSON.stringify({ event: 'room_finished', room: { name: 'show' } }),
      type: 'application/webhook+json',
      headers: { authorization: 'eyJhbGciOiJIUzI1NiJ9.e30.forged' },
    });
    assert.equal(forged.status, 401);
    assert.equal((await api<ErrorBody>(relay, 'POST', '/v1/livekit/webhook', undefined, { raw: '{}', type: 'application/webhook+json' })).status, 401);
  });

  it('allows CORS for configured shop origins only', async () => {
    const allowed = await fetch(`${relay.url}/v1/rooms/show`, { headers: { origin: 'https://shop.example' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
    const other = await fetch(`${relay.url}/v1/rooms/show`, { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${relay.url}/v1/rooms/show/viewer-token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    const refused = await fetch(`${relay.url}/v1/rooms/show/viewer-token`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as ErrorBody).error.message, /evil\.example/);
  });
});

describe('relay configuration', () => {
  const base = { LIVE_SHOP_HOST_KEY: HOST_KEY };
  const rejects = (env: Record<string, string>, variable: string) =>
    assert.throws(() => loadConfig({ ...base, ...env }), (error: unknown) => error instanceof ConfigError && error.variable === variable);

  it('names the variable that is wrong', () => {
    rejects({ LIVE_SHOP_HOST_KEY: 'short' }, 'LIVE_SHOP_HOST_KEY');
    rejects({ LIVE_SHOP_PORT: 'eighty' }, 'LIVE_SHOP_PORT');
    rejects({ LIVE_SHOP_PORT: '70000' }, 'LIVE_SHOP_PORT');
    rejects({ LIVEKIT_URL: 'not a url' }, 'LIVEKIT_URL');
    rejects({ LIVEKIT_URL: 'ftp://livekit.example' }, 'LIVEKIT_URL');
    rejects({ LIVEKIT_URL: 'wss://livekit.example' }, 'LIVEKIT_API_KEY');
    rejects({ LIVE_SHOP_VIEWER_TOKEN_TTL: '5' }, 'LIVE_SHOP_VIEWER_TOKEN_TTL');
  });

  it('has documented defaults', () => {
    const config = loadConfig(base);
    assert.equal(config.port, 8787);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.viewerTokenTtlSeconds, 600);
    assert.deepEqual(config.allowedOrigins, []);
    assert.equal(config.livekit.url, null);
    assert.equal(config.replaysDir, '.cache/replays');
    assert.equal(config.replaysKept, 20);
  });

  it('keeps replays beside the database unless told otherwise, and none for a database that keeps nothing', () => {
    assert.equal(loadConfig({ ...base, LIVE_SHOP_DB: '/var/lib/live-shop/relay.sqlite' }).replaysDir, '/var/lib/live-shop/replays');
    assert.equal(loadConfig({ ...base, LIVE_SHOP_DB: ':memory:' }).replaysDir, null);
    assert.equal(loadConfig({ ...base, LIVE_SHOP_REPLAYS: '/srv/replays' }).replaysDir, '/srv/replays');
    assert.equal(loadConfig({ ...base, LIVE_SHOP_REPLAYS: 'off' }).replaysDir, null);
    rejects({ LIVE_SHOP_REPLAYS_KEPT: '0' }, 'LIVE_SHOP_REPLAYS_KEPT');
  });
});
