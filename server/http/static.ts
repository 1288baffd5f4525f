import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { notFound } from './errors.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Sends a file below `root`, refusing paths that climb out of it. Content-hashed chunks are
 * immutable; everything else revalidates, so a shop sees a new release within a minute.
 */
export function sendFile(res: ServerResponse, root: string, relative: string, extraHeaders: Record<string, string> = {}): void {
  const base = resolve(root);
  const path = resolve(join(base, normalize(relative)));
  if (path !== base && !path.startsWith(base + sep)) throw notFound('no such file');
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw notFound(`no such file: ${relative}`);
  }
  const hashed = /[-.][A-Za-z0-9_-]{8,}\.(js|css|wasm)$/.test(path);
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=60',
    'access-control-allow-origin': '*',
    ...extraHeaders,
  });
  if (res.req.method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
}
