import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../testing/run-cli';
import { CliError, ExitCode } from './cli-errors';
import {
  DEFAULT_API_URL,
  apiKeyId,
  configPath,
  loadConfig,
  normalizeApiUrl,
  resolveConnection,
  saveConfig,
  upsertContext,
  type SitectlConfig,
} from './config-store';

const KEY = 'siteops_abcd1234_c2VjcmV0';

describe('configPath', () => {
  it('lives under XDG_CONFIG_HOME when it is set', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' })).toBe(
      '/x/conf/sitectl/config.yaml',
    );
  });

  it('falls back to ~/.config when XDG_CONFIG_HOME is unset, empty or relative', () => {
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/sitectl/config.yaml');
    expect(configPath({ HOME: '/home/u', XDG_CONFIG_HOME: '' })).toBe(
      '/home/u/.config/sitectl/config.yaml',
    );
    expect(configPath({ HOME: '/home/u', XDG_CONFIG_HOME: 'rel/conf' })).toBe(
      '/home/u/.config/sitectl/config.yaml',
    );
  });
});

describe('loadConfig / saveConfig', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('reads a missing file as an empty config', async () => {
    await expect(loadConfig(join(dir.path, 'nope', 'config.yaml'))).resolves.toEqual({
      contexts: [],
    });
  });

  it('writes the file 0600 in a 0700 directory, kubectl-style, and reads it back', async () => {
    const path = configPath({ XDG_CONFIG_HOME: dir.path });
    const config: SitectlConfig = {
      currentContext: 'prod',
      contexts: [
        { name: 'local', apiUrl: DEFAULT_API_URL },
        { name: 'prod', apiUrl: 'https://ops.example.com', apiKey: KEY },
      ],
    };
    await saveConfig(path, config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, 'sitectl'))).mode & 0o777).toBe(0o700);
    expect(await readFile(path, 'utf8')).toBe(
      [
        'currentContext: prod',
        'contexts:',
        '  - name: local',
        `    apiUrl: ${DEFAULT_API_URL}`,
        '  - name: prod',
        '    apiUrl: https://ops.example.com',
        `    apiKey: ${KEY}`,
        '',
      ].join('\n'),
    );
    await expect(loadConfig(path)).resolves.toEqual(config);
  });

  it('tightens an existing file and directory that were too open', async () => {
    const sitectlDir = join(dir.path, 'sitectl');
    await mkdir(sitectlDir, { mode: 0o755 });
    const path = join(sitectlDir, 'config.yaml');
    await writeFile(path, 'contexts: []\n', { mode: 0o644 });
    await saveConfig(path, { contexts: [{ name: 'a', apiUrl: DEFAULT_API_URL, apiKey: KEY }] });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(sitectlDir)).mode & 0o777).toBe(0o700);
  });

  it('rejects a malformed file without quoting its content (it may hold a key)', async () => {
    const path = join(dir.path, 'config.yaml');
    await writeFile(path, `contexts:\n  - name: x\n    apiKey: ${KEY}\n   bad: [\n`);
    const error = await loadConfig(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(path);
    expect((error as CliError).message).not.toContain(KEY);
  });

  it('rejects a file of the wrong shape, naming the field', async () => {
    const path = join(dir.path, 'config.yaml');
    await writeFile(path, 'contexts:\n  - name: x\n');
    await expect(loadConfig(path)).rejects.toThrow('contexts[0].apiUrl must be a string');
    await writeFile(path, 'contexts: nope\n');
    await expect(loadConfig(path)).rejects.toThrow('contexts must be a list');
  });
});

describe('resolveConnection', () => {
  const config: SitectlConfig = {
    currentContext: 'prod',
    contexts: [
      { name: 'prod', apiUrl: 'https://ops.example.com/', apiKey: KEY },
      { name: 'lab', apiUrl: 'http://lab:8080' },
    ],
  };

  it('uses the current context', () => {
    expect(resolveConnection(config, {}, undefined)).toEqual({
      contextName: 'prod',
      apiUrl: 'https://ops.example.com',
      apiUrlSource: 'context',
      apiKey: KEY,
    });
  });

  it('lets SITECTL_API_URL and SITECTL_API_KEY override the context', () => {
    const env = { SITECTL_API_URL: 'http://other:1', SITECTL_API_KEY: 'siteops_env_key' };
    expect(resolveConnection(config, env, undefined)).toMatchObject({
      contextName: 'prod',
      apiUrl: 'http://other:1',
      apiUrlSource: 'env',
      apiKey: 'siteops_env_key',
    });
  });

  it('works from the environment alone, with the default URL', () => {
    expect(resolveConnection({ contexts: [] }, { SITECTL_API_KEY: KEY }, undefined)).toEqual({
      contextName: undefined,
      apiUrl: DEFAULT_API_URL,
      apiUrlSource: 'default',
      apiKey: KEY,
    });
  });

  it('selects another context by name, and fails for an unknown one', () => {
    expect(resolveConnection(config, {}, 'lab')).toMatchObject({
      contextName: 'lab',
      apiUrl: 'http://lab:8080',
      apiKey: undefined,
    });
    expect(() => resolveConnection(config, {}, 'nope')).toThrow('no context named "nope"');
  });
});

describe('helpers', () => {
  it('upserts a context by name', () => {
    const one = upsertContext({ contexts: [] }, { name: 'a', apiUrl: 'http://a' });
    const two = upsertContext(one, { name: 'b', apiUrl: 'http://b' });
    const replaced = upsertContext(two, { name: 'a', apiUrl: 'http://a2', apiKey: KEY });
    expect(replaced.contexts).toEqual([
      { name: 'a', apiUrl: 'http://a2', apiKey: KEY },
      { name: 'b', apiUrl: 'http://b' },
    ]);
  });

  it('normalizes and validates API URLs', () => {
    expect(normalizeApiUrl('https://h/prefix//')).toBe('https://h/prefix');
    const bad = (() => {
      try {
        normalizeApiUrl('ftp://h');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(bad).toBeInstanceOf(CliError);
    expect((bad as CliError).exitCode).toBe(ExitCode.Usage);
    expect(() => normalizeApiUrl('not a url')).toThrow('not a valid API URL');
  });

  it('extracts the public key id from a key', () => {
    expect(apiKeyId(KEY)).toBe('abcd1234');
    expect(apiKeyId('garbage')).toBeUndefined();
  });
});
