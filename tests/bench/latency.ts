/**
 * `npm run bench:latency`: glass-to-glass latency, smoothness (freezes) and time to first frame,
 * latency measured the only honest way: the studio's test pattern writes its capture time into every frame, and the viewer
 * reads it back from the frame being displayed (requestVideoFrameCallback), on one clock.
 *
 *   npm run bench:latency -- [--seconds 30] [--transports webrtc,hls,hls-classic]
 *
 * `hls` is the element on LL-HLS (hls.js); `hls-classic` the same show as classic HLS with 6 s
 * segments (tests/bench/hls-classic.ts), for the ratio.
 *
 * Prints a table and one JSON line per transport.
 */
import type { Page } from 'playwright-core';
import { DEMO_ROOM, goLive, launchChromium, newPage, openStudio, startStack, waitForViewerState } from '../e2e/harness.ts';
import { installClockSampler, type ClockSamplerWindow } from './clock-sampler.ts';
import { measureClassicHls } from './hls-classic.ts';
import { summarize, watchEventLoop, watchOrigin, watchPlayer } from './hls-latency-probe.ts';
import { percentile, raiseChildSessions, runRaisedCopy } from './load-process.ts';

interface Figures {
  transport: string;
  samples: number;
  unreadable: number;
  /** Freezes of 150 ms or more per minute, and the share of the time frozen. */
  freezesPerMinute: number;
  frozenShare: number;
  p50: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
  ttffFromNavigationMs: number;
  ttffFromLiveMs: number;
  seconds: number;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const seconds = Number(option('seconds', '30'));
const transports = option('transports', 'webrtc,hls,hls-classic').split(',');
/** `--series`: also print each second's median, to tell start-up from stalls. */
const series = args.includes('--series');
if (!Number.isFinite(seconds) || seconds < 5) throw new Error('--seconds must be a number >= 5');

// The whole stack shares this machine's cores: as root it runs at a raised priority, so that other
// work on the machine (another terminal's build) does not show up as latency.
const raisedCopyExit = await runRaisedCopy('bench:latency');
if (raisedCopyExit !== null) process.exit(raisedCopyExit);

/** The top rendition's media playlist of the demo room. */
async function topMediaUrl(url: string): Promise<string> {
  const multivariantUrl = `${url}/v1/rooms/${DEMO_ROOM}/hls/index.m3u8`;
  const text = await (await fetch(multivariantUrl)).text();
  return new URL(text.split('\n').find((l) => l.endsWith('.m3u8'))!, multivariantUrl).href;
}

/** Opens a viewer, waits for the picture, then samples the clock in every displayed frame. */
async function measure(page: Page, url: string, transport: string): Promise<Figures> {
  await installClockSampler(page);
  await page.goto(`${url}/demo/player.html?transport=${transport}`);
  await waitForViewerState(page, 'live', 30_000);
  // --series on LL-HLS: where a rise comes from, the origin's part age or the player's buffer.
  const probing = series && transport === 'hls';
  const origin = probing ? watchOrigin(await topMediaUrl(url)) : null;
  const loop = probing ? watchEventLoop() : null;
  if (probing) await watchPlayer(page);
  const probeStartedAt = Date.now();
  const result = await page.evaluate(
    (durationMs) =>
      (window as unknown as ClockSamplerWindow).__sampleClock(document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!, durationMs),
    seconds * 1000,
  );
  const timing = await page.evaluate(() => {
    const probe = window as unknown as { __firstFrameAt?: number; __connectingAt?: number };
    return { __firstFrameAt: probe.__firstFrameAt, __connectingAt: probe.__connectingAt };
  });
  if (series) {
    const perSecond = new Map<number, number[]>();
    result.times.forEach((t, i) => perSecond.set(Math.floor(t / 1000), [...(perSecond.get(Math.floor(t / 1000)) ?? []), result.latencies[i]!]));
    const medians = [...perSecond.entries()].map(([second, values]) => `${second}s:${Math.round(values.sort((a, b) => a - b)[values.length >> 1]!)}`);
    console.log(`${transport} per-second median latency (ms): ${medians.join(' ')}`);
  }
  if (origin) {
    const perSecond = await summarize(page, origin.stop(), loop!.stop(), probeStartedAt);
    console.log('second | g2g median ms | origin part age ms | buffered ahead s | stalls | rate | height | relay loop lag ms');
    for (const [second, s] of perSecond) {
      const latencies = result.latencies.filter((_, i) => Math.floor(result.times[i]! / 1000) === second).sort((a, b) => a - b);
      const g2g = latencies.length ? Math.round(latencies[latencies.length >> 1]!) : 'n/a';
      console.log(`${second} | ${g2g} | ${s.originAgeMs === null ? 'n/a' : Math.round(s.originAgeMs)} | ${s.bufferAheadS?.toFixed(2) ?? 'n/a'} | ${s.stalls} | ${s.playbackRate ?? 'n/a'} | ${s.height ?? 'n/a'} | ${s.relayLoopLagMs ?? 'n/a'}`);
    }
  }
  if (series) {
    const marks = await page.evaluate(() =>
      performance.getEntriesByType('mark').filter((m) => m.name.startsWith('live-shop:')).map((m) => `${m.name.slice(10)}@${Math.round(m.startTime)}`),
    );
    console.log(`${transport} connect timeline (ms since navigation): ${marks.join(' ')}`);
  }
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    transport,
    samples: sorted.length,
    unreadable: result.unreadable,
    freezesPerMinute: (result.freezes * 60) / seconds,
    frozenShare: result.frozenMs / (seconds * 1000),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length),
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
    ttffFromNavigationMs: timing.__firstFrameAt ?? NaN,
    ttffFromLiveMs: (timing.__firstFrameAt ?? NaN) - (timing.__connectingAt ?? NaN),
    seconds,
  };
}

