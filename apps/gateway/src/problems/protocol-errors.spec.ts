import {
  problemForClientError,
  problemForFrameworkError,
  rawProblemResponse,
} from './protocol-errors';

describe('problems for requests refused before routing', () => {
  it.each([
    ['HPE_INVALID_METHOD', 400, 'validation_failed'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'validation_failed'],
    [undefined, 400, 'validation_failed'],
    ['HPE_HEADER_OVERFLOW', 431, 'headers_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request_timeout'],
  ])('answers the parser error %s with %i %s', (code, status, problemCode) => {
    const answer = problemForClientError(code, 'corr-1');
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({
      status,
      code: problemCode,
      type: `urn:siteops:problem:${problemCode}`,
      correlationId: 'corr-1',
    });
  });

  it('answers router errors without quoting the URL', () => {
    const badUrl = problemForFrameworkError('FST_ERR_BAD_URL', 'r');
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.code).toBe('validation_failed');
    const tooLong = problemForFrameworkError('FST_ERR_MAX_PARAM_LENGTH', 'r');
    expect(tooLong.status).toBe(414);
    expect(tooLong.body).toMatchObject({ code: 'uri_too_long', title: 'URI Too Long' });
    expect(problemForFrameworkError('FST_ERR_SOMETHING_NEW', 'r').status).toBe(500);
  });

  it('writes a complete HTTP/1.1 response that closes the connection', () => {
    const text = rawProblemResponse(problemForClientError('HPE_HEADER_OVERFLOW', 'abc'));
    const [head = '', body = ''] = text.split('\r\n\r\n');
    const [statusLine, ...headers] = head.split('\r\n');
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(headers).toEqual(
      expect.arrayContaining([
        'content-type: application/problem+json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        'x-request-id: abc',
        'connection: close',
      ]),
    );
    expect(JSON.parse(body)).toMatchObject({ status: 431, correlationId: 'abc' });
  });
});
