import type { ArgumentsHost } from '@nestjs/common';
import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError } from '@siteops/contracts';
import type { Logger } from '@siteops/runtime';
import { RouteIndex } from '../http/route-index';
import { HttpProblem } from './problem';
import { ProblemFilter } from './problem.filter';

interface Sent {
  status?: number;
  headers: Record<string, string>;
  type?: string;
  body?: unknown;
}

function exchange(url = '/v1/x') {
  const sent: Sent = { headers: {} };
  const reply = {
    sent: false,
    status(code: number) {
      sent.status = code;
      return reply;
    },
    headers(h: Record<string, string>) {
      Object.assign(sent.headers, h);
      return reply;
    },
    type(t: string) {
      sent.type = t;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-9', url }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

function logger() {
  const errors: unknown[][] = [];
  const log = {
    error: (...args: unknown[]) => errors.push(args),
    warn: () => undefined,
  } as unknown as Logger;
  return { log, errors };
}

describe('ProblemFilter', () => {
  const routes = new RouteIndex();
  routes.add('GET', '/v1/things/:id');

  it('answers an unexpected error with a generic 500 and logs it with the request id', () => {
    const { log, errors } = logger();
    const { host, sent } = exchange();
    new ProblemFilter(log, routes).catch(
      new TypeError('cannot read properties of undefined (reading "secret")'),
      host,
    );
    expect(sent.status).toBe(500);
    expect(sent.type).toBe('application/problem+json');
    expect(sent.body).toMatchObject({ code: 'internal', correlationId: 'req-9' });
    expect(JSON.stringify(sent.body)).not.toContain('secret');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toMatchObject({ requestId: 'req-9' });
  });

  it('maps domain errors by code and keeps their headers', () => {
    const { host, sent } = exchange();
    new ProblemFilter(logger().log, routes).catch(
      new DomainError('unauthenticated', 'no key'),
      host,
    );
    expect(sent).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    const limited = exchange();
    new ProblemFilter(logger().log, routes).catch(
      new HttpProblem('rate_limited', 'slow down', { 'retry-after': '12' }),
      limited.host,
    );
    expect(limited.sent).toMatchObject({
      status: 429,
      headers: { 'retry-after': '12' },
      body: { code: 'rate_limited' },
    });
  });

  it('turns the framework’s 404 into 405 when another method serves the path', () => {
    const wrongMethod = exchange('/v1/things/1');
    new ProblemFilter(logger().log, routes).catch(
      new NotFoundException('Cannot DELETE /v1/things/1'),
      wrongMethod.host,
    );
    expect(wrongMethod.sent).toMatchObject({ status: 405, headers: { allow: 'GET' } });
    const unknown = exchange('/v1/other');
    new ProblemFilter(logger().log, routes).catch(new NotFoundException(), unknown.host);
    expect(unknown.sent.status).toBe(404);
    const tooLarge = exchange();
    new ProblemFilter(logger().log, routes).catch(new PayloadTooLargeException(), tooLarge.host);
    expect(tooLarge.sent).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
  });
});
