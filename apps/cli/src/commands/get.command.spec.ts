import { ExitCode } from '../core/cli-errors';
import { FakeApi, pages, problem } from '../testing/fake-api';
import { org, project, resolved, site } from '../testing/fixtures';
import { TEST_KEY, runCli } from '../testing/run-cli';
import { mapInOrder } from './get.command';

describe('get', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await FakeApi.start();
  });
  afterEach(() => api.close());

  const env = (): Record<string, string> => ({
    SITECTL_API_URL: api.url,
    SITECTL_API_KEY: TEST_KEY,
  });

  it('get orgs follows pagination and prints a table on a terminal', async () => {
    api.on('GET', '/v1/organizations', pages([[org('o1', 'Acme')], [org('o2', 'Globex Corp')]]));
    const result = await runCli(['get', 'orgs'], { env: env(), tty: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      ['NAME          ID   AGE', 'Acme          o1   5d', 'Globex Corp   o2   5d', ''].join('\n'),
    );
    expect(api.log).toEqual(['GET /v1/organizations', 'GET /v1/organizations?cursor=c1']);
    expect(api.requests.every((r) => r.headers['authorization'] === `Bearer ${TEST_KEY}`)).toBe(
      true,
    );
  });

  it('get orgs prints JSON when stdout is not a terminal', async () => {
    api.on('GET', '/v1/organizations', pages([[org('o1', 'Acme')]]));
    const result = await runCli(['get', 'orgs'], { env: env() });
    expect(JSON.parse(result.stdout)).toEqual([org('o1', 'Acme')]);
  });

  it('get projects ORG resolves the name, then lists that organization', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'Acme']));
    api.on(
      'GET',
      '/v1/organizations/o1/projects',
      pages([[project('p1', 'o1', 'Web Site', 'the public site')]]),
    );
    const result = await runCli(['get', 'projects', 'acme'], { env: env(), tty: true });
    expect(result.stdout).toBe(
      [
        'ORGANIZATION   NAME       DESCRIPTION       AGE',
        'Acme           Web Site   the public site   5d',
        '',
      ].join('\n'),
    );
    expect(api.log).toEqual(['GET /v1/resolve?path=acme', 'GET /v1/organizations/o1/projects']);
  });

  it('get projects without ORG lists every visible organization, skipping one deleted meanwhile', async () => {
    api.on(
      'GET',
      '/v1/organizations',
      pages([[org('o1', 'Acme'), org('o2', 'Gone')], [org('o3', 'Initech')]]),
    );
    api.on(
      'GET',
      '/v1/organizations/o1/projects',
      pages([[project('p1', 'o1', 'web')], [project('p2', 'o1', 'api')]]),
    );
    api.on(
      'GET',
      '/v1/organizations/o2/projects',
      problem(404, 'not_found', 'no such organization'),
    );
    api.on('GET', '/v1/organizations/o3/projects', pages([[project('p3', 'o3', 'tps')]]));
    const result = await runCli(['get', 'projects', '-o', 'json'], { env: env() });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((p) => p.id)).toEqual([
      'p1',
      'p2',
      'p3',
    ]);
  });

  it('get projects without ORG still fails on other errors', async () => {
    api.on('GET', '/v1/organizations', pages([[org('o1', 'Acme')]]));
    api.on('GET', '/v1/organizations/o1/projects', problem(403, 'forbidden', 'scoped key'));
    const result = await runCli(['get', 'projects'], { env: env() });
    expect(result.code).toBe(ExitCode.Forbidden);
  });

  it('get sites ORG/PROJECT lists one project; without it, every visible project', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'Acme'], ['p1', 'web']));
    api.on(
      'GET',
      '/v1/projects/p1/sites',
      pages([
        [site('s1', 'o1', 'p1', 'prod', { autoDeploy: true })],
        [site('s2', 'o1', 'p1', 'staging')],
      ]),
    );
    const one = await runCli(['get', 'sites', 'Acme/web'], { env: env(), tty: true });
    expect(one.stdout).toBe(
      [
        'ORGANIZATION   PROJECT   NAME      ENVIRONMENT   AUTO-DEPLOY   COMPOSE   AGE',
        'Acme           web       prod      prod          yes           r1        5d',
        'Acme           web       staging   staging       no            r1        5d',
        '',
      ].join('\n'),
    );
    expect(api.find('GET', '/v1/resolve')[0]?.query).toEqual({ path: 'Acme/web' });

    api.on('GET', '/v1/organizations', pages([[org('o1', 'Acme')]]));
    api.on(
      'GET',
      '/v1/organizations/o1/projects',
      pages([[project('p1', 'o1', 'web'), project('p2', 'o1', 'api')]]),
    );
    api.on('GET', '/v1/projects/p2/sites', pages([[site('s3', 'o1', 'p2', 'prod')]]));
    const all = await runCli(['get', 'sites'], { env: env() });
    expect((JSON.parse(all.stdout) as { id: string }[]).map((s) => s.id)).toEqual([
      's1',
      's2',
      's3',
    ]);
  });

  it('get site shows one site by path, with spaces in names encoded', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'Acme Corp'], ['p1', 'Web Site'], ['s1', 'prod']));
    api.on('GET', '/v1/sites/s1', { body: site('s1', 'o1', 'p1', 'prod') });
    const result = await runCli(['get', 'site', 'Acme Corp/Web Site/prod'], {
      env: env(),
      tty: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Path               Acme Corp/Web Site/prod\n');
    expect(result.stdout).toContain('Compose hash       sha256:abc\n');
    expect(api.requests[0]?.query).toEqual({ path: 'Acme Corp/Web Site/prod' });
    const yaml = await runCli(['get', 'site', 'Acme Corp/Web Site/prod', '-o', 'yaml'], {
      env: env(),
    });
    expect(yaml.stdout).toContain('name: prod\n');
  });

  it('a path of the wrong depth is a usage error and sends nothing', async () => {
    for (const argv of [
      ['get', 'site', 'acme/web'],
      ['get', 'sites', 'acme'],
      ['get', 'projects', 'a/b'],
      ['get', 'site', 'a//c'],
    ]) {
      const result = await runCli(argv, { env: env() });
      expect(result.code).toBe(ExitCode.Usage);
      expect(result.stderr).toMatch(/is not a valid path: expected/);
    }
    expect(api.requests).toHaveLength(0);
  });

  it('a path the caller cannot see exits 3 with the detail and correlation id', async () => {
    api.on(
      'GET',
      '/v1/resolve',
      problem(404, 'not_found', 'no organization, project or site at acme/nope'),
    );
    const result = await runCli(['get', 'sites', 'acme/nope'], { env: env() });
    expect(result).toEqual({
      code: ExitCode.NotFound,
      stdout: '',
      stderr: 'error: no organization, project or site at acme/nope\ncorrelation id: corr-1234\n',
    });
  });

  it('an unknown -o value is a usage error', async () => {
    const result = await runCli(['get', 'orgs', '-o', 'xml'], { env: env() });
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('Allowed choices are table, json, yaml');
  });
});

describe('mapInOrder', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapInOrder([30, 10, 20, 5, 1], 2, async (ms) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running -= 1;
      return ms * 2;
    });
    expect(result).toEqual([60, 20, 40, 10, 2]);
    expect(peak).toBe(2);
  });
});
