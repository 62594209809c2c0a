import { ExitCode } from './core/cli-errors';
import { FakeApi } from './testing/fake-api';
import { TEST_KEY, runCli } from './testing/run-cli';
import { version } from '../package.json';

describe('sitectl program', () => {
  it('prints the version and help with exit 0, on stdout', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const help = await runCli(['get', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sitectl get [options] [command]');
    expect(help.stdout).toContain('sites [options] [org/project]');
    const sub = await runCli(['members', 'add', '--help']);
    // Global options are listed on every command.
    expect(sub.stdout).toContain('--context <name>');
    expect(sub.stdout).toContain('--role <role>');
  });

  it.each([
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [['get', 'orgs', '--bogus'], "error: unknown option '--bogus'"],
    [['get', 'site'], "error: missing required argument 'org/project/site'"],
    [['get', 'orgs', 'extra'], 'error: too many arguments'],
    [['completion', 'fish'], "error: command-argument value 'fish' is invalid"],
  ])('exits 2 on the usage error in %j', async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('(add --help for usage)');
  });

  it('exits 2 with the help on stderr when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: sitectl [options] [command]');
  });

  describe('an unexpected failure', () => {
    let api: FakeApi;
    beforeEach(async () => {
      api = await FakeApi.start();
      // Not a page: the CLI cannot iterate it.
      api.on('GET', '/v1/organizations', { body: { unexpected: true } });
    });
    afterEach(() => api.close());

    it('prints one line and no stack trace', async () => {
      const result = await runCli(['get', 'orgs'], {
        env: { SITECTL_API_URL: api.url, SITECTL_API_KEY: TEST_KEY },
      });
      expect(result.code).toBe(ExitCode.Error);
      expect(result.stderr).toMatch(/^error: .+\n$/);
      expect(result.stderr).not.toContain('    at ');
    });

    it('adds the stack with SITECTL_DEBUG=1', async () => {
      const result = await runCli(['get', 'orgs'], {
        env: { SITECTL_API_URL: api.url, SITECTL_API_KEY: TEST_KEY, SITECTL_DEBUG: '1' },
      });
      expect(result.code).toBe(ExitCode.Error);
      expect(result.stderr).toContain('    at ');
    });
  });
});
