import { badRequest } from './errors.ts';

const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Room names appear in URLs, LiveKit room names and file paths, so they are kept to a safe alphabet. */
export function roomName(value: string): string {
  if (!ROOM_NAME.test(value)) {
    throw badRequest('invalid_room', `room must be 1-64 characters of a-z, 0-9, "-" and "_", starting with a letter or digit; got "${value.slice(0, 80)}"`);
  }
  return value;
}

export function object(value: unknown, what = 'body'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('invalid_body', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest('invalid_field', `${field} must be a string`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw badRequest('invalid_field', `${field} must be at most ${max} characters`);
  return trimmed;
}

export function requiredString(body: Record<string, unknown>, field: string, max: number): string {
  const value = optionalString(body, field, max);
  if (!value) throw badRequest('missing_field', `${field} is required`);
  return value;
}

export function optionalUrl(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field, 2048);
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw badRequest('invalid_field', `${field} must be an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw badRequest('invalid_field', `${field} must be an absolute http(s) URL`);
  }
  return parsed.href;
}

export function optionalTime(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const time = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(time)) throw badRequest('invalid_field', `${field} must be an ISO 8601 date or epoch milliseconds`);
  return time;
}
