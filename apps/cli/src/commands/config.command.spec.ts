import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../core/cli-errors';
import { TEST_KEY, runCli, tempDir } from '../testing/run-cli';

describe('config', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configFile: string;
  beforeEach(async () => {
    dir = await tempDir();
    configFile = join(dir.path, 'sitectl', 'config.yaml');
    await mkdir(join(dir.path, 'sitectl'));
    await writeFile(
      configFile,
      [
        'currentContext: prod',
        'contexts:',
        '  - name: prod',
        '    apiUrl: https://ops.example.com',
        `    apiKey: ${TEST_KEY}`,
        '  - name: local',
        '    apiUrl: http://127.0.0.1:8080',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => dir.cleanup());

  const env = (): Record<string, string> => ({ XDG_CONFIG_HOME: dir.path });

  it('get-contexts marks the current one and never prints a key secret', async () => {
    const table = await runCli(['config', 'get-contexts'], { env: env(), tty: true });
    expect(table.stdout).toBe(
      [
        'CURRENT   NAME    API URL                   API KEY',
        '*         prod    https://ops.example.com   siteops_k1testkey_…',
        '          local   http://127.0.0.1:8080     (none)',
        '',
      ].join('\n'),
    );
    const json = await runCli(['config', 'get-contexts', '-o', 'json'], { env: env() });
    expect(JSON.parse(json.stdout)).toEqual([
      { current: true, name: 'prod', apiUrl: 'https://ops.example.com', apiKeyId: 'k1testkey' },
      { current: false, name: 'local', apiUrl: 'http://127.0.0.1:8080', apiKeyId: null },
    ]);
    expect(json.stdout + table.stdout).not.toContain(TEST_KEY);
  });

  it('current-context and use-context read and switch the current context', async () => {
    expect(await runCli(['config', 'current-context'], { env: env() })).toEqual({
      code: 0,
      stdout: 'prod\n',
      stderr: '',
    });
    expect((await runCli(['config', 'use-context', 'local'], { env: env() })).stdout).toBe(
      'Switched to context "local".\n',
    );
    expect((await runCli(['config', 'current-context'], { env: env() })).stdout).toBe('local\n');
    expect(await readFile(configFile, 'utf8')).toMatch(/^currentContext: local\n/);
  });

  it('use-context refuses an unknown name and leaves the file alone', async () => {
    const before = await readFile(configFile, 'utf8');
    const result = await runCli(['config', 'use-context', 'nope'], { env: env() });
    expect(result.code).toBe(ExitCode.Error);
    expect(result.stderr).toContain('no context named "nope"');
    expect(await readFile(configFile, 'utf8')).toBe(before);
  });

  it('current-context fails when none is set', async () => {
    const empty = await tempDir();
    try {
      const result = await runCli(['config', 'current-context'], {
        env: { XDG_CONFIG_HOME: empty.path },
      });
      expect(result.code).toBe(ExitCode.Error);
      expect(result.stderr).toContain('no current context is set');
    } finally {
      await empty.cleanup();
    }
  });

  it('--context picks another context for one command, and an unknown one fails', async () => {
    const result = await runCli(['--context', 'local', 'get', 'orgs'], { env: env() });
    expect(result.code).toBe(ExitCode.Forbidden);
    expect(result.stderr).toContain('context "local" has no API key');
    const unknown = await runCli(['get', 'orgs', '--context', 'nope'], { env: env() });
    expect(unknown.code).toBe(ExitCode.Error);
    expect(unknown.stderr).toContain('no context named "nope"');
  });
});
