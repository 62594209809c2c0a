import { DomainError, type ErrorCode, type FieldError, type ProblemDto } from '@siteops/contracts';

/**
 * Codes a problem can carry: every domain `ErrorCode`, plus those only the
 * HTTP layer produces (the request never reached a handler).
 */
export type ProblemCode =
  | ErrorCode
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'request_timeout'
  | 'uri_too_long'
  | 'headers_too_large';

/** The one place that maps error codes to HTTP statuses (exhaustive: a new code fails to compile here). */
export function statusOf(code: ProblemCode): number {
  switch (code) {
    case 'validation_failed':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'request_timeout':
      return 408;
    case 'already_exists':
    case 'has_children':
    case 'last_owner':
    case 'conflict':
    case 'concurrency_conflict':
      return 409;
    case 'precondition_failed':
      return 412;
    case 'payload_too_large':
      return 413;
    case 'uri_too_long':
      return 414;
    case 'unsupported_media_type':
      return 415;
    case 'rate_limited':
      return 429;
    case 'headers_too_large':
      return 431;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `type` is a stable URN per code: clients may switch on it (or on `code`), never on `detail`. */
export function problemType(code: ProblemCode): string {
  return `urn:siteops:problem:${code}`;
}

/** A failure the HTTP layer answers itself; carries headers a plain `DomainError` cannot (`Retry-After`, `Allow`). */
export class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export interface Problem {
  status: number;
  body: ProblemDto;
  headers: Readonly<Record<string, string>>;
}

export function problem(
  code: ProblemCode,
  detail: string,
  correlationId: string,
  errors?: FieldError[],
  headers: Readonly<Record<string, string>> = {},
): Problem {
  const status = statusOf(code);
  const body: ProblemDto = {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    correlationId,
  };
  if (errors && errors.length > 0) body.errors = errors;
  // A 401 says how to authenticate (RFC 9110 §11.6.1).
  const extra = status === 401 ? { 'www-authenticate': 'Bearer', ...headers } : headers;
  return { status, body, headers: extra };
}

/**
 * Problems for errors raised by Fastify or Nest before a handler ran, known
 * only by their HTTP status. The details are fixed texts: the framework's own
 * messages can quote the request body (V8's JSON errors do), which may hold a key.
 */
export function problemForHttpStatus(
  status: number,
  correlationId: string,
  allow?: readonly string[],
): Problem {
  switch (status) {
    case 400:
      return problem(
        'validation_failed',
        'The request could not be read: the body is not valid JSON, or the request is malformed',
        correlationId,
      );
    case 404:
      return allow && allow.length > 0
        ? problem(
            'method_not_allowed',
            `This resource does not support that method; it supports ${allow.join(', ')}`,
            correlationId,
            undefined,
            {
              allow: allow.join(', '),
            },
          )
        : problem('not_found', 'No such route', correlationId);
    case 413:
      return problem('payload_too_large', 'The request body is too large', correlationId);
    case 415:
      return problem(
        'unsupported_media_type',
        'Send request bodies as application/json',
        correlationId,
      );
    default:
      return status >= 400 && status < 500
        ? problem('validation_failed', 'The request is malformed', correlationId)
        : problem(
            'internal',
            'The request failed unexpectedly; the correlation id identifies it in the logs',
            correlationId,
          );
  }
}

/** A domain error as a problem. `internal` errors from services keep their details out of the response. */
export function problemForDomainError(error: DomainError, correlationId: string): Problem {
  const detail =
    error.code === 'internal'
      ? 'The request failed unexpectedly; the correlation id identifies it in the logs'
      : error.message;
  return problem(error.code, detail, correlationId, error.errors);
}

export function notFound(detail: string): DomainError {
  return new DomainError('not_found', detail);
}

export function forbidden(detail: string): DomainError {
  return new DomainError('forbidden', detail);
}

export function invalid(field: string, message: string): DomainError {
  return new DomainError('validation_failed', `Invalid ${field}: ${message}`, [{ field, message }]);
}
