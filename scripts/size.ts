/**
 * Size budgets, checked in the gate: what a shop's page downloads before anything else (the
 * script tag and the chunks it imports statically), and each lazy chunk, all in gzip bytes.
 * Every built file must fall under one budget, so no new chunk grows unseen.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = 'dist/widget';
const KB = 1024;

interface Budget {
  name: string;
  /** Files this budget covers (relative to dist/widget). */
  match: RegExp;
  /** Count the entry together with every chunk it imports statically. */
  withStaticImports?: boolean;
  gzipBytes: number;
}

const BUDGETS: Budget[] = [
  { name: 'script tag (live-shop.js + static imports)', match: /^live-shop\.js$/, withStaticImports: true, gzipBytes: 25 * KB },
  { name: 'studio entry (+ static imports)', match: /^live-shop-studio\.js$/, withStaticImports: true, gzipBytes: 40 * KB },
  { name: 'shared Lit/nanostores chunk', match: /^store-controller-[\w-]+\.js$/, gzipBytes: 12 * KB },
  { name: 'livekit-client (lazy, WebRTC only)', match: /^livekit-client[.\w-]*\.js$/, gzipBytes: 160 * KB },
  { name: 'hls.js light (lazy, LL-HLS only)', match: /^hls\.light[.\w-]*\.js$/, gzipBytes: 120 * KB },
  { name: 'LL-HLS player (lazy, fetched with hls.js)', match: /^hls-engine-[\w-]+\.js$/, gzipBytes: 4 * KB },
  { name: 'shop and chat layer (lazy while live; its shared stores ride in the script tag)', match: /^shop-(?!styles-)[\w-]+\.js$/, gzipBytes: 12 * KB },
  { name: 'shop styles (lazy, shared by the shop layer and the studio)', match: /^shop-styles-[\w-]+\.js$/, gzipBytes: 2 * KB },
  { name: 'studio media pipeline (lazy)', match: /^media-[\w-]+\.js$/, gzipBytes: 8 * KB },
  { name: 'denoise worklet', match: /^media\/denoise-worklet\.js$/, gzipBytes: 4 * KB },
  { name: 'video worker', match: /^media\/video-worker\.js$/, gzipBytes: 6 * KB },
  { name: 'media core loader', match: /^media\/media-core-[\w-]+\.js$/, gzipBytes: 2 * KB },
  { name: 'media.wasm', match: /^media\/media\.wasm$/, gzipBytes: 24 * KB },
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [relative(DIST, path)];
  });
}

const gzipSize = (file: string): number => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;

/** The file and every chunk it imports statically (import ... from "./x.js"), transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(join(DIST, file), 'utf8');
  for (const match of source.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) staticClosure(match[1]!, seen);
  return seen;
}

const built = files(DIST).filter((file) => /\.(js|wasm)$/.test(file));
if (!built.includes('live-shop.js')) {
  console.error(`size: ${DIST}/live-shop.js is missing; run npm run build first`);
  process.exit(1);
}

let failed = false;
const rows: string[] = [];
const covered = new Set<string>();
for (const budget of BUDGETS) {
  const matched = built.filter((file) => budget.match.test(file));
  if (matched.length === 0) {
    rows.push(`  ${'-'.padStart(9)}  ${(budget.gzipBytes / KB).toFixed(1).padStart(7)} KB  ${budget.name}: no such file (stale budget?)`);
    failed = true;
    continue;
  }
  for (const file of matched) {
    covered.add(file);
    const counted = budget.withStaticImports ? [...staticClosure(file)] : [file];
    const size = counted.reduce((sum, f) => sum + gzipSize(f), 0);
    const over = size > budget.gzipBytes;
    failed ||= over;
    rows.push(`${over ? '✗' : '✓'} ${(size / KB).toFixed(1).padStart(7)} KB / ${(budget.gzipBytes / KB).toFixed(1).padStart(5)} KB  ${budget.name}${counted.length > 1 ? ` [${counted.join(' + ')}]` : ''}`);
  }
}
for (const file of built.filter((f) => !covered.has(f))) {
  rows.push(`✗ ${(gzipSize(file) / KB).toFixed(1).padStart(7)} KB  ${file}: no budget covers this file; add one to scripts/size.ts`);
  failed = true;
}
console.log('size budgets (gzip -9):');
for (const row of rows) console.log(`  ${row}`);
if (failed) {
  console.error('size: over budget (see ✗ above)');
  process.exit(1);
}
