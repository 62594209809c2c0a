import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../core/cli-errors';
import { FakeApi, problem } from '../testing/fake-api';
import { WHOAMI } from '../testing/fixtures';
import { FakeTty, TEST_KEY, runCli, tempDir } from '../testing/run-cli';

describe('login / logout / whoami', () => {
  let api: FakeApi;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configFile: string;
  beforeEach(async () => {
    api = await FakeApi.start();
    dir = await tempDir();
    configFile = join(dir.path, 'sitectl', 'config.yaml');
  });
  afterEach(async () => {
    await api.close();
    await dir.cleanup();
  });

  const env = (): Record<string, string> => ({ XDG_CONFIG_HOME: dir.path });

  it('reads the key from stdin, verifies it with /v1/whoami and stores it 0600 in the context', async () => {
    api.on('GET', '/v1/whoami', { body: WHOAMI });
    const result = await runCli(['login', '--api-url', api.url], {
      env: env(),
      stdin: `${TEST_KEY}\n`,
    });
    expect(result).toEqual({
      code: 0,
      stdout: `Logged in to ${api.url} as ada@example.com (context "default").\n`,
      stderr: '',
    });
    expect(api.requests[0]?.headers['authorization']).toBe(`Bearer ${TEST_KEY}`);
    expect(await readFile(configFile, 'utf8')).toBe(
      `currentContext: default\ncontexts:\n  - name: default\n    apiUrl: ${api.url}\n    apiKey: ${TEST_KEY}\n`,
    );
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
  });

  it('reads the key from a hidden prompt on a terminal, echoing nothing', async () => {
    api.on('GET', '/v1/whoami', { body: WHOAMI });
    const tty = new FakeTty();
    // Typed with a slip corrected by Backspace, then Enter.
    tty.write(`${TEST_KEY}x\u007f\r`);
    const result = await runCli(['login', '--context', 'lab'], {
      env: { ...env(), SITECTL_API_URL: api.url },
      stdin: tty,
    });
    expect(result.code).toBe(0);
    expect(tty.rawModes).toEqual([true, false]);
    expect(result.stderr).toBe(`API key for ${api.url}: \n`);
    expect(result.stderr).not.toContain(TEST_KEY);
    expect(await readFile(configFile, 'utf8')).toContain(
      `- name: lab\n    apiUrl: ${api.url}\n    apiKey: ${TEST_KEY}\n`,
    );
  });

  it('stops at Ctrl-C on the prompt and stores nothing', async () => {
    const tty = new FakeTty();
    tty.write('siteops_\u0003');
    const result = await runCli(['login'], { env: env(), stdin: tty });
    expect(result.code).toBe(ExitCode.Error);
    expect(result.stderr).toContain('error: cancelled');
    expect(tty.rawModes).toEqual([true, false]);
    await expect(stat(configFile)).rejects.toThrow();
  });

  it('refuses a key the API rejects (exit 4) and keeps the config unchanged', async () => {
    api.on('GET', '/v1/whoami', problem(401, 'unauthenticated', 'unknown API key'));
    const result = await runCli(['login', '--api-url', api.url], { env: env(), stdin: TEST_KEY });
    expect(result.code).toBe(ExitCode.Forbidden);
    expect(result.stderr).toContain(`error: ${api.url} rejected this API key: unknown API key`);
    await expect(stat(configFile)).rejects.toThrow();
  });

  it('refuses empty input and text that is not a key, without echoing it (exit 2, no request)', async () => {
    const empty = await runCli(['login', '--api-url', api.url], { env: env(), stdin: '' });
    expect(empty.code).toBe(ExitCode.Usage);
    expect(empty.stderr).toContain('no API key given');
    const wrong = await runCli(['login', '--api-url', api.url], {
      env: env(),
      stdin: 'hunter2 my password\n',
    });
    expect(wrong.code).toBe(ExitCode.Usage);
    expect(wrong.stderr).toContain('that is not a siteops API key');
    expect(wrong.stderr).not.toContain('hunter2');
    expect(api.requests).toHaveLength(0);
  });

  it('rejects an API URL that is not http(s)', async () => {
    const result = await runCli(['login', '--api-url', 'ftp://x'], { env: env(), stdin: TEST_KEY });
    expect(result.code).toBe(ExitCode.Usage);
  });

  it('whoami prints who the API sees, and logout forgets the key but keeps the context', async () => {
    api.on('GET', '/v1/whoami', { body: WHOAMI });
    await runCli(['login', '--api-url', api.url], { env: env(), stdin: TEST_KEY });

    const table = await runCli(['whoami'], { env: env(), tty: true });
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        'User             Ada Lovelace <ada@example.com>',
        'User ID          u-ada',
        'Platform admin   no',
        'API key          laptop (k1testkey)',
        'Scope            none (all of the user’s access)',
        'Expires          never',
        'Context          default',
        `API URL          ${api.url}`,
        '',
      ].join('\n'),
    );
    const json = await runCli(['whoami'], { env: env() });
    expect(JSON.parse(json.stdout)).toEqual(WHOAMI);

    const out = await runCli(['logout'], { env: env() });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('Logged out of context "default".\n');
    expect(out.stderr).toContain('sitectl apikeys revoke k1testkey');
    expect(await readFile(configFile, 'utf8')).toBe(
      `currentContext: default\ncontexts:\n  - name: default\n    apiUrl: ${api.url}\n`,
    );

    const after = await runCli(['whoami'], { env: env() });
    expect(after.code).toBe(ExitCode.Forbidden);
    expect(after.stderr).toBe(
      'error: context "default" has no API key\nhint: run `sitectl login` (or set SITECTL_API_KEY)\n',
    );
  });

  it('uses SITECTL_API_URL and SITECTL_API_KEY without any config file', async () => {
    api.on('GET', '/v1/whoami', { body: WHOAMI });
    const result = await runCli(['whoami', '-o', 'yaml'], {
      env: { ...env(), SITECTL_API_URL: api.url, SITECTL_API_KEY: TEST_KEY },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('email: ada@example.com');
  });
});
