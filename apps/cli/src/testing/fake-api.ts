import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, ProblemDto } from '@siteops/contracts';

/** A request as the fake API saw it, for assertions. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface FakeResponse {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Route = (request: RecordedRequest) => FakeResponse;

/**
 * A throwaway HTTP server that plays the gateway's REST API: tests register
 * canned responses per `METHOD /path` and assert on the recorded requests.
 * Anything unregistered answers 404 with a problem document, as the gateway
 * does for what the caller cannot see.
 */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Route>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeApi> {
    const server = createServer();
    const api = new FakeApi(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const text = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
        };
        api.requests.push(recorded);
        const route = api.routes.get(`${recorded.method} ${recorded.path}`);
        const response = route
          ? route(recorded)
          : problem(
              404,
              'not_found',
              `${recorded.method} ${recorded.path} is not mapped in this test`,
            );
        const isProblem = (response.status ?? 200) >= 400 && response.body !== undefined;
        res.writeHead(response.status ?? 200, {
          ...(response.body === undefined
            ? {}
            : { 'content-type': isProblem ? 'application/problem+json' : 'application/json' }),
          ...response.headers,
        });
        res.end(response.body === undefined ? undefined : JSON.stringify(response.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  on(method: string, path: string, response: FakeResponse | Route): this {
    this.routes.set(
      `${method} ${path}`,
      typeof response === 'function' ? response : () => response,
    );
    return this;
  }

  /** Requests other than the ones matching `method path` are left out. */
  find(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** `METHOD /path?query` of every request, in order: the conversation at a glance. */
  get log(): string[] {
    return this.requests.map((r) => {
      const query = new URLSearchParams(r.query).toString();
      return `${r.method} ${r.path}${query ? `?${query}` : ''}`;
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Partial<ProblemDto> = {},
): FakeResponse {
  const body: ProblemDto = {
    type: `https://siteops.dev/problems/${code}`,
    title: code,
    status,
    detail,
    code,
    correlationId: 'corr-1234',
    ...extra,
  };
  return { status, body };
}

export function page(items: unknown[], nextCursor: string | null = null): FakeResponse {
  const body: Page<unknown> = { items, nextCursor };
  return { body };
}

/** Serves `pages` in order, linked by cursors `c1`, `c2`…, as `?cursor=` asks. */
export function pages(pages: unknown[][]): Route {
  return (request) => {
    const index =
      request.query['cursor'] === undefined ? 0 : Number(request.query['cursor'].slice(1));
    const items = pages[index] ?? [];
    return page(items, index + 1 < pages.length ? `c${index + 1}` : null);
  };
}
