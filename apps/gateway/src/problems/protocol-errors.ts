import type { Logger } from '@siteops/runtime';
import type { FastifyError } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem, problemForHttpStatus, type Problem } from './problem';

/*
 * Requests that never reach a hook, a route or the ProblemFilter: Node's
 * parser refuses them (unknown method, header overflow, broken framing…),
 * Fastify's router cannot decode the URL or finds a path segment over its
 * length limit, or the method is CONNECT. Left to the defaults they get
 * ad-hoc JSON (quoting the URL), an empty body, or a dropped connection; here
 * they get a problem like every other error (SPEC §4). Found by the fuzz e2e
 * spec (test/e2e/src/fuzz.e2e.spec.ts).
 */

/** The problem for a request Node's HTTP parser refused (`code` is the parser's, e.g. HPE_INVALID_METHOD). */
export function problemForClientError(code: string | undefined, correlationId: string): Problem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return problem('headers_too_large', 'The request headers are too large', correlationId);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request_timeout', 'The request did not arrive in time', correlationId);
    default:
      return problem(
        'validation_failed',
        'The request is not valid HTTP/1.1 (request line, method, headers or framing)',
        correlationId,
      );
  }
}

/** The problem for an error Fastify's router raises before routing (`frameworkErrors`). */
export function problemForFrameworkError(code: string, correlationId: string): Problem {
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return problem(
        'validation_failed',
        'The URL is not valid: a percent-encoded sequence does not decode to UTF-8',
        correlationId,
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('uri_too_long', 'A path segment is longer than any id', correlationId);
    default:
      return problemForHttpStatus(500, correlationId);
  }
}

/** A whole HTTP/1.1 response carrying a problem, for a socket no reply object owns; it closes the connection. */
export function rawProblemResponse(answer: Problem): string {
  const body = JSON.stringify(answer.body);
  const headers: Record<string, string> = {
    ...answer.headers,
    'x-request-id': answer.body.correlationId,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  const reason = STATUS_CODES[answer.status] ?? 'Error';
  return `HTTP/1.1 ${answer.status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Writes the problem and closes the connection once it is flushed. */
function answerOnSocket(socket: Duplex, answer: Problem): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawProblemResponse(answer), () => socket.destroy());
}

/** Fastify's `clientErrorHandler`: what the parser refused is answered as a problem, then the connection closes. */
export function clientErrorHandler(logger: Logger) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = problemForClientError(error.code, randomUUID());
    logger.debug(
      { code: error.code, correlationId: answer.body.correlationId },
      'refused an unparsable request',
    );
    answerOnSocket(socket, answer);
  };
}

/**
 * What `frameworkErrorHandler` uses of Fastify's request and reply. The
 * adapter is typed with its own copy of Fastify, so the handler states what it
 * needs rather than naming either copy's types; like Fastify's default, it
 * writes the raw response (no route, so no hooks to run).
 */
interface RouterErrorRequest {
  readonly id: string;
}
interface RouterErrorReply {
  readonly raw: {
    writeHead(status: number, headers: Record<string, string>): unknown;
    end(body: string): unknown;
  };
}

/** Fastify's `frameworkErrors`: router errors before any hook ran, answered like the ProblemFilter would. */
export function frameworkErrorHandler(logger: Logger) {
  return (
    error: Pick<FastifyError, 'code'>,
    request: RouterErrorRequest,
    reply: RouterErrorReply,
  ): void => {
    const answer = problemForFrameworkError(error.code, request.id);
    if (answer.status >= 500)
      logger.error({ requestId: request.id, err: error }, 'unexpected router error');
    const body = JSON.stringify(answer.body);
    reply.raw.writeHead(answer.status, {
      ...answer.headers,
      'x-request-id': request.id,
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
    });
    reply.raw.end(body);
  };
}

/**
 * Node's `connect` event: this server is no proxy. Without a listener Node
 * drops the connection without a word; a problem says why.
 */
export function answerConnect(_request: unknown, socket: Duplex): void {
  answerOnSocket(
    socket,
    problem(
      'validation_failed',
      'This server is not a proxy: CONNECT is not supported',
      randomUUID(),
    ),
  );
}
