import { ExitCode } from '../core/cli-errors';
import { FakeApi, problem } from '../testing/fake-api';
import { resolved } from '../testing/fixtures';
import { FakeTty, TEST_KEY, runCli } from '../testing/run-cli';

describe('delete', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await FakeApi.start();
  });
  afterEach(() => api.close());

  const env = (): Record<string, string> => ({
    SITECTL_API_URL: api.url,
    SITECTL_API_KEY: TEST_KEY,
  });

  it('without a terminal and without --yes it refuses (exit 2) and sends nothing', async () => {
    const result = await runCli(['delete', 'site', 'acme/web/prod'], { env: env() });
    expect(result).toEqual({
      code: ExitCode.Usage,
      stdout: '',
      stderr:
        'error: refusing to delete site "acme/web/prod" without confirmation: stdin is not a terminal\nhint: add --yes to delete without asking\n',
    });
    expect(api.requests).toHaveLength(0);
  });

  it('--yes deletes the resolved resource without asking', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme'], ['p1', 'web'], ['s1', 'prod']));
    api.on('DELETE', '/v1/sites/s1', { status: 204 });
    const result = await runCli(['delete', 'site', 'acme/web/prod', '--yes'], { env: env() });
    expect(result).toEqual({ code: 0, stdout: 'site "acme/web/prod" deleted.\n', stderr: '' });
    expect(api.log).toEqual(['GET /v1/resolve?path=acme%2Fweb%2Fprod', 'DELETE /v1/sites/s1']);
  });

  it('--cascade adds ?cascade=true', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme']));
    api.on('DELETE', '/v1/organizations/o1', { body: { version: 4, position: 'p9' } });
    const result = await runCli(['delete', 'org', 'acme', '-y', '--cascade'], { env: env() });
    expect(result.stdout).toBe('organization "acme" deleted with its projects and sites.\n');
    expect(api.find('DELETE', '/v1/organizations/o1')[0]?.query).toEqual({ cascade: 'true' });
  });

  it('on a terminal it asks, and deletes only after yes', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme'], ['p1', 'web']));
    api.on('DELETE', '/v1/projects/p1', { status: 204 });

    const no = new FakeTty();
    no.write('n\n');
    const refused = await runCli(['delete', 'project', 'acme/web'], { env: env(), stdin: no });
    expect(refused.code).toBe(ExitCode.Error);
    expect(refused.stderr).toBe(
      'Delete project "acme/web"? This cannot be undone. [y/N] error: aborted: nothing was deleted\n',
    );
    expect(api.find('DELETE', '/v1/projects/p1')).toHaveLength(0);

    const yes = new FakeTty();
    yes.write('yes\n');
    const accepted = await runCli(['delete', 'project', 'acme/web', '--cascade'], {
      env: env(),
      stdin: yes,
    });
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toBe(
      'Delete project "acme/web" and all its sites? This cannot be undone. [y/N] ',
    );
    expect(api.find('DELETE', '/v1/projects/p1')).toHaveLength(1);
  });

  it('a parent with children exits 5 and suggests --cascade', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme']));
    api.on(
      'DELETE',
      '/v1/organizations/o1',
      problem(409, 'has_children', 'organization acme still has 2 projects'),
    );
    const result = await runCli(['delete', 'org', 'acme', '--yes'], { env: env() });
    expect(result.code).toBe(ExitCode.Conflict);
    expect(result.stderr).toBe(
      'error: organization acme still has 2 projects\ncorrelation id: corr-1234\nhint: add --cascade to delete its projects and sites too (owners only)\n',
    );
  });

  it('a stale version (412) exits 5 and lack of the owner role exits 4', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'acme'], ['p1', 'web'], ['s1', 'prod']));
    api.on('DELETE', '/v1/sites/s1', problem(412, 'precondition_failed', 'stale version'));
    expect((await runCli(['delete', 'site', 'acme/web/prod', '--yes'], { env: env() })).code).toBe(
      ExitCode.Conflict,
    );
    api.on(
      'DELETE',
      '/v1/sites/s1',
      problem(403, 'forbidden', 'deleting a site needs the owner role'),
    );
    expect((await runCli(['delete', 'site', 'acme/web/prod', '--yes'], { env: env() })).code).toBe(
      ExitCode.Forbidden,
    );
  });

  it('sites have no --cascade, and the level must match the path', async () => {
    expect(
      (await runCli(['delete', 'site', 'a/b/c', '--cascade', '--yes'], { env: env() })).code,
    ).toBe(ExitCode.Usage);
    const wrong = await runCli(['delete', 'org', 'a/b', '--yes'], { env: env() });
    expect(wrong.code).toBe(ExitCode.Usage);
    expect(wrong.stderr).toContain('expected ORG');
    expect(api.requests).toHaveLength(0);
  });
});
