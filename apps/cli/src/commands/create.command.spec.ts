import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ExitCode } from '../core/cli-errors';
import { FakeApi, problem } from '../testing/fake-api';
import { org, project, resolved, site } from '../testing/fixtures';
import { TEST_KEY, runCli, tempDir } from '../testing/run-cli';

const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n    expose: ["80"]\n';

describe('create', () => {
  let api: FakeApi;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    api = await FakeApi.start();
    dir = await tempDir();
    await writeFile(join(dir.path, 'compose.yaml'), COMPOSE);
  });
  afterEach(async () => {
    await api.close();
    await dir.cleanup();
  });

  const env = (): Record<string, string> => ({
    SITECTL_API_URL: api.url,
    SITECTL_API_KEY: TEST_KEY,
  });

  it('create org posts the name and confirms in one line', async () => {
    api.on('POST', '/v1/organizations', {
      status: 201,
      body: { ...org('o1', 'Acme'), position: 'p1' },
    });
    const result = await runCli(['create', 'org', 'Acme'], { env: env() });
    expect(result).toEqual({
      code: 0,
      stdout: 'organization "Acme" created (id o1)\n',
      stderr: '',
    });
    expect(api.requests[0]?.body).toEqual({ name: 'Acme' });
  });

  it('create org -o json prints the created resource', async () => {
    api.on('POST', '/v1/organizations', {
      status: 201,
      body: { ...org('o1', 'Acme'), position: 'p1' },
    });
    const result = await runCli(['create', 'org', 'Acme', '-o', 'json'], { env: env() });
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 'o1',
      name: 'Acme',
      version: 1,
      position: 'p1',
    });
  });

  it('create project resolves the organization and sends the description', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'Acme']));
    api.on('POST', '/v1/organizations/o1/projects', {
      status: 201,
      body: project('p1', 'o1', 'Web', 'public site'),
    });
    const result = await runCli(['create', 'project', 'acme/Web', '--description', 'public site'], {
      env: env(),
    });
    expect(result.stdout).toBe('project "Acme/Web" created (id p1)\n');
    expect(api.log).toEqual(['GET /v1/resolve?path=acme', 'POST /v1/organizations/o1/projects']);
    expect(api.requests[1]?.body).toEqual({ name: 'Web', description: 'public site' });
  });

  it('create site sends the compose file text, environment and auto-deploy', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'Acme'], ['p1', 'Web']));
    api.on('POST', '/v1/projects/p1/sites', { status: 201, body: site('s1', 'o1', 'p1', 'prod') });
    const result = await runCli(
      [
        'create',
        'site',
        'Acme/Web/prod',
        '--compose-file',
        'compose.yaml',
        '--environment',
        'production',
        '--auto-deploy',
      ],
      { env: env(), cwd: dir.path },
    );
    expect(result.stdout).toBe('site "Acme/Web/prod" created (id s1)\n');
    expect(api.find('GET', '/v1/resolve')[0]?.query).toEqual({ path: 'Acme/Web' });
    expect(api.find('POST', '/v1/projects/p1/sites')[0]?.body).toEqual({
      name: 'prod',
      compose: COMPOSE,
      environment: 'production',
      autoDeploy: true,
    });
  });

  it('create site reads the compose document from stdin with --compose-file -, and omits unset fields', async () => {
    api.on('GET', '/v1/resolve', resolved(['o1', 'Acme'], ['p1', 'Web']));
    api.on('POST', '/v1/projects/p1/sites', { status: 201, body: site('s1', 'o1', 'p1', 'prod') });
    const result = await runCli(['create', 'site', 'Acme/Web/prod', '--compose-file', '-'], {
      env: env(),
      stdin: Readable.from([COMPOSE]),
    });
    expect(result.code).toBe(0);
    expect(api.find('POST', '/v1/projects/p1/sites')[0]?.body).toEqual({
      name: 'prod',
      compose: COMPOSE,
    });
  });

  it('create site without --compose-file is a usage error; a missing file fails before any request', async () => {
    const noFlag = await runCli(['create', 'site', 'a/b/c'], { env: env() });
    expect(noFlag.code).toBe(ExitCode.Usage);
    expect(noFlag.stderr).toContain("required option '--compose-file <file>' not specified");
    const missing = await runCli(['create', 'site', 'a/b/c', '--compose-file', 'nope.yaml'], {
      env: env(),
      cwd: dir.path,
    });
    expect(missing.code).toBe(ExitCode.Error);
    expect(missing.stderr).toContain(`cannot read compose file ${join(dir.path, 'nope.yaml')}`);
    expect(api.requests).toHaveLength(0);
  });

  it('field errors of a 400 are listed and exit 2', async () => {
    api.on(
      'POST',
      '/v1/organizations',
      problem(400, 'validation_failed', 'the request body is invalid', {
        errors: [{ field: 'name', message: 'must start with a letter or digit' }],
      }),
    );
    const result = await runCli(['create', 'org', '-bad'], { env: env() });
    // `-bad` reads as an option to commander; `--` passes it as the name.
    expect(result.code).toBe(ExitCode.Usage);
    const viaApi = await runCli(['create', 'org', '--', '-bad'], { env: env() });
    expect(viaApi).toEqual({
      code: ExitCode.Usage,
      stdout: '',
      stderr:
        'error: the request body is invalid\n  - name: must start with a letter or digit\ncorrelation id: corr-1234\n',
    });
  });

  it('a name taken already exits 5', async () => {
    api.on(
      'POST',
      '/v1/organizations',
      problem(409, 'already_exists', 'an organization named Acme already exists'),
    );
    const result = await runCli(['create', 'org', 'Acme'], { env: env() });
    expect(result.code).toBe(ExitCode.Conflict);
    expect(result.stderr).toContain('error: an organization named Acme already exists');
  });
});
