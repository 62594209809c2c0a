import type { MikroORM } from '@mikro-orm/postgresql';
import { connect, type NatsConnection } from 'nats';
import { natsNames, READ_MODELS_CHECKPOINT, type NatsNames, type ProjectionChangedMessage } from '@siteops/contracts';
import {
  CheckpointStore,
  EventStore,
  eventStoreMigrations,
  migrate,
  openDatabase,
  query,
  type EntityManager,
  Position,
} from '@siteops/event-store';
import { READ_MODEL_TABLES, readModelMigrations } from '@siteops/read-models';
import { HealthRegistry, loadConfig, type SiteopsConfig } from '@siteops/runtime';
import { createTestDatabase, eventually, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import { startProjector, type ProjectorTuning, type RunningProjector } from '../projector.app';

/**
 * One spec file's world: its own database and NATS prefix, the store to
 * append to, and projector instances started like the real app.
 */
export interface ProjectorTestEnv {
  db: TestDatabase;
  config: SiteopsConfig;
  orm: MikroORM;
  /** A fresh entity manager for one unit of work. */
  em(): EntityManager;
  store: EventStore;
  nc: NatsConnection;
  names: NatsNames;
  start(tuning?: ProjectorTuning, options?: { standalone?: boolean; health?: HealthRegistry }): Promise<RunningProjector>;
  /** Waits until the read-model checkpoint covers everything committed so far. */
  caughtUp(timeoutMs?: number): Promise<Position>;
  checkpoint(): Promise<Position | undefined>;
  /** Collects projectionChanged messages from now on (the subscription is live when it resolves). */
  listen(): Promise<ProjectionChangedMessage[]>;
  cleanup(): Promise<void>;
}

export async function projectorTestEnv(label: string): Promise<ProjectorTestEnv> {
  const db = await createTestDatabase(label);
  const prefix = uniqueName(label);
  const names = natsNames(prefix);
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: testServers.natsUrl,
    SITEOPS_NATS_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const orm = await openDatabase({ url: db.url, migrations: [...eventStoreMigrations, ...readModelMigrations] });
  await migrate(orm);
  const nc = await connect({ servers: testServers.natsUrl, name: prefix });
  const store = new EventStore();
  const running: RunningProjector[] = [];
  const checkpoints = new CheckpointStore();

  const env: ProjectorTestEnv = {
    db,
    config,
    orm,
    em: () => orm.em.fork(),
    store,
    nc,
    names,
    async start(tuning = {}, options = {}) {
      const projector = await startProjector(
        config,
        { standalone: options.standalone ?? false, health: options.health ?? new HealthRegistry() },
        { pollIntervalMs: 50, ...tuning },
      );
      running.push(projector);
      return projector;
    },
    checkpoint: () => checkpoints.load(orm.em.fork(), READ_MODELS_CHECKPOINT),
    async caughtUp(timeoutMs = 20_000) {
      // Every committed event, not `store.headPosition`: that one stops below the
      // oldest running transaction of the whole server, which other spec files share.
      const head = await store.lastCommittedPosition(orm.em.fork());
      return eventually(
        async () => {
          const at = await env.checkpoint();
          return at?.covers(head) ? at : undefined;
        },
        { timeoutMs, message: `read models to reach ${head.toString()}` },
      );
    },
    async listen() {
      const received: ProjectionChangedMessage[] = [];
      const subscription = nc.subscribe(names.projectionChanged);
      void (async () => {
        for await (const message of subscription) received.push(message.json<ProjectionChangedMessage>());
      })();
      await nc.flush();
      return received;
    },
    async cleanup() {
      await Promise.all(running.splice(0).map((p) => p.close().catch(() => undefined)));
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(names.eventStream).catch(() => undefined);
      await nc.close();
      await orm.close(true);
      await db.drop();
    },
  };
  return env;
}

type Row = Record<string, unknown>;

/** Every read-model table as plain JSON-like rows (timestamps as ISO strings), in key order. */
export async function dumpReadModels(em: EntityManager): Promise<Record<string, Row[]>> {
  const tables: Record<string, Row[]> = {};
  for (const [table, key] of Object.entries(READ_MODEL_TABLES)) {
    const { rows } = await query<Row>(em, `SELECT * FROM ${table} ORDER BY ${key}`);
    tables[table] = rows.map(plain);
  }
  return tables;
}

/** Timestamps come back as Postgres text (`2026-01-01 00:00:05.217+00`); compare them as ISO strings. */
export function plain(row: Row): Row {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k.endsWith('_at') ? isoOrNull(v) : v]));
}

export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return new Date(value as string | Date).toISOString();
}

export interface ChangeEntry {
  seq: string;
  kind: string;
  id: string;
}

export async function changesSince(em: EntityManager, seq: string | number = 0): Promise<ChangeEntry[]> {
  const { rows } = await query<ChangeEntry>(em, 'SELECT seq::text AS seq, kind, id FROM rm_changes WHERE rm_changes.seq > ?::bigint ORDER BY rm_changes.seq', [
    String(seq),
  ]);
  return rows;
}
