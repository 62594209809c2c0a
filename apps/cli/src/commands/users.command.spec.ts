import type { ApiKeyCreatedDto, UserDto } from '@siteops/contracts';
import { ExitCode } from '../core/cli-errors';
import { FakeApi, page, pages, problem } from '../testing/fake-api';
import { TEST_KEY, runCli } from '../testing/run-cli';

const BOB_ID = '6f1c2a8e-3b4d-4c5e-9f60-718293a4b5c6';
const NEW_KEY = 'siteops_k9bobkey1_Ym9iLXNlY3JldC1ib2Itc2VjcmV0';

function user(id: string, email: string, name: string, extra: Partial<UserDto> = {}): UserDto {
  return { id, email, name, platformAdmin: false, createdAt: '2030-01-14T12:00:00Z', ...extra };
}

const ADMIN = user('0a0a0a0a-0000-4000-8000-000000000001', 'admin@localhost', 'Admin', {
  platformAdmin: true,
  createdAt: '2030-01-10T12:00:00Z',
});
const BOB = user(BOB_ID, 'bob@example.com', 'Bob');

describe('users', () => {
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
    id: 'k9bobkey1',
    name: 'laptop',
    key: NEW_KEY,
    expiresAt: '2030-02-14T12:00:00.000Z',
    scope: { path: 'acme/web', maxRole: 'viewer' },
  };

  it('create posts email and name and confirms in one line', async () => {
    api.on('POST', '/v1/users', {
      status: 201,
      body: { ...BOB, version: 1, position: 'p1' },
    });
    const result = await runCli(['users', 'create', 'bob@example.com', '--name', 'Bob'], {
      env: env(),
    });
    expect(result).toEqual({
      code: 0,
      stdout: `user "bob@example.com" created (id ${BOB_ID})\n`,
      stderr: '',
    });
    expect(api.requests[0]?.body).toEqual({ email: 'bob@example.com', name: 'Bob' });
  });

  it('create -o json prints the created user; -o table a user row', async () => {
    api.on('POST', '/v1/users', { status: 201, body: { ...BOB, version: 1, position: 'p1' } });
    const json = await runCli(
      ['users', 'create', 'bob@example.com', '--name', 'Bob', '-o', 'json'],
      {
        env: env(),
      },
    );
    expect(JSON.parse(json.stdout)).toEqual({ ...BOB, version: 1, position: 'p1' });
    const table = await runCli(
      ['users', 'create', 'bob@example.com', '--name', 'Bob', '-o', 'table'],
      { env: env() },
    );
    expect(table.stdout).toBe(
      [
        'EMAIL             NAME   PLATFORM ADMIN   ID                                     AGE',
        `bob@example.com   Bob    no               ${BOB_ID}   24h`,
        '',
      ].join('\n'),
    );
  });

  it('create needs --name and sends nothing without it', async () => {
    const result = await runCli(['users', 'create', 'bob@example.com'], { env: env() });
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain("required option '--name <name>' not specified");
    expect(api.requests).toHaveLength(0);
  });

  it('create reports a taken email as a conflict (5) with the correlation id', async () => {
    api.on(
      'POST',
      '/v1/users',
      problem(
        409,
        'already_exists',
        'A user with the e-mail address bob@example.com already exists',
      ),
    );
    const result = await runCli(['users', 'create', 'bob@example.com', '--name', 'Bob'], {
      env: env(),
    });
    expect(result.code).toBe(ExitCode.Conflict);
    expect(result.stderr).toBe(
      'error: A user with the e-mail address bob@example.com already exists\ncorrelation id: corr-1234\n',
    );
  });

  it('list shows every user across pages', async () => {
    api.on('GET', '/v1/users', pages([[ADMIN], [BOB]]));
    const result = await runCli(['users', 'list'], { env: env(), tty: true });
    expect(result.stdout).toBe(
      [
        'EMAIL             NAME    PLATFORM ADMIN   ID                                     AGE',
        'admin@localhost   Admin   yes              0a0a0a0a-0000-4000-8000-000000000001   5d',
        `bob@example.com   Bob     no               ${BOB_ID}   24h`,
        '',
      ].join('\n'),
    );
    expect(api.log).toEqual(['GET /v1/users', 'GET /v1/users?cursor=c1']);
  });

  it('list -o json is the plain array of users', async () => {
    api.on('GET', '/v1/users', page([ADMIN, BOB]));
    const result = await runCli(['users', 'list', '-o', 'json'], { env: env() });
    expect(JSON.parse(result.stdout)).toEqual([ADMIN, BOB]);
  });

  it('a caller who is not platform admin gets exit 4 and the API detail', async () => {
    api.on('GET', '/v1/users', problem(403, 'forbidden', 'Only platform admins may do this'));
    const result = await runCli(['users', 'list'], { env: env() });
    expect(result.code).toBe(ExitCode.Forbidden);
    expect(result.stderr).toBe(
      'error: Only platform admins may do this\ncorrelation id: corr-1234\n',
    );
    expect(result.stdout).toBe('');
  });

  it('issue-key finds the user by email (any case) and prints the key alone on stdout', async () => {
    api.on('GET', '/v1/users', pages([[ADMIN], [BOB]]));
    api.on('POST', `/v1/users/${BOB_ID}/api-keys`, { status: 201, body: created });
    const result = await runCli(
      [
        'users',
        'issue-key',
        'Bob@Example.com',
        'laptop',
        '--expires',
        '30d',
        '--scope',
        'acme/web',
        '--role',
        'viewer',
      ],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${NEW_KEY}\n`);
    expect(result.stderr).toBe(
      'API key "laptop" created for bob@example.com (id k9bobkey1, acme/web (at most viewer), expires 2030-02-14T12:00:00.000Z).\n' +
        'warning: save this key now: it will not be shown again.\n',
    );
    expect(api.find('POST', `/v1/users/${BOB_ID}/api-keys`)[0]?.body).toEqual({
      name: 'laptop',
      expiresAt: '2030-02-14T12:00:00.000Z',
      scope: { path: 'acme/web', maxRole: 'viewer' },
    });
  });

  it('issue-key takes a user id as is, without listing users', async () => {
    api.on('POST', `/v1/users/${BOB_ID}/api-keys`, {
      status: 201,
      body: { ...created, scope: null, expiresAt: null },
    });
    const result = await runCli(['users', 'issue-key', BOB_ID, 'laptop', '-o', 'json'], {
      env: env(),
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'k9bobkey1', key: NEW_KEY });
    expect(result.stderr).toBe('warning: save this key now: it will not be shown again.\n');
    expect(api.log).toEqual([`POST /v1/users/${BOB_ID}/api-keys`]);
    expect(api.requests[0]?.body).toEqual({ name: 'laptop' });
  });

  it('issue-key -o table names the user among the details', async () => {
    api.on('GET', '/v1/users', page([BOB]));
    api.on('POST', `/v1/users/${BOB_ID}/api-keys`, { status: 201, body: created });
    const result = await runCli(
      ['users', 'issue-key', 'bob@example.com', 'laptop', '-o', 'table'],
      { env: env() },
    );
    expect(result.stdout).toContain('User      bob@example.com\n');
    expect(result.stdout).toContain(`Key       ${NEW_KEY}\n`);
  });

  it('issue-key exits 3 for an unknown email (nothing issued) and for an unknown id', async () => {
    api.on('GET', '/v1/users', page([ADMIN, BOB]));
    const unknownEmail = await runCli(['users', 'issue-key', 'carol@example.com', 'laptop'], {
      env: env(),
    });
    expect(unknownEmail.code).toBe(ExitCode.NotFound);
    expect(unknownEmail.stderr).toBe(
      'error: no user has the email address "carol@example.com"\n' +
        'hint: see `sitectl users list`, or register them with `sitectl users create`\n',
    );
    expect(api.log).toEqual(['GET /v1/users']);

    const missingId = '11111111-2222-4333-8444-555555555555';
    api.on(
      'POST',
      `/v1/users/${missingId}/api-keys`,
      problem(404, 'not_found', `No user with id ${missingId}`),
    );
    const unknownId = await runCli(['users', 'issue-key', missingId, 'laptop'], { env: env() });
    expect(unknownId.code).toBe(ExitCode.NotFound);
    expect(unknownId.stderr).toContain(`error: No user with id ${missingId}\n`);
    expect(unknownId.stdout).toBe('');
  });

  it('issue-key checks --scope/--role and --expires like apikeys create, before any request', async () => {
    for (const argv of [
      ['users', 'issue-key', 'bob@example.com', 'k', '--scope', 'acme'],
      ['users', 'issue-key', 'bob@example.com', 'k', '--role', 'viewer'],
      ['users', 'issue-key', 'bob@example.com', 'k', '--scope', 'a/b/c/d', '--role', 'viewer'],
      ['users', 'issue-key', 'bob@example.com', 'k', '--expires', 'soon'],
      ['users', 'issue-key', 'bob@example.com', 'k', '--role', 'admin', '--scope', 'acme'],
      ['users', 'issue-key', 'bob@example.com'],
    ]) {
      expect((await runCli(argv, { env: env() })).code).toBe(ExitCode.Usage);
    }
    expect(api.requests).toHaveLength(0);
  });
});
