import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { bundleIsFresh } from '../bin/sitectl.js';
import { FakeApi, pages } from './testing/fake-api';
import { org, WHOAMI } from './testing/fixtures';
import { TEST_KEY, tempDir } from './testing/run-cli';

const exec = promisify(execFile);
const root = resolve(__dirname, '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'sitectl.js');
const bundle = join(root, 'dist', 'apps', 'cli', 'sitectl.cjs');
const sources = [join(root, 'apps', 'cli', 'src'), join(root, 'libs', 'contracts', 'src')];

describe('bundleIsFresh', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
    await mkdir(join(dir.path, 'src', 'deep'), { recursive: true });
    await writeFile(join(dir.path, 'src', 'deep', 'a.ts'), '');
    await writeFile(join(dir.path, 'src', 'a.spec.ts'), '');
    await writeFile(join(dir.path, 'bundle.cjs'), '');
  });
  afterEach(() => dir.cleanup());

  const at = (path: string, seconds: number): Promise<void> =>
    utimes(join(dir.path, path), seconds, seconds);

  it('is fresh when the bundle is newer than every source file', async () => {
    await at('src/deep/a.ts', 1000);
    await at('bundle.cjs', 2000);
    expect(bundleIsFresh(join(dir.path, 'bundle.cjs'), [join(dir.path, 'src')])).toBe(true);
  });

  it('is stale when any source file, however deep, changed after the build', async () => {
    await at('bundle.cjs', 2000);
    await at('src/deep/a.ts', 3000);
    expect(bundleIsFresh(join(dir.path, 'bundle.cjs'), [join(dir.path, 'src')])).toBe(false);
  });

  it('ignores unit tests, which are not part of the bundle', async () => {
    await at('src/deep/a.ts', 1000);
    await at('bundle.cjs', 2000);
    await at('src/a.spec.ts', 3000);
    expect(bundleIsFresh(join(dir.path, 'bundle.cjs'), [join(dir.path, 'src')])).toBe(true);
  });

  it('is stale when there is no bundle', () => {
    expect(bundleIsFresh(join(dir.path, 'missing.cjs'), [join(dir.path, 'src')])).toBe(false);
  });
});

describe('bin/sitectl.js, spawned', () => {
  let api: FakeApi;
  let home: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    api = await FakeApi.start();
    api.on('GET', '/v1/whoami', { body: WHOAMI });
    api.on('GET', '/v1/organizations', pages([[org('o1', 'Acme')], [org('o2', 'Globex')]]));
    home = await tempDir();
  });
  afterAll(async () => {
    await api.close();
    await home.cleanup();
  });

  /** A child sitectl with a clean environment: temp HOME/XDG, no SITECTL_* from the developer's shell. */
  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SITECTL_')),
    );
    return { ...clean, HOME: home.path, XDG_CONFIG_HOME: join(home.path, 'config'), ...extra };
  }

  function runBin(
    args: string[],
    options: { env: NodeJS.ProcessEnv; stdin?: string },
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, [bin, ...args], {
        cwd: root,
        env: options.env,
        timeout: 20_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        resolveRun({ code, stdout, stderr });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  it('runs the TypeScript source (SITECTL_FROM_SOURCE=1): login reads the key piped on stdin and exits', async () => {
    const result = await runBin(['login', '--api-url', api.url], {
      env: env({ SITECTL_FROM_SOURCE: '1' }),
      stdin: `${TEST_KEY}\n`,
    });
    expect(result).toEqual({
      code: 0,
      stdout: `Logged in to ${api.url} as ada@example.com (context "default").\n`,
      stderr: '',
    });
    expect(await readFile(join(home.path, 'config', 'sitectl', 'config.yaml'), 'utf8')).toContain(
      `apiKey: ${TEST_KEY}`,
    );
  });

  it('runs the esbuild bundle built by the nx build target, which leaves zod out for a fast start', async () => {
    const project = JSON.parse(
      await readFile(join(root, 'apps', 'cli', 'project.json'), 'utf8'),
    ) as {
      targets: { build: { options: { command: string } } };
    };
    await exec('sh', ['-c', project.targets.build.options.command], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${join(root, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`,
      },
    });
    expect(bundleIsFresh(bundle, sources)).toBe(true);
    expect(await readFile(bundle, 'utf8')).not.toContain('node_modules/zod/');

    const result = await runBin(['get', 'orgs', '-o', 'json'], {
      env: env({ SITECTL_API_URL: api.url, SITECTL_API_KEY: TEST_KEY }),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { name: string }[]).map((o) => o.name)).toEqual([
      'Acme',
      'Globex',
    ]);
  });

  it('exits with the mapped code, e.g. 2 for a usage error', async () => {
    const result = await runBin(['get', 'nothing'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown command 'nothing'");
  });
});
