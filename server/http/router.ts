import type { IncomingMessage, ServerResponse } from 'node:http';
import { RelayError, badRequest, notFound } from './errors.ts';

/**
 * One request as a handler sees it. It is made for every request (20,000 a second on a busy
 * LL-HLS origin), so the query string is parsed only for handlers that read it.
 */
export class RequestContext {
  private parsedQuery: URLSearchParams | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    private readonly rawQuery: string,
  ) {}

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.rawQuery));
  }

  /** Reads and parses a JSON body of at most `limit` bytes; rejects anything else with a 4xx. */
  json(limit?: number): Promise<unknown> {
    return readJson(this.req, limit, this.res);
  }

  /** Reads the raw body of at most `limit` bytes. */
  text(limit?: number): Promise<string> {
    return readBody(this.req, limit, this.res);
  }
}

/** A path that a URL parser would leave as it is: no dot segments, escapes or characters it encodes. */
const CANONICAL_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/;

/**
 * Splits a request target into its path (as `new URL` would give it: dot segments resolved,
 * characters escaped) and its query. Most paths are already in that form and skip the parser.
 */
export function requestTarget(target: string): { pathname: string; query: string } {
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  if (CANONICAL_PATH.test(path) && !path.includes('/.')) return { pathname: path, query: mark < 0 ? '' : target.slice(mark + 1) };
  const parsed = new URL(target, 'http://relay');
  return { pathname: parsed.pathname, query: parsed.search.slice(1) };
}

/** What a handler returns: a JSON body (status 200), a full reply, or nothing if it answered itself. */
export type HandlerResult = unknown;
export type Handler = (ctx: RequestContext) => Promise<HandlerResult> | HandlerResult;

export class JsonReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  /** Path segments the pattern has; a `{name+}` pattern matches this many or more. */
  segments: number;
  open: boolean;
}

const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Paths longer than this are matched against every route instead of a cached candidate list. */
const MAX_CACHED_SEGMENTS = 32;

/** Path patterns use `{name}` for one segment (`/v1/rooms/{room}`) and `{name+}` for the rest of the path. */
export class Router {
  private readonly routes: Route[] = [];
  /**
   * The routes that can match a path of n segments, in registration order. Every request (a
   * held LL-HLS reload, a part) is matched here, so only the few patterns of its length are tried.
   */
  private readonly bySegments = new Map<number, Route[]>();

  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(\+?)\}/g, (_, name: string, rest: string) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    const segments = segmentCount(path);
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler, segments, open: /\{\w+\+\}/.test(path) });
    this.bySegments.clear();
    return this;
  }

  /** Finds the handler for a request: 404 for an unknown path, 405 for a known path with another method. */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } {
    let pathKnown = false;
    for (const route of this.candidates(segmentCount(pathname))) {
      const found = route.pattern.exec(pathname);
      if (!found) continue;
      pathKnown = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return { handler: route.handler, params };
    }
    if (pathKnown) throw new RelayError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`);
    throw notFound(`no such endpoint: ${pathname}`);
  }

  private candidates(segments: number): Route[] {
    if (segments > MAX_CACHED_SEGMENTS) return this.routes;
    let list = this.bySegments.get(segments);
    if (!list) {
      list = this.routes.filter((route) => route.segments === segments || (route.open && route.segments <= segments));
      this.bySegments.set(segments, list);
    }
    return list;
  }
}

function segmentCount(path: string): number {
  let count = 0;
  for (let i = 0; i < path.length; i += 1) if (path.charCodeAt(i) === 47) count += 1;
  return count;
}

export function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT, res?: ServerResponse): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new RelayError(413, 'body_too_large', `request body is larger than ${limit} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      // Answer without reading; the connection closes after the reply rather than take the upload.
      res?.setHeader('connection', 'close');
      reject(tooLarge());
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        res?.setHeader('connection', 'close');
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT, res?: ServerResponse): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const text = await readBody(req, limit, res);
  if (text.trim() === '') return {};
  if (!/^application\/(.+\+)?json\b/.test(type)) {
    throw new RelayError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest('invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

/** The one place where errors become HTTP: known errors keep their status and reason, others are 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof RelayError) {
    sendJson(res, error.status, { error: { code: error.code, message: error.message } });
    return;
  }
  console.error('[relay] unexpected error', error);
  sendJson(res, 500, { error: { code: 'internal', message: 'the relay failed to handle this request' } });
}
