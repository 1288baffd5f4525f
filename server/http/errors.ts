/** Errors are data: a stable code for programs, a sentence for people, an HTTP status. */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RelayError';
  }
}

export const badRequest = (code: string, message: string) => new RelayError(400, code, message);
export const unauthorized = (message: string) => new RelayError(401, 'unauthorized', message);
export const forbidden = (message: string) => new RelayError(403, 'forbidden', message);
export const notFound = (message: string) => new RelayError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new RelayError(409, code, message);
export const tooMany = (message: string) => new RelayError(429, 'rate_limited', message);
export const unavailable = (code: string, message: string) => new RelayError(503, code, message);
