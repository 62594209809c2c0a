import { ExitCode } from '../core/cli-errors';
import { FakeApi, page, pages, problem } from '../testing/fake-api';
import { member, resolved } from '../testing/fixtures';
import { TEST_KEY, runCli } from '../testing/run-cli';

describe('members', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await FakeApi.start();
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme'], ['p1', 'web']));
  });
  afterEach(() => api.close());

  const env = (): Record<string, string> => ({
    SITECTL_API_URL: api.url,
    SITECTL_API_KEY: TEST_KEY,
  });
  const orgSource = { level: 'organization' as const, id: 'o1' };
  const projectSource = { level: 'project' as const, id: 'p1' };

  it('list shows direct and inherited members with the name of the level that granted them', async () => {
    api.on(
      'GET',
      '/v1/projects/p1/members',
      pages([
        [member('ada@example.com', 'owner', orgSource, true)],
        [member('bob@example.com', 'viewer', projectSource, false)],
      ]),
    );
    const result = await runCli(['members', 'list', 'acme/web'], { env: env(), tty: true });
    expect(result.stdout).toBe(
      [
        'EMAIL             ROLE     GRANTED ON            INHERITED   USER ID',
        'ada@example.com   owner    organization "acme"   yes         u-ada',
        'bob@example.com   viewer   project "acme/web"    no          u-bob',
        '',
      ].join('\n'),
    );
    expect(api.log).toEqual([
      'GET /v1/resolve?path=acme%2Fweb',
      'GET /v1/projects/p1/members',
      'GET /v1/projects/p1/members?cursor=c1',
    ]);
  });

  it('add PUTs the role under the URL-encoded email, then reads back with X-Consistent-Read', async () => {
    api.on('PUT', '/v1/projects/p1/members/carol%2Bops%40example.com', {
      body: { version: 7, position: 'tx9:pos42' },
    });
    api.on(
      'GET',
      '/v1/projects/p1/members',
      page([member('carol+ops@example.com', 'developer', projectSource, false)]),
    );
    const result = await runCli(
      ['members', 'add', 'acme/web', 'carol+ops@example.com', '--role', 'developer'],
      { env: env() },
    );
    expect(result).toEqual({
      code: 0,
      stdout: 'granted developer on project "acme/web" to carol+ops@example.com.\n',
      stderr: '',
    });
    const [put] = api.find('PUT', '/v1/projects/p1/members/carol%2Bops%40example.com');
    expect(put?.body).toEqual({ role: 'developer' });
    expect(api.find('GET', '/v1/projects/p1/members')[0]?.headers['x-consistent-read']).toBe(
      'tx9:pos42',
    );
    // The resolve ran before the write, so it had nothing to wait for.
    expect(api.find('GET', '/v1/resolve')[0]?.headers['x-consistent-read']).toBeUndefined();
  });

  it("add -o json prints the user's memberships after the change", async () => {
    api.on('PUT', '/v1/projects/p1/members/bob%40example.com', {
      body: { version: 2, position: 'p' },
    });
    api.on(
      'GET',
      '/v1/projects/p1/members',
      page([
        member('ada@example.com', 'owner', orgSource, true),
        member('bob@example.com', 'developer', projectSource, false),
      ]),
    );
    const result = await runCli(
      ['members', 'add', 'acme/web', 'bob@example.com', '--role', 'developer', '-o', 'json'],
      { env: env() },
    );
    expect(JSON.parse(result.stdout)).toEqual([
      member('bob@example.com', 'developer', projectSource, false),
    ]);
  });

  it('add points out an inherited role that outranks the new grant', async () => {
    api.on('PUT', '/v1/projects/p1/members/ada%40example.com', {
      body: { version: 2, position: 'p' },
    });
    api.on(
      'GET',
      '/v1/projects/p1/members',
      page([
        member('ada@example.com', 'viewer', projectSource, false),
        member('ada@example.com', 'owner', orgSource, true),
      ]),
    );
    const result = await runCli(
      ['members', 'add', 'acme/web', 'ada@example.com', '--role', 'viewer'],
      { env: env() },
    );
    expect(result.stderr).toBe(
      'note: ada@example.com keeps owner here, inherited from organization "acme"; the highest role applies.\n',
    );
  });

  it('add requires a valid --role', async () => {
    const missing = await runCli(['members', 'add', 'acme/web', 'bob@example.com'], { env: env() });
    expect(missing.code).toBe(ExitCode.Usage);
    expect(missing.stderr).toContain("required option '--role <role>' not specified");
    const bad = await runCli(['members', 'add', 'acme/web', 'bob@example.com', '--role', 'admin'], {
      env: env(),
    });
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.stderr).toContain('Allowed choices are owner, developer, viewer');
    expect(api.requests).toHaveLength(0);
  });

  it('remove DELETEs the grant and says what access remains', async () => {
    api.on('DELETE', '/v1/projects/p1/members/u-bob', {
      status: 204,
      headers: { 'x-position': 'p77' },
    });
    api.on(
      'GET',
      '/v1/projects/p1/members',
      page([member('bob@example.com', 'viewer', orgSource, true)]),
    );
    const result = await runCli(['members', 'remove', 'acme/web', 'u-bob'], { env: env() });
    expect(result.stdout).toBe('removed u-bob from project "acme/web".\n');
    expect(result.stderr).toBe(
      'note: u-bob still has viewer here, granted on organization "acme".\n',
    );
    expect(api.find('GET', '/v1/projects/p1/members')[0]?.headers['x-consistent-read']).toBe('p77');
  });

  it('removing the last owner exits 5; a non-owner granting exits 4', async () => {
    api.on(
      'DELETE',
      '/v1/projects/p1/members/ada%40example.com',
      problem(409, 'last_owner', 'ada is the last owner of acme'),
    );
    const last = await runCli(['members', 'remove', 'acme/web', 'ada@example.com'], { env: env() });
    expect(last.code).toBe(ExitCode.Conflict);
    expect(last.stderr).toContain('error: ada is the last owner of acme');
    api.on(
      'PUT',
      '/v1/projects/p1/members/x%40example.com',
      problem(403, 'forbidden', 'granting roles needs owner'),
    );
    const denied = await runCli(
      ['members', 'add', 'acme/web', 'x@example.com', '--role', 'viewer'],
      { env: env() },
    );
    expect(denied.code).toBe(ExitCode.Forbidden);
  });

  it('works on any level: an organization path uses /v1/organizations/{id}', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme']));
    api.on('GET', '/v1/organizations/o1/members', page([]));
    const result = await runCli(['members', 'list', 'acme'], { env: env(), tty: true });
    expect(result.stderr).toBe('No members found.\n');
    expect(api.log).toContain('GET /v1/organizations/o1/members');
  });
});
