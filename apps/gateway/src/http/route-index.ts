/**
 * Every route the server registered, as patterns, so that a request that
 * matched no route can be told apart: wrong method on a known path (405 with
 * `Allow`) or no such path (404).
 */
export class RouteIndex {
  private readonly patterns = new Map<string, { regex: RegExp; methods: Set<string> }>();

  add(method: string, url: string): void {
    let entry = this.patterns.get(url);
    if (!entry) {
      entry = { regex: patternOf(url), methods: new Set() };
      this.patterns.set(url, entry);
    }
    entry.methods.add(method.toUpperCase());
  }

  /** Methods some route serves at this concrete path (empty: no route has it). */
  allowedMethods(path: string): string[] {
    const bare = path.split('?')[0] ?? '';
    const trimmed = bare.length > 1 ? bare.replace(/\/+$/, '') : bare;
    const methods = new Set<string>();
    for (const { regex, methods: m } of this.patterns.values())
      if (regex.test(trimmed)) for (const method of m) methods.add(method);
    return [...methods].sort();
  }

  /** Every registered (method, url) pair. */
  list(): { method: string; url: string }[] {
    return [...this.patterns].flatMap(([url, { methods }]) =>
      [...methods].map((method) => ({ method, url })),
    );
  }
}

function patternOf(url: string): RegExp {
  const trimmed = url.length > 1 ? url.replace(/\/+$/, '') : url;
  const source = trimmed
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
