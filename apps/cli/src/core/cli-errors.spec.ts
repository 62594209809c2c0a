import {
  ApiError,
  CliError,
  ExitCode,
  UsageError,
  exitCodeForStatus,
  formatError,
} from './cli-errors';

describe('exitCodeForStatus', () => {
  it.each([
    [400, ExitCode.Usage],
    [401, ExitCode.Forbidden],
    [403, ExitCode.Forbidden],
    [404, ExitCode.NotFound],
    [409, ExitCode.Conflict],
    [412, ExitCode.Conflict],
    [429, ExitCode.Error],
    [500, ExitCode.Error],
    [503, ExitCode.Error],
  ])('maps HTTP %i to exit %i', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });

  it('keeps the numbers SPEC §7 promises to scripts', () => {
    expect(ExitCode).toEqual({ Ok: 0, Error: 1, Usage: 2, NotFound: 3, Forbidden: 4, Conflict: 5 });
  });
});

describe('formatError', () => {
  it('prints the problem detail, each field error and the correlation id', () => {
    const error = new ApiError(
      400,
      {
        type: 't',
        title: 'Bad Request',
        status: 400,
        detail: 'the request body is invalid',
        code: 'validation_failed',
        errors: [{ field: 'name', message: 'must not be empty' }],
        correlationId: 'abc-123',
      },
      'fallback',
    );
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(formatError(error)).toBe(
      'error: the request body is invalid\n  - name: must not be empty\ncorrelation id: abc-123\n',
    );
  });

  it('falls back to the given text when the response carried no problem document', () => {
    expect(formatError(new ApiError(502, undefined, 'GET http://x/v1/orgs failed: HTTP 502'))).toBe(
      'error: GET http://x/v1/orgs failed: HTTP 502\n',
    );
  });

  it('adds the hint last', () => {
    expect(formatError(new UsageError('no key', 'pipe it in'))).toBe(
      'error: no key\nhint: pipe it in\n',
    );
    expect(new CliError('x').exitCode).toBe(ExitCode.Error);
  });
});
