import { collectDefaultMetrics, Registry } from 'prom-client';

export type HealthCheck = () => Promise<void>;

export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/**
 * Readiness checks and Prometheus metrics of one process. In all-in-one mode
 * every app registers here and the gateway's /readyz and /metrics cover them
 * all; an app run alone serves them on its own port.
 */
export class HealthRegistry {
  readonly metrics = new Registry();
  private readonly checks = new Map<string, HealthCheck>();

  constructor() {
    collectDefaultMetrics({ register: this.metrics });
  }

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  async readiness(timeoutMs = 2000): Promise<Readiness> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, { ok: boolean; error?: string }]> => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, { ok: true }];
        } catch (error) {
          return [name, { ok: false, error: error instanceof Error ? error.message : 'failed' }];
        }
      }),
    );
    return { ok: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error('failed'));
      },
    );
  });
}

/** One registry per process. */
export const processHealth = new HealthRegistry();
