import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Integration specs share one PostgreSQL, NATS and Redis with other runs.
 * Each spec file gets its own database, NATS prefix and Redis prefix.
 */
export const testServers = {
  postgresAdminUrl: process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  natsUrl: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
  redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
};

/** A short unique token: `<label>_<random>`, safe as a database name and NATS/Redis prefix. */
export function uniqueName(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  return `t_${clean}_${randomBytes(5).toString('hex')}`;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database for one spec file; `drop()` removes it (forcing out connections). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(label);
  const admin = new Client({ connectionString: testServers.postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServers.postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: testServers.postgresAdminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 25, message = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}` + (lastError instanceof Error ? `: ${lastError.message}` : ''));
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
