import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM, Options } from '@mikro-orm/postgresql';
import type { NatsConnection } from 'nats';
import { natsNames, type NatsNames, type ServiceName } from '@siteops/contracts';
import { EventStore, eventStoreMigrations, migrate, openDatabase, query, type EntityManager } from '@siteops/event-store';
import { connectNats, drainConnection, ensureEventStream } from '@siteops/messaging';
import type { SiteopsConfig } from './config';
import { processHealth, type HealthRegistry } from './health';
import { createLogger, type Logger } from './logger';

/** The connections every service holds: PostgreSQL (event store), NATS, a logger. */
export interface Infrastructure {
  readonly service: ServiceName;
  readonly config: SiteopsConfig;
  readonly logger: Logger;
  readonly orm: MikroORM;
  /** The root entity manager; fork it per unit of work. */
  readonly em: EntityManager;
  readonly store: EventStore;
  readonly nc: NatsConnection;
  readonly names: NatsNames;
  readonly health: HealthRegistry;
  close(): Promise<void>;
}

export interface InfrastructureOptions {
  service: ServiceName;
  entities?: Options['entities'];
  /** The service's own migrations; the event store's run first. */
  migrations?: MigrationObject[];
  poolMax?: number;
  health?: HealthRegistry;
}

/**
 * Connects a service and brings its schema up to date. Every service migrates
 * on start (serialised by an advisory lock), so any one of them can run alone.
 */
export async function connectInfrastructure(config: SiteopsConfig, options: InfrastructureOptions): Promise<Infrastructure> {
  const { service } = options;
  const logger = createLogger(config, service);
  const health = options.health ?? processHealth;
  const orm = await openDatabase({
    url: config.databaseUrl,
    entities: options.entities ?? [],
    migrations: [...eventStoreMigrations, ...(options.migrations ?? [])],
    poolMax: options.poolMax ?? 10,
    applicationName: `siteops-${service}`,
  });
  let nc: NatsConnection | undefined;
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    nc = await connectNats({ url: config.natsUrl, name: `siteops-${service}` });
    const names = natsNames(config.natsPrefix);
    await ensureEventStream(await nc.jetstreamManager(), names);
    const connection = nc;
    health.register(`${service}:postgres`, async () => {
      await query(orm.em.fork(), 'SELECT 1');
    });
    health.register(`${service}:nats`, () =>
      connection.isClosed() ? Promise.reject(new Error('NATS connection closed')) : connection.flush(),
    );
    return {
      service,
      config,
      logger,
      orm,
      em: orm.em,
      store: new EventStore(),
      nc: connection,
      names,
      health,
      async close() {
        health.unregister(`${service}:postgres`);
        health.unregister(`${service}:nats`);
        await drainConnection(connection);
        await orm.close();
      },
    };
  } catch (error) {
    if (nc) await drainConnection(nc).catch(() => undefined);
    await orm.close(true);
    throw error;
  }
}
