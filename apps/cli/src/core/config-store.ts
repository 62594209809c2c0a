import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError, ExitCode, errorMessage, isErrorLike } from './cli-errors';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';
export const DEFAULT_CONTEXT_NAME = 'default';

/** One named connection, as kubectl calls them. */
export interface SitectlContext {
  name: string;
  apiUrl: string;
  apiKey?: string;
}

export interface SitectlConfig {
  currentContext?: string;
  contexts: SitectlContext[];
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `$XDG_CONFIG_HOME/sitectl/config.yaml`, else `~/.config/sitectl/config.yaml`.
 * The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
 */
export function configPath(env: Env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.config');
  return join(base, 'sitectl', 'config.yaml');
}

export async function loadConfig(path: string): Promise<SitectlConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { contexts: [] };
    throw new CliError(`cannot read ${path}: ${errorMessage(error)}`);
  }
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw invalidConfig(path, yamlErrorSummary(error));
  }
  return validateConfig(raw, path);
}

/**
 * Writes atomically (temp file + rename) so an interrupted write never leaves a
 * half-written file, with mode 0600 from the first byte because it holds API
 * keys. The directory is made 0700 for the same reason.
 */
export async function saveConfig(path: string, config: SitectlConfig): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const { stringify } = await import('yaml');
  const ordered: SitectlConfig = {
    ...(config.currentContext === undefined ? {} : { currentContext: config.currentContext }),
    contexts: config.contexts.map((c) => ({
      name: c.name,
      apiUrl: c.apiUrl,
      ...(c.apiKey ? { apiKey: c.apiKey } : {}),
    })),
  };
  const temp = join(dir, `.config.yaml.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, stringify(ordered), { mode: 0o600, flag: 'wx' });
    // The umask can only clear bits, but be explicit: this file holds secrets.
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError(`cannot write ${path}: ${errorMessage(error)}`);
  }
}

export function findContext(config: SitectlConfig, name: string): SitectlContext | undefined {
  return config.contexts.find((c) => c.name === name);
}

/** Replaces the context with the same name, or appends it. */
export function upsertContext(config: SitectlConfig, context: SitectlContext): SitectlConfig {
  const exists = config.contexts.some((c) => c.name === context.name);
  return {
    ...config,
    contexts: exists
      ? config.contexts.map((c) => (c.name === context.name ? context : c))
      : [...config.contexts, context],
  };
}

/** Where the API URL in use came from: error hints tell the user which knob to turn. */
export type ApiUrlSource = 'flag' | 'env' | 'context' | 'default';

export interface Connection {
  readonly contextName: string | undefined;
  readonly apiUrl: string;
  readonly apiUrlSource: ApiUrlSource;
  readonly apiKey: string | undefined;
}

/**
 * The connection a command uses: the named (or current) context, with
 * SITECTL_API_URL / SITECTL_API_KEY taking precedence over what it stores.
 */
export function resolveConnection(
  config: SitectlConfig,
  env: Env,
  contextName: string | undefined,
): Connection {
  const name = contextName ?? config.currentContext;
  const context = name === undefined ? undefined : findContext(config, name);
  if (contextName !== undefined && !context) {
    throw new CliError(`no context named "${contextName}" in the config`, {
      hint: 'list them with `sitectl config get-contexts`, or create it with `sitectl login --context NAME`',
    });
  }
  const envUrl = env['SITECTL_API_URL'];
  const apiUrl = envUrl ? envUrl : (context?.apiUrl ?? DEFAULT_API_URL);
  return {
    contextName: context?.name,
    apiUrl: normalizeApiUrl(apiUrl),
    apiUrlSource: envUrl ? 'env' : context ? 'context' : 'default',
    apiKey: env['SITECTL_API_KEY'] || context?.apiKey,
  };
}

/** Accepts `http(s)://host[:port][/prefix]`; drops trailing slashes so paths join cleanly. */
export function normalizeApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`"${value}" is not a valid API URL`, {
      exitCode: ExitCode.Usage,
      hint: `give an http(s) URL such as ${DEFAULT_API_URL}`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`API URL "${value}" must use http or https`, { exitCode: ExitCode.Usage });
  }
  return value.replace(/\/+$/, '');
}

/** The non-secret part of a key (`siteops_<keyId>_…`), safe to display. */
export function apiKeyId(key: string): string | undefined {
  const match = /^siteops_([^_]+)_/.exec(key);
  return match?.[1];
}

function validateConfig(raw: unknown, path: string): SitectlConfig {
  if (raw === null || raw === undefined) return { contexts: [] };
  if (!isRecord(raw)) throw invalidConfig(path, 'expected a mapping at the top level');
  const current = raw['currentContext'];
  if (current !== undefined && current !== null && typeof current !== 'string') {
    throw invalidConfig(path, 'currentContext must be a string');
  }
  const list = raw['contexts'] ?? [];
  if (!Array.isArray(list)) throw invalidConfig(path, 'contexts must be a list');
  const contexts = list.map((entry: unknown, index): SitectlContext => {
    if (!isRecord(entry)) throw invalidConfig(path, `contexts[${index}] must be a mapping`);
    const { name, apiUrl, apiKey } = entry;
    if (typeof name !== 'string' || name === '')
      throw invalidConfig(path, `contexts[${index}].name must be a non-empty string`);
    if (typeof apiUrl !== 'string')
      throw invalidConfig(path, `contexts[${index}].apiUrl must be a string`);
    if (apiKey !== undefined && apiKey !== null && typeof apiKey !== 'string') {
      throw invalidConfig(path, `contexts[${index}].apiKey must be a string`);
    }
    return typeof apiKey === 'string' ? { name, apiUrl, apiKey } : { name, apiUrl };
  });
  return typeof current === 'string' ? { currentContext: current, contexts } : { contexts };
}

/**
 * yaml's parse errors quote the offending source line, which here may hold an
 * API key: report only the kind of error and where it is.
 */
function yamlErrorSummary(error: unknown): string {
  if (isErrorLike(error) && 'linePos' in error) {
    const code = typeof error.code === 'string' ? error.code : 'syntax error';
    const pos = Array.isArray(error.linePos)
      ? (error.linePos[0] as { line?: number } | undefined)
      : undefined;
    return `not valid YAML (${code}${pos?.line === undefined ? '' : ` at line ${pos.line}`})`;
  }
  return 'not valid YAML';
}

function invalidConfig(path: string, why: string): CliError {
  return new CliError(`config file ${path} is invalid: ${why}`, {
    hint: 'fix or delete the file, then run `sitectl login`',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrno(error: unknown, code: string): boolean {
  return isErrorLike(error) && error.code === code;
}
