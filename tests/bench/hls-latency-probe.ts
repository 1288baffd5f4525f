/**
 * What `bench:latency --series` prints next to the LL-HLS glass-to-glass figures, to tell where
 * a rise comes from: the origin (how old the newest part already is when it is published: the
 * ingest and ffmpeg lagging) or the player (how much it has buffered ahead, its stalls, its
 * playback rate and rendition).
 */
import type { Page } from 'playwright-core';

export interface SecondSummary {
  /** Median age (ms) of the newest part's end, by its PROGRAM-DATE-TIME, when the origin listed it. */
  originAgeMs: number | null;
  /** Median seconds buffered ahead of the playhead. */
  bufferAheadS: number | null;
  /** 'waiting' events of the video in this second. */
  stalls: number;
  playbackRate: number | null;
  height: number | null;
  /** Longest delay of a 50 ms timer in the bench process, which runs the relay (and its ingest). */
  relayLoopLagMs: number | null;
}

/** Records how late a 50 ms timer fires in this process (the relay's event loop in this bench). */
export function watchEventLoop(): { stop(): { at: number; lagMs: number }[] } {
  const samples: { at: number; lagMs: number }[] = [];
  let expected = Date.now() + 50;
  const timer = setInterval(() => {
    const at = Date.now();
    samples.push({ at, lagMs: Math.max(0, at - expected) });
    expected = at + 50;
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Polls a media playlist and records how old its newest part is (end of media by PDT vs now). */
export function watchOrigin(mediaUrl: string): { stop(): { at: number; ageMs: number }[] } {
  const samples: { at: number; ageMs: number }[] = [];
  let running = true;
  void (async () => {
    while (running) {
      try {
        const text = await (await fetch(mediaUrl)).text();
        const at = Date.now();
        const newestEnd = newestMediaEnd(text);
        if (newestEnd !== null) samples.push({ at, ageMs: at - newestEnd });
      } catch {
        // The stack may be closing; the next poll or the end of the run decides.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    stop() {
      running = false;
      return samples;
    },
  };
}

/** Epoch ms at which the newest listed media ends: the last PROGRAM-DATE-TIME plus what follows it. */
export function newestMediaEnd(playlist: string): number | null {
  const lines = playlist.split('\n');
  const lastDate = lines.findLastIndex((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:'));
  if (lastDate < 0) return null;
  const start = Date.parse(lines[lastDate]!.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
  let parts = 0;
  let whole: number | null = null;
  for (const line of lines.slice(lastDate + 1)) {
    const part = /^#EXT-X-PART:DURATION=([\d.]+)/.exec(line);
    if (part) parts += Number(part[1]);
    const inf = /^#EXTINF:([\d.]+)/.exec(line);
    if (inf) whole = Number(inf[1]);
  }
  return start + (whole ?? parts) * 1000;
}

/** Starts recording, in the page, the video's buffer, stalls, rate and size every 250 ms. */
export async function watchPlayer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const video = document.querySelector('live-shop')!.shadowRoot!.querySelector('video')!;
    const probe = { started: performance.now(), samples: [] as { t: number; ahead: number; rate: number; height: number }[], stalls: [] as number[] };
    (window as unknown as { __playerProbe: typeof probe }).__playerProbe = probe;
    video.addEventListener('waiting', () => probe.stalls.push(performance.now() - probe.started));
    setInterval(() => {
      const end = video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : video.currentTime;
      probe.samples.push({ t: performance.now() - probe.started, ahead: end - video.currentTime, rate: video.playbackRate, height: video.videoHeight });
    }, 250);
  });
}

/** Per second (from when watchPlayer started, which is when sampling started): the summaries. */
export async function summarize(page: Page, origin: { at: number; ageMs: number }[], loop: { at: number; lagMs: number }[], startedAt: number): Promise<Map<number, SecondSummary>> {
  const probe = await page.evaluate(() => (window as unknown as { __playerProbe: { samples: { t: number; ahead: number; rate: number; height: number }[]; stalls: number[] } }).__playerProbe);
  const median = (values: number[]) => (values.length ? [...values].sort((a, b) => a - b)[values.length >> 1]! : null);
  const seconds = new Map<number, SecondSummary>();
  const last = Math.max(0, ...probe.samples.map((s) => Math.floor(s.t / 1000)));
  for (let second = 0; second <= last; second += 1) {
    const within = probe.samples.filter((s) => Math.floor(s.t / 1000) === second);
    seconds.set(second, {
      originAgeMs: median(origin.filter((o) => Math.floor((o.at - startedAt) / 1000) === second).map((o) => o.ageMs)),
      bufferAheadS: median(within.map((s) => s.ahead)),
      stalls: probe.stalls.filter((t) => Math.floor(t / 1000) === second).length,
      playbackRate: within.at(-1)?.rate ?? null,
      height: within.at(-1)?.height ?? null,
      relayLoopLagMs: loop.filter((l) => Math.floor((l.at - startedAt) / 1000) === second).reduce<number | null>((max, l) => Math.max(max ?? 0, l.lagMs), null),
    });
  }
  return seconds;
}
