import type { ApiKeyCreatedDto, ApiKeyDto } from '@siteops/contracts';
import { ExitCode } from '../core/cli-errors';
import { FakeApi, page, pages } from '../testing/fake-api';
import { TEST_KEY, runCli } from '../testing/run-cli';

const NEW_KEY = 'siteops_k2newkey9_bmV3LXNlY3JldC1uZXctc2VjcmV0';

function key(id: string, name: string, extra: Partial<ApiKeyDto> = {}): ApiKeyDto {
  return {
    id,
    name,
    userId: 'u-ada',
    expiresAt: null,
    scope: null,
    createdAt: '2030-01-14T12:00:00Z',
    revokedAt: null,
    ...extra,
  };
}

describe('apikeys', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await FakeApi.start();
  });
  afterEach(() => api.close());

  const env = (): Record<string, string> => ({
    SITECTL_API_URL: api.url,
    SITECTL_API_KEY: TEST_KEY,
  });
  const created: ApiKeyCreatedDto = {
    id: 'k2newkey9',
    name: 'ci',
    key: NEW_KEY,
    expiresAt: '2030-02-14T12:00:00.000Z',
    scope: { path: 'acme/web', maxRole: 'developer' },
  };

  it('create sends name, expiry and scope; prints the key alone on stdout with a warning on stderr', async () => {
    api.on('POST', '/v1/api-keys', { status: 201, body: created });
    const result = await runCli(
      ['apikeys', 'create', 'ci', '--expires', '30d', '--scope', 'acme/web', '--role', 'developer'],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${NEW_KEY}\n`);
    expect(result.stderr).toBe(
      'API key "ci" created (id k2newkey9, acme/web (at most developer), expires 2030-02-14T12:00:00.000Z).\n' +
        'warning: save this key now: it will not be shown again.\n',
    );
    expect(api.requests[0]?.body).toEqual({
      name: 'ci',
      expiresAt: '2030-02-14T12:00:00.000Z',
      scope: { path: 'acme/web', maxRole: 'developer' },
    });
  });

  it('create -o json prints the whole answer, key included, and still warns', async () => {
    api.on('POST', '/v1/api-keys', {
      status: 201,
      body: { ...created, scope: null, expiresAt: null },
    });
    const result = await runCli(['apikeys', 'create', 'ci', '-o', 'json'], { env: env() });
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'k2newkey9', key: NEW_KEY });
    expect(result.stderr).toBe('warning: save this key now: it will not be shown again.\n');
    expect(api.requests[0]?.body).toEqual({ name: 'ci' });
  });

  it('create -o table shows the key among its details', async () => {
    api.on('POST', '/v1/api-keys', { status: 201, body: created });
    const result = await runCli(['apikeys', 'create', 'ci', '-o', 'table'], { env: env() });
    expect(result.stdout).toContain(`Key       ${NEW_KEY}\n`);
  });

  it('create rejects --scope without --role (and the reverse), a bad scope path and a bad expiry, sending nothing', async () => {
    for (const argv of [
      ['apikeys', 'create', 'ci', '--scope', 'acme'],
      ['apikeys', 'create', 'ci', '--role', 'viewer'],
      ['apikeys', 'create', 'ci', '--scope', 'a/b/c/d', '--role', 'viewer'],
      ['apikeys', 'create', 'ci', '--expires', 'soon'],
      ['apikeys', 'create', 'ci', '--expires', '2020-01-01'],
    ]) {
      expect((await runCli(argv, { env: env() })).code).toBe(ExitCode.Usage);
    }
    expect(api.requests).toHaveLength(0);
  });

  it('list shows status and marks the key in use', async () => {
    api.on(
      'GET',
      '/v1/api-keys',
      pages([
        [key('k1testkey', 'laptop'), key('k3old', 'old', { revokedAt: '2030-01-15T00:00:00Z' })],
        [
          key('k4exp', 'temp', {
            expiresAt: '2030-01-15T11:00:00Z',
            scope: { path: 'acme', maxRole: 'viewer' },
          }),
        ],
      ]),
    );
    const result = await runCli(['apikeys', 'list'], { env: env(), tty: true });
    expect(result.stdout).toBe(
      [
        'CURRENT   ID          NAME     SCOPE                   EXPIRES                STATUS    AGE',
        '*         k1testkey   laptop   unscoped                never                  active    24h',
        '          k3old       old      unscoped                never                  revoked   24h',
        '          k4exp       temp     acme (at most viewer)   2030-01-15T11:00:00Z   expired   24h',
        '',
      ].join('\n'),
    );
  });

  it('revoke takes an id, or the name of exactly one active key', async () => {
    api.on(
      'GET',
      '/v1/api-keys',
      page([
        key('k5', 'ci'),
        key('k6', 'deploy'),
        key('k7', 'deploy', { revokedAt: '2030-01-01T00:00:00Z' }),
      ]),
    );
    api.on('DELETE', '/v1/api-keys/k5', { status: 204 });
    api.on('DELETE', '/v1/api-keys/k6', { status: 204 });
    expect((await runCli(['apikeys', 'revoke', 'k5'], { env: env() })).stdout).toBe(
      'API key "ci" (id k5) revoked.\n',
    );
    expect((await runCli(['apikeys', 'revoke', 'deploy'], { env: env() })).stdout).toBe(
      'API key "deploy" (id k6) revoked.\n',
    );
    expect(api.log.filter((l) => l.startsWith('DELETE'))).toEqual([
      'DELETE /v1/api-keys/k5',
      'DELETE /v1/api-keys/k6',
    ]);
  });

  it('revoke refuses an ambiguous name (2), an unknown one (3) and a revoked id (5)', async () => {
    api.on(
      'GET',
      '/v1/api-keys',
      page([
        key('k5', 'ci'),
        key('k6', 'ci'),
        key('k7', 'old', { revokedAt: '2030-01-01T00:00:00Z' }),
      ]),
    );
    const ambiguous = await runCli(['apikeys', 'revoke', 'ci'], { env: env() });
    expect(ambiguous.code).toBe(ExitCode.Usage);
    expect(ambiguous.stderr).toContain('revoke one by id: k5, k6');
    expect((await runCli(['apikeys', 'revoke', 'nope'], { env: env() })).code).toBe(
      ExitCode.NotFound,
    );
    expect((await runCli(['apikeys', 'revoke', 'k7'], { env: env() })).code).toBe(
      ExitCode.Conflict,
    );
    expect(api.log.filter((l) => l.startsWith('DELETE'))).toEqual([]);
  });

  it('revoking the key in use says so', async () => {
    api.on('GET', '/v1/api-keys', page([key('k1testkey', 'laptop')]));
    api.on('DELETE', '/v1/api-keys/k1testkey', { status: 204 });
    const result = await runCli(['apikeys', 'revoke', 'laptop'], { env: env() });
    expect(result.stderr).toContain('that was the key sitectl is using');
  });
});
