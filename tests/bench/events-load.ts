/**
 * Load generator for `npm run bench:events`: N WebSocket viewers of one room on one relay, plus
 * shoppers posting chat and likes at fixed rates over HTTP. Measures, for every chat message and
 * every viewer, the delay from the moment it was posted to the moment the viewer received it.
 * Loopback only; bounded in viewers and seconds; prints progress lines and one JSON result line.
 */
import WebSocket from 'ws';

interface Options {
  url: string;
  room: string;
  viewers: number;
  seconds: number;
  chatPerSecond: number;
  likesPerSecond: number;
}

const [url, room, viewers, seconds, chatPerSecond, likesPerSecond] = process.argv.slice(2);
const options: Options = {
  url: url!,
  room: room!,
  viewers: Number(viewers),
  seconds: Number(seconds),
  chatPerSecond: Number(chatPerSecond),
  likesPerSecond: Number(likesPerSecond),
};
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(options.url)) throw new Error(`loopback relays only, got ${options.url}`);

const MAX_MS = 30_000;
const histogram = new Uint32Array(MAX_MS + 1);
let measuring = false;
let delivered = 0;
let resyncs = 0;
let dropped = 0;
const TIME = /"text":"t=(\d+) /g;

function onFrame(data: WebSocket.RawData): void {
  const now = Date.now();
  const buffer = data as Buffer;
  // Only chat frames carry timestamps: skip the rest without parsing them.
  if (buffer.indexOf('"chat"') === -1) {
    if (measuring && buffer.indexOf('"snapshot"') !== -1) resyncs += 1;
    return;
  }
  const text = buffer.toString();
  if (text.startsWith('{') && text.includes('"type":"snapshot"')) {
    if (measuring) resyncs += 1; // a resync repeats recent chat: not a delivery
    return;
  }
  for (const match of text.matchAll(TIME)) {
    if (!measuring) continue;
    const delay = Math.min(MAX_MS, Math.max(0, now - Number(match[1])));
    histogram[delay]! += 1;
    delivered += 1;
  }
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${options.url.replace('http', 'ws')}/v1/rooms/${options.room}/events`, { perMessageDeflate: false });
    ws.on('message', onFrame);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('close', () => {
      if (measuring) dropped += 1;
    });
  });
}

function percentile(p: number): number {
  const target = Math.ceil(delivered * p);
  let seen = 0;
  for (let ms = 0; ms <= MAX_MS; ms++) {
    seen += histogram[ms]!;
    if (seen >= target) return ms;
  }
  return MAX_MS;
}

let inFlight = 0;

/** Posts an action; a connection error counts as a refusal (status 0) rather than ending the run. */
async function post(path: string, body: unknown): Promise<number> {
  inFlight += 1;
  try {
    const response = await fetch(`${options.url}/v1/rooms/${options.room}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  } finally {
    inFlight -= 1;
  }
}

const sockets: WebSocket[] = [];
const connectStart = Date.now();
for (let i = 0; i < options.viewers; i += 250) {
  const batch = await Promise.all(Array.from({ length: Math.min(250, options.viewers - i) }, () => connect()));
  sockets.push(...batch);
}
console.log(`connected ${sockets.length} viewers in ${Date.now() - connectStart} ms`);
await new Promise((resolve) => setTimeout(resolve, 2000));

const cpuBefore = process.cpuUsage();
console.log('measure-start');
measuring = true;
let chatsSent = 0;
let likesSent = 0;
let chatRefused = 0;
let likesRefused = 0;
const tickMs = 50;
const started = Date.now();
let n = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    if (elapsed >= options.seconds * 1000) {
      clearInterval(timer);
      resolve();
      return;
    }
    // Keep to the rates on average, whatever the timer's jitter.
    const chatsDue = Math.floor((elapsed / 1000) * options.chatPerSecond) - chatsSent;
    const likesDue = Math.floor((elapsed / 1000) * options.likesPerSecond) - likesSent;
    for (let i = 0; i < chatsDue; i++) {
      n += 1;
      chatsSent += 1;
      // 100 shoppers in turn: each stays within the relay's per-shopper chat limit.
      void post('/chat', { shopper: `bench-shopper-${n % 100}`, name: `Viewer ${n % 100}`, text: `t=${Date.now()} n=${n}` }).then((s) => {
        if (s !== 201) chatRefused += 1;
      });
    }
    for (let i = 0; i < likesDue; i++) {
      likesSent += 1;
      void post('/likes', { shopper: `bench-liker-${likesSent % 50}`, count: 1 }).then((s) => {
        if (s !== 202) likesRefused += 1;
      });
    }
  }, tickMs);
});
console.log('measure-end');
// Wait for the stragglers (the relay persists and sends every message); what has not arrived
// after DRAIN_MS is reported as missing.
const DRAIN_MS = 20_000;
const drainStart = Date.now();
while (Date.now() - drainStart < DRAIN_MS) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (inFlight === 0 && delivered >= (chatsSent - chatRefused) * sockets.length) break;
}
measuring = false;
const cpu = process.cpuUsage(cpuBefore);
const result = {
  viewers: sockets.length,
  seconds: options.seconds,
  chatsSent,
  likesSent,
  chatRefused,
  likesRefused,
  expected: (chatsSent - chatRefused) * sockets.length,
  delivered,
  p50: percentile(0.5),
  p99: percentile(0.99),
  max: percentile(1),
  resyncs,
  dropped,
  drainMs: Date.now() - drainStart,
  generatorCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (Date.now() - started)) * 100),
};
console.log(`result ${JSON.stringify(result)}`);
for (const ws of sockets) ws.terminate();
process.exit(0);
