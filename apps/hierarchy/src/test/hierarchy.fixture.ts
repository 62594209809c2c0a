import type { MikroORM } from '@mikro-orm/postgresql';
import { natsNames, type NatsNames, type CommandInput, type CommandResults, type CommandType } from '@siteops/contracts';
import { EventStore, openDatabase, query, type EntityManager } from '@siteops/event-store';
import { CommandBus, connectNats, type CommandContext } from '@siteops/messaging';
import { HealthRegistry, loadConfig, type Running } from '@siteops/runtime';
import { createTestDatabase, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import { app } from '../hierarchy.app';

export interface HierarchyFixture {
  readonly db: TestDatabase;
  readonly bus: CommandBus;
  readonly store: EventStore;
  readonly names: NatsNames;
  /** Stops the service (cleanup does it too). */
  stop(): Promise<void>;
  /** A fresh entity manager on the spec's database, to look at what the service stored. */
  em(): EntityManager;
  send<T extends CommandType>(type: T, data: CommandInput<T>, context?: Partial<CommandContext>): Promise<CommandResults[T]>;
  /** Event types of the given streams in store order (global position), as readers see them. */
  eventsInOrder(streamIds: string[]): Promise<{ streamId: string; type: string }[]>;
  cleanup(): Promise<void>;
}

/** The user on whose behalf the specs act; it becomes the owner of the organizations it creates. */
export const TEST_ACTOR = '7d9e1f2a-3b4c-4d5e-8f60-718293a4b5c6';

/**
 * One database and NATS prefix per spec file; the service is driven through
 * the command bus exactly as the gateway drives it.
 */
export async function hierarchyFixture(label: string, options: { standalone?: boolean; port?: number } = {}): Promise<HierarchyFixture> {
  const db = await createTestDatabase(label);
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: testServers.natsUrl,
    SITEOPS_NATS_PREFIX: uniqueName(label),
    PORT: String(options.port ?? 0),
    LOG_LEVEL: 'silent',
  });
  const names = natsNames(config.natsPrefix);
  const running: Running = await app.start(config, { standalone: options.standalone ?? false, health: new HealthRegistry() });
  const nc = await connectNats({ url: config.natsUrl, name: `${config.natsPrefix}-test` });
  const bus = new CommandBus(nc, names, { timeoutMs: 15_000 });
  const orm: MikroORM = await openDatabase({ url: db.url, poolMax: 4 });
  const em = () => orm.em.fork();

  return {
    db,
    bus,
    names,
    store: new EventStore(),
    stop: () => running.close(),
    em,
    send(type, data, context = {}) {
      return bus.send(type, data, { correlationId: 'corr-test', causationId: 'req-test', actor: TEST_ACTOR, ...context });
    },
    async eventsInOrder(streamIds) {
      const { rows } = await query<{ stream_id: string; type: string }>(
        em(),
        'SELECT stream_id, type FROM events WHERE stream_id = ANY(?) ORDER BY tx_id, global_position',
        [streamIds],
      );
      return rows.map((r) => ({ streamId: r.stream_id, type: r.type }));
    },
    async cleanup() {
      await running.close();
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(names.eventStream).catch(() => false);
      await nc.close();
      await orm.close(true);
      await db.drop();
    },
  };
}
