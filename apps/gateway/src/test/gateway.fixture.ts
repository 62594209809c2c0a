import type { MikroORM } from '@mikro-orm/postgresql';
import { natsNames, type NatsNames } from '@siteops/contracts';
import { eventStoreMigrations, migrate, openDatabase } from '@siteops/event-store';
import { readModelMigrations } from '@siteops/read-models';
import { HealthRegistry, loadConfig, type SiteopsConfig } from '@siteops/runtime';
import { createTestDatabase, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import { connect, type NatsConnection } from 'nats';
import { app, type GatewayRunning } from '../gateway.app';
import { FakeServices } from './fake-services';
import { ReadModelSeeder } from './read-model.seeder';

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON (problem or DTO), or the raw text when the body is not JSON. */
  body: unknown;
  text: string;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  /** Sent as is (malformed JSON, other content types). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface GatewayFixture {
  readonly url: string;
  readonly running: GatewayRunning;
  readonly db: TestDatabase;
  readonly orm: MikroORM;
  readonly nc: NatsConnection;
  readonly names: NatsNames;
  readonly config: SiteopsConfig;
  readonly seed: ReadModelSeeder;
  readonly services: FakeServices;
  readonly health: HealthRegistry;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
  /** Waits until the gateway has applied everything seeded so far (X-Consistent-Read on /healthz). */
  settle(): Promise<void>;
  /** Starts another gateway on the same database, NATS prefix and Redis prefix (a second replica). */
  startReplica(): Promise<GatewayRunning>;
  close(): Promise<void>;
}

/**
 * A gateway on port 0 against real PostgreSQL, NATS and Redis, each with a
 * name of its own; the read-model schema migrated (empty), the identity and
 * hierarchy services played by `FakeServices`.
 */
export async function startGateway(
  label: string,
  env: NodeJS.ProcessEnv = {},
): Promise<GatewayFixture> {
  const db = await createTestDatabase(label);
  const prefix = uniqueName(label);
  const orm = await openDatabase({
    url: db.url,
    migrations: [...eventStoreMigrations, ...readModelMigrations],
  });
  await migrate(orm);
  const nc = await connect({ servers: testServers.natsUrl, name: prefix });
  const names = natsNames(prefix);
  const seed = new ReadModelSeeder(orm.em, nc, names);
  const services = new FakeServices(seed);
  services.start(nc, names);
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: testServers.natsUrl,
    REDIS_URL: testServers.redisUrl,
    SITEOPS_NATS_PREFIX: prefix,
    SITEOPS_REDIS_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env['GATEWAY_TEST_LOG_LEVEL'] ?? 'silent',
    ...env,
  });
  const health = new HealthRegistry();
  const running = await app.start(config, { standalone: false, health });
  const replicas: GatewayRunning[] = [];

  return {
    url: running.url,
    running,
    db,
    orm,
    nc,
    names,
    config,
    seed,
    services,
    health,
    request: (method, path, options = {}) => request(running.url, method, path, options),
    async settle() {
      const res = await request(running.url, 'GET', '/healthz', {
        headers: { 'x-consistent-read': seed.lastPosition() },
      });
      if (res.headers.get('x-consistency') === 'stale')
        throw new Error('the gateway did not catch up with the seeded read models');
    },
    async startReplica() {
      const replica = await app.start(config, { standalone: false, health: new HealthRegistry() });
      replicas.push(replica);
      return replica;
    },
    async close() {
      for (const replica of replicas) await replica.close();
      await running.close();
      await services.stop();
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(names.eventStream).catch(() => false);
      await nc.close();
      await orm.close(true);
      await db.drop();
    },
  };
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