/** Marks when the element starts connecting and when its video shows the first frame (page clock). */
const FIRST_FRAME_PROBE = `
  document.addEventListener('live-shop:state', (event) => {
    if (event.detail.state === 'connecting' && window.__connectingAt === undefined && event.detail.transport) window.__connectingAt = performance.now();
  });
  const watch = () => {
    const video = document.querySelector('live-shop')?.shadowRoot?.querySelector('video');
    if (!video) return requestAnimationFrame(watch);
    video.requestVideoFrameCallback((now, meta) => { window.__firstFrameAt = meta.presentationTime; });
  };
  requestAnimationFrame(watch);
`;

// Everything runs on one machine here; when no HLS path is measured, the relay does not encode
// LL-HLS, so WebRTC is measured without two x264 encodes competing for the same two cores.
const stack = await startStack(transports.some((t) => t.startsWith('hls')) ? {} : { LIVE_SHOP_HLS_SOURCE: 'off' });
const browser = await launchChromium();
raiseChildSessions('bench:latency');
const rows: Figures[] = [];
try {
  const studio = await openStudio(browser, stack, { source: 'test-pattern' });
  await goLive(studio);
  for (const transport of transports) {
    const page = await newPage(browser, `viewer-${transport}`);
    await page.addInitScript({ content: FIRST_FRAME_PROBE });
    if (transport === 'hls-classic') {
      const classic = await measureClassicHls(page, stack.url, DEMO_ROOM, seconds);
      const sorted = [...classic.latencies].sort((a, b) => a - b);
      rows.push({
        transport, samples: sorted.length, unreadable: classic.unreadable,
        freezesPerMinute: (classic.freezes * 60) / seconds, frozenShare: classic.frozenMs / (seconds * 1000), p50: percentile(sorted, 50), p95: percentile(sorted, 95),
        mean: sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN,
        ttffFromNavigationMs: classic.firstFrameMs, ttffFromLiveMs: NaN, seconds,
      });
    } else {
      rows.push(await measure(page, stack.url, transport));
    }
    await page.close();
  }
} finally {
  await browser.close();
  await stack.close();
}

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
console.log(`\nglass-to-glass latency, ${seconds} s of test pattern per transport (1280x720@30, loopback, ${process.env.CI ? 'CI' : 'local'}${process.env.LIVE_SHOP_BENCH_RAISED ? ', raised priority' : ''})\n`);
console.log('transport | p50 | p95 | min | max | frames read | unreadable | freezes >= 150 ms per minute (time frozen) | first frame (from page load) | first frame (from connect)');
console.log('--- | --- | --- | --- | --- | --- | --- | --- | --- | ---');
for (const r of rows) {
  console.log(`${r.transport} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.min)} | ${ms(r.max)} | ${r.samples} | ${r.unreadable} | ${r.freezesPerMinute.toFixed(1)} (${(r.frozenShare * 100).toFixed(1)}%) | ${ms(r.ttffFromNavigationMs)} | ${ms(r.ttffFromLiveMs)}`);
}
const ll = rows.find((r) => r.transport === 'hls');
const classicRow = rows.find((r) => r.transport === 'hls-classic');
if (ll && classicRow) console.log(`\nclassic HLS (6 s segments) p50 / LL-HLS p50: ${(classicRow.p50 / ll.p50).toFixed(1)}x`);
for (const r of rows) console.log(JSON.stringify({ bench: 'latency', ...r }));
