import { DomainError, ERROR_CODES, type ErrorCode } from '@siteops/contracts';
import { problem, problemForDomainError, problemForHttpStatus, statusOf } from './problem';

describe('statusOf', () => {
  const expected: Record<ErrorCode, number> = {
    validation_failed: 400,
    unauthenticated: 401,
    forbidden: 403,
    not_found: 404,
    already_exists: 409,
    has_children: 409,
    last_owner: 409,
    conflict: 409,
    concurrency_conflict: 409,
    precondition_failed: 412,
    rate_limited: 429,
    unavailable: 503,
    internal: 500,
  };

  it.each(ERROR_CODES.map((code) => [code, expected[code]] as const))(
    'maps %s to %i',
    (code, status) => {
      expect(statusOf(code)).toBe(status);
    },
  );

  it('maps the HTTP-only codes', () => {
    expect(statusOf('method_not_allowed')).toBe(405);
    expect(statusOf('payload_too_large')).toBe(413);
    expect(statusOf('unsupported_media_type')).toBe(415);
  });
});

describe('problem', () => {
  it('builds an RFC 9457 body with the code, its type and the correlation id', () => {
    const p = problem('not_found', 'No organization with id x', 'req-1');
    expect(p.status).toBe(404);
    expect(p.body).toEqual({
      type: 'urn:siteops:problem:not_found',
      title: 'Not Found',
      status: 404,
      detail: 'No organization with id x',
      code: 'not_found',
      correlationId: 'req-1',
    });
    expect(p.headers).toEqual({});
  });

  it('carries field errors only when there are some', () => {
    expect(problem('validation_failed', 'bad', 'r', []).body.errors).toBeUndefined();
    expect(
      problem('validation_failed', 'bad', 'r', [{ field: 'name', message: 'must not be empty' }])
        .body.errors,
    ).toEqual([{ field: 'name', message: 'must not be empty' }]);
  });

  it('says how to authenticate on a 401', () => {
    expect(problem('unauthenticated', 'no key', 'r').headers).toEqual({
      'www-authenticate': 'Bearer',
    });
  });

  it('keeps the details of internal errors out of the response', () => {
    const p = problemForDomainError(
      new DomainError('internal', 'pg: relation rm_x does not exist'),
      'r',
    );
    expect(p.status).toBe(500);
    expect(p.body.detail).not.toContain('rm_x');
  });

  it('passes domain messages and field errors through', () => {
    const p = problemForDomainError(
      new DomainError('validation_failed', 'Invalid', [{ field: 'scope.maxRole', message: 'bad' }]),
      'r',
    );
    expect(p.status).toBe(400);
    expect(p.body.errors).toEqual([{ field: 'scope.maxRole', message: 'bad' }]);
  });
});

describe('problemForHttpStatus', () => {
  it('never quotes the framework message (it may contain the body)', () => {
    const p = problemForHttpStatus(400, 'r');
    expect(p.body.code).toBe('validation_failed');
    expect(p.body.detail).toMatch(/not valid JSON/);
  });

  it('answers 405 with Allow when another method serves the path, 404 otherwise', () => {
    const wrongMethod = problemForHttpStatus(404, 'r', ['GET', 'HEAD']);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers).toEqual({ allow: 'GET, HEAD' });
    expect(problemForHttpStatus(404, 'r', []).status).toBe(404);
  });

  it.each([
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
    [431, 'validation_failed'],
    [502, 'internal'],
  ])('maps %i to %s', (status, code) => {
    expect(problemForHttpStatus(status, 'r').body.code).toBe(code);
  });
});
