import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a sane token (so a
 * trace spans the client, the nginx front and the gateway), else a new UUID.
 * It is echoed back, logged with every line, and becomes the correlation id
 * of commands and problems. Anything else is replaced rather than logged as is.
 */
export function requestIdOf(request: { readonly headers: IncomingHttpHeaders }): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && ACCEPTABLE.test(header) ? header : randomUUID();
}
