import type { ProblemDto } from '@siteops/contracts';
import { startGateway, type GatewayFixture } from '../test/gateway.fixture';
import type { SeededUser } from '../test/read-model.seeder';

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }
    >
  >;
}

describe('HTTP edge: problems, validation, request ids, OpenAPI, health (real Postgres, NATS, Redis)', () => {
  let gw: GatewayFixture;
  let admin: SeededUser;

  beforeAll(async () => {
    gw = await startGateway('gw_http');
    admin = await gw.seed.user('admin@example.com', { platformAdmin: true });
    await gw.settle();
  });
  afterAll(async () => {
    await gw.close();
  });

  const expectProblem = (
    res: { status: number; headers: Headers; body: unknown },
    status: number,
    code: string,
  ): ProblemDto => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = res.body as ProblemDto;
    expect(body).toMatchObject({ status, code, type: `urn:siteops:problem:${code}` });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(body.correlationId).toBe(res.headers.get('x-request-id'));
    return body;
  };

  it('answers malformed JSON with 400 validation_failed, without quoting the body', async () => {
    const secretish = 'siteops_abcdefgh12345678_secretsecretsecret';
    const res = await gw.request('POST', '/v1/organizations', {
      key: admin.key,
      rawBody: `{"name": ${secretish}`,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'validation_failed');
    expect(res.text).not.toContain('secretsecret');
  });

  it('answers another content type with 415 and an oversized body with 413', async () => {
    expectProblem(
      await gw.request('POST', '/v1/organizations', {
        key: admin.key,
        rawBody: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported_media_type',
    );
    expectProblem(
      await gw.request('POST', '/v1/organizations', {
        key: admin.key,
        rawBody: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported_media_type',
    );
    const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    expectProblem(
      await gw.request('POST', '/v1/organizations', {
        key: admin.key,
        rawBody: huge,
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'payload_too_large',
    );
  });

  it('answers an unknown route with 404 and a known path with the wrong method with 405 and Allow', async () => {
    expectProblem(
      await gw.request('GET', '/v1/nothing-here', { key: admin.key }),
      404,
      'not_found',
    );
    expectProblem(await gw.request('GET', '/nope'), 404, 'not_found');
    const wrong = await gw.request('DELETE', '/v1/whoami', { key: admin.key });
    expectProblem(wrong, 405, 'method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    const patchList = await gw.request('PUT', '/v1/organizations', { key: admin.key, body: {} });
    expectProblem(patchList, 405, 'method_not_allowed');
    expect(patchList.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('ignores a trailing slash and answers HEAD for GET routes', async () => {
    expect((await gw.request('GET', '/v1/whoami/', { key: admin.key })).status).toBe(200);
    const head = await gw.request('HEAD', '/v1/organizations', { key: admin.key });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('reports every invalid body field with its path', async () => {
    const res = await gw.request('POST', '/v1/api-keys', {
      key: admin.key,
      body: {
        name: '',
        expiresAt: 'tomorrow',
        scope: { path: 'acme', maxRole: 'god' },
        colour: 'red',
      },
    });
    const body = expectProblem(res, 400, 'validation_failed');
    expect(body.errors?.map((e) => e.field).sort()).toEqual([
      'colour',
      'expiresAt',
      'name',
      'scope.maxRole',
    ]);
  });

  it('refuses a malformed id, a bad query and a bad If-Match with 400 naming the input', async () => {
    const badId = expectProblem(
      await gw.request('GET', '/v1/organizations/not-a-uuid', { key: admin.key }),
      400,
      'validation_failed',
    );
    expect(badId.errors).toEqual([{ field: 'orgId', message: 'must be a UUID' }]);
    const badLimit = expectProblem(
      await gw.request('GET', '/v1/organizations?limit=0', { key: admin.key }),
      400,
      'validation_failed',
    );
    expect(badLimit.errors?.[0]?.field).toBe('limit');
    const badCursor = expectProblem(
      await gw.request('GET', '/v1/organizations?cursor=garbage', { key: admin.key }),
      400,
      'validation_failed',
    );
    expect(badCursor.errors?.[0]?.field).toBe('cursor');
    const org = await gw.request('POST', '/v1/organizations', {
      key: admin.key,
      body: { name: 'IfMatchCo' },
    });
    const id = (org.body as { id: string }).id;
    const badIfMatch = expectProblem(
      await gw.request('PATCH', `/v1/organizations/${id}`, {
        key: admin.key,
        body: { name: 'x' },
        headers: { 'if-match': 'W/"1"' },
      }),
      400,
      'validation_failed',
    );
    expect(badIfMatch.errors?.[0]?.field).toBe('If-Match');
    const badCascade = expectProblem(
      await gw.request('DELETE', `/v1/organizations/${id}?cascade=perhaps`, { key: admin.key }),
      400,
      'validation_failed',
    );
    expect(badCascade.errors?.[0]?.field).toBe('cascade');
  });

  it('echoes a sane X-Request-Id and uses it as the correlation id, and replaces an insane one', async () => {
    const res = await gw.request('GET', '/v1/nope', {
      key: admin.key,
      headers: { 'x-request-id': 'trace-abc.123' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    expect((res.body as ProblemDto).correlationId).toBe('trace-abc.123');
    const replaced = await gw.request('GET', '/v1/whoami', {
      key: admin.key,
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes the request id to the services as correlation id, with the caller as actor', async () => {
    const res = await gw.request('POST', '/v1/organizations', {
      key: admin.key,
      body: { name: 'Correlated' },
      headers: { 'x-request-id': 'req-42' },
    });
    expect(res.status).toBe(201);
    const sent = gw.services.sent('CreateOrganization').at(-1);
    expect(sent).toMatchObject({
      actor: admin.id,
      correlationId: 'req-42',
      data: { name: 'Correlated' },
    });
  });

  it('documents every route it serves in the OpenAPI document', async () => {
    const res = await gw.request('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as OpenApiDocument;
    expect(doc.openapi).toMatch(/^3\./);
    const served = gw.running
      .routes()
      .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(25);
    expect(documented.sort()).toEqual(expect.arrayContaining(served.sort()));
    // The operations carry the inputs they validate, e.g. If-Match and the query of a delete.
    const deleteOrg = doc.paths['/v1/organizations/{orgId}']?.['delete'];
    expect(deleteOrg?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:orgId', 'query:cascade', 'header:If-Match']),
    );
    expect(Object.keys(deleteOrg?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '403', '404', '409', '412']),
    );
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await gw.request('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('swagger');
  });

  it('serves health, readiness and Prometheus metrics with the request duration histogram', async () => {
    expect((await gw.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await gw.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      checks: { 'gateway:read-models': { ok: true }, 'gateway:postgres': { ok: true } },
    });
    await gw.request('GET', '/v1/whoami', { key: admin.key });
    const metrics = await gw.request('GET', '/metrics');
    expect(metrics.text).toMatch(
      /siteops_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/whoami"[^}]*\}/,
    );
  });
});
