import type { Page, ProblemDto } from '@siteops/contracts';
import { ApiError, CliError, ExitCode, isErrorLike } from './cli-errors';
import type { ApiUrlSource } from './config-store';

export type Query = Readonly<Record<string, string | undefined>>;

export interface ApiClientOptions {
  /** Base URL without trailing slash; may carry a path prefix (behind a proxy). */
  readonly apiUrl: string;
  readonly apiUrlSource: ApiUrlSource;
  readonly apiKey: string;
  readonly fetch: typeof fetch;
  readonly userAgent: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

const URL_SOURCE_LABEL: Readonly<Record<ApiUrlSource, string>> = {
  flag: 'the --api-url option',
  env: 'SITECTL_API_URL',
  context: 'the selected context',
  default: 'the built-in default',
};

/**
 * The gateway's REST API as sitectl uses it: bearer auth, problem+json errors
 * turned into exit codes, `nextCursor` pagination, and read-your-writes.
 *
 * One client lives for one command. After a write it remembers the store
 * position the gateway returned and sends it as `X-Consistent-Read` on every
 * later read of that command, so a read that follows a write sees it even
 * though projections are updated asynchronously. The position is an opaque
 * token: it is passed back unchanged, never compared.
 */
export class ApiClient {
  #position: string | undefined;

  constructor(private readonly options: ApiClientOptions) {}

  get apiUrl(): string {
    return this.options.apiUrl;
  }

  /** The last write's position, if this command wrote anything. */
  get position(): string | undefined {
    return this.#position;
  }

  async get<T>(path: string, query: Query = {}): Promise<T> {
    return (await this.send('GET', path, query)) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.send('POST', path, {}, body)) as T;
  }

  async put<T>(path: string, body: unknown): Promise<T | undefined> {
    return (await this.send('PUT', path, {}, body)) as T | undefined;
  }

  async delete(path: string, query: Query = {}): Promise<void> {
    await this.send('DELETE', path, query);
  }

  /** Every item of a list, following `nextCursor` until the last page. */
  async list<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.get<Page<T>>(path, { ...query, cursor });
      items.push(...page.items);
      if (!page.nextCursor) return items;
      // A server bug that hands back a cursor twice would otherwise loop forever.
      if (seen.has(page.nextCursor)) {
        throw new CliError(`the API returned the same page cursor twice while listing ${path}`);
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  private async send(method: string, path: string, query: Query, body?: unknown): Promise<unknown> {
    const url = this.url(path, query);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.apiKey}`,
      accept: 'application/json, application/problem+json',
      'user-agent': this.options.userAgent,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'GET' && this.#position !== undefined)
      headers['x-consistent-read'] = this.#position;

    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw this.networkError(error);
    }

    const text = await response.text();
    const data = parseJson(text, response.headers.get('content-type'));
    if (!response.ok) throw this.apiError(response, data, method, url);
    if (method !== 'GET') this.rememberPosition(response, data);
    return data;
  }

  private url(path: string, query: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) params.set(key, value);
    const search = params.toString();
    return `${this.options.apiUrl}${path}${search ? `?${search}` : ''}`;
  }

  private rememberPosition(response: Response, data: unknown): void {
    const fromBody = isRecord(data) ? data['position'] : undefined;
    const position =
      typeof fromBody === 'string' || typeof fromBody === 'number'
        ? String(fromBody)
        : response.headers.get('x-position');
    if (position) this.#position = position;
  }

  private apiError(response: Response, data: unknown, method: string, url: string): ApiError {
    const problem = isProblem(data) ? data : undefined;
    const fallback = `${method} ${url} failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    return new ApiError(response.status, problem, fallback, this.hintFor(response));
  }

  private hintFor(response: Response): string | undefined {
    switch (response.status) {
      case 401:
        return 'the API key is missing, wrong, expired or revoked: run `sitectl login` to store a valid one';
      case 429: {
        const retry = response.headers.get('retry-after');
        return retry ? `rate limited: retry after ${retry} s` : 'rate limited: retry later';
      }
      case 503:
        return 'a platform service is down or starting: retry in a moment';
      default:
        return undefined;
    }
  }

  private networkError(error: unknown): CliError {
    const timedOut = isErrorLike(error) && error.name === 'TimeoutError';
    const reason = timedOut ? 'no answer within the time limit' : describeCause(error);
    const where = URL_SOURCE_LABEL[this.options.apiUrlSource];
    return new CliError(`could not reach the siteops API at ${this.options.apiUrl} (${reason})`, {
      exitCode: ExitCode.Error,
      hint: `the URL comes from ${where}. Start the platform (\`npm start\` in the siteops checkout) or point sitectl at it with \`sitectl login --api-url URL\` (or SITECTL_API_URL)`,
    });
  }
}

function parseJson(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  if (contentType && !/json/i.test(contentType)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Node's fetch wraps the socket error (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function describeCause(error: unknown): string {
  if (!isErrorLike(error)) return String(error);
  const { cause } = error;
  if (isErrorLike(cause)) {
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    // An AggregateError (several addresses tried) has a code but no message.
    if (!cause.message) return code ?? 'connection failed';
    return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProblem(value: unknown): value is ProblemDto {
  return (
    isRecord(value) &&
    typeof value['status'] === 'number' &&
    (typeof value['detail'] === 'string' || typeof value['title'] === 'string')
  );
}
