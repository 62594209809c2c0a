import { createServer } from 'node:net';
import { FakeApi, pages, problem } from '../testing/fake-api';
import { TEST_KEY } from '../testing/run-cli';
import { ApiClient } from './api-client';
import { ApiError, CliError, ExitCode } from './cli-errors';

function client(
  apiUrl: string,
  apiUrlSource: 'env' | 'context' | 'default' | 'flag' = 'context',
): ApiClient {
  return new ApiClient({
    apiUrl,
    apiUrlSource,
    apiKey: TEST_KEY,
    fetch,
    userAgent: 'sitectl/test',
  });
}

describe('ApiClient', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await FakeApi.start();
  });
  afterEach(() => api.close());

  it('sends the key as a bearer token and JSON bodies', async () => {
    api.on('POST', '/v1/organizations', {
      status: 201,
      body: { id: 'o1', name: 'acme', version: 1, position: 'p-1' },
    });
    const created = await client(api.url).post<{ id: string }>('/v1/organizations', {
      name: 'acme',
    });
    expect(created.id).toBe('o1');
    const [request] = api.requests;
    expect(request?.headers['authorization']).toBe(`Bearer ${TEST_KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('sitectl/test');
    expect(request?.body).toEqual({ name: 'acme' });
  });

  it('keeps a path prefix of the API URL', async () => {
    const prefixed = client(`${api.url}/siteops`);
    api.on('GET', '/siteops/v1/whoami', { body: { ok: true } });
    await expect(prefixed.get('/v1/whoami')).resolves.toEqual({ ok: true });
  });

  it('follows nextCursor until the last page, passing the other query parameters along', async () => {
    api.on('GET', '/v1/things', pages([[1, 2], [3, 4], [5]]));
    await expect(client(api.url).list<number>('/v1/things', { q: 'x' })).resolves.toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(api.log).toEqual([
      'GET /v1/things?q=x',
      'GET /v1/things?q=x&cursor=c1',
      'GET /v1/things?q=x&cursor=c2',
    ]);
  });

  it('stops when the API hands back a cursor it already gave', async () => {
    api.on('GET', '/v1/loop', { body: { items: [1], nextCursor: 'same' } });
    await expect(client(api.url).list('/v1/loop')).rejects.toThrow('same page cursor twice');
  });

  it('sends the position of its last write as X-Consistent-Read on later reads', async () => {
    const c = client(api.url);
    api.on('GET', '/v1/a', { body: {} });
    api.on('PUT', '/v1/b', { body: { version: 3, position: '0000000a:00000042' } });
    api.on('DELETE', '/v1/c', { status: 204, headers: { 'x-position': 'from-header' } });
    await c.get('/v1/a');
    await c.put('/v1/b', { role: 'viewer' });
    await c.get('/v1/a');
    await c.delete('/v1/c');
    await c.get('/v1/a');
    const reads = api.find('GET', '/v1/a').map((r) => r.headers['x-consistent-read']);
    expect(reads).toEqual([undefined, '0000000a:00000042', 'from-header']);
    // Writes themselves never carry it.
    expect(api.find('DELETE', '/v1/c')[0]?.headers['x-consistent-read']).toBeUndefined();
  });

  it('turns a problem document into an ApiError with its exit code', async () => {
    api.on('GET', '/v1/x', problem(409, 'has_children', 'organization acme still has 2 projects'));
    const error = await client(api.url)
      .get('/v1/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 409,
      exitCode: ExitCode.Conflict,
      code: 'has_children',
      message: 'organization acme still has 2 projects',
      correlationId: 'corr-1234',
    });
  });

  it('reports an error response without a problem document by method, URL and status', async () => {
    api.on('GET', '/v1/x', { status: 502, headers: { 'content-type': 'text/html' } });
    const error = await client(api.url)
      .get('/v1/x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: ExitCode.Error,
      message: `GET ${api.url}/v1/x failed: HTTP 502 Bad Gateway`,
    });
  });

  it('adds Retry-After to a 429', async () => {
    api.on('GET', '/v1/x', {
      ...problem(429, 'rate_limited', 'too many requests'),
      headers: { 'retry-after': '7' },
    });
    await expect(client(api.url).get('/v1/x')).rejects.toMatchObject({
      hint: 'rate limited: retry after 7 s',
    });
  });

  it('says which URL could not be reached, where it came from, and how to fix it', async () => {
    const port = await unusedPort();
    const error = await client(`http://127.0.0.1:${port}`, 'env')
      .get('/v1/whoami')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    const cliError = error as CliError;
    expect(cliError.exitCode).toBe(ExitCode.Error);
    expect(cliError.message).toBe(
      `could not reach the siteops API at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect(cliError.hint).toContain('SITECTL_API_URL');
    expect(cliError.hint).toContain('sitectl login --api-url');
  });
});

/** A port nothing listens on: bind one, then free it. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
