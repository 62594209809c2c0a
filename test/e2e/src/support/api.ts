export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  /** Parsed JSON when the response was JSON, the raw text otherwise. */
  readonly body: T;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  /** Sent as-is (no JSON encoding): for malformed bodies. */
  readonly rawBody?: string;
}

/** A caller of the REST API with one API key (or none), as a client program sees it. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey?: string,
  ) {}

  as(apiKey: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, apiKey);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.apiKey !== undefined) headers['authorization'] ??= `Bearer ${this.apiKey}`;
    let payload: string | undefined = options.rawBody;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (contentType.includes('json') && text.length > 0) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, contentType, body: parsed as T };
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, options);
  }

  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body, options);
  }

  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, body, options);
  }

  delete<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, undefined, options);
  }

  /** Like request, but throws with the whole response unless the status is 2xx. */
  async ok<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    const response = await this.request<T>(method, path, body, options);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`${method} ${path} → ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }
}
