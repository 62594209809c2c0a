import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { natsNames, type NatsNames, type CommandInput, type CommandResults, type CommandType } from '@siteops/contracts';
import { EventStore, openDatabase, type EntityManager } from '@siteops/event-store';
import { CommandBus, connectNats, type CommandContext } from '@siteops/messaging';
import { HealthRegistry, loadConfig, type Running, type SiteopsConfig } from '@siteops/runtime';
import { createTestDatabase, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import type { NatsConnection } from 'nats';
import { app } from '../identity.app';

export interface Started {
  running: Running[];
  /** What the instances wrote to stdout while starting (the one-time admin banner). */
  printed: string;
}

export interface IdentityFixture {
  readonly config: SiteopsConfig;
  readonly db: TestDatabase;
  readonly bus: CommandBus;
  readonly store: EventStore;
  readonly names: NatsNames;
  /** A fresh entity manager on the spec's database, to look at what the service stored. */
  em(): EntityManager;
  /** Starts `count` more identity instances at once, on the same database, prefix and data dir. */
  start(count?: number, standalone?: boolean): Promise<Started>;
  send<T extends CommandType>(type: T, data: CommandInput<T>, context?: Partial<CommandContext>): Promise<CommandResults[T]>;
  cleanup(): Promise<void>;
}

export const TEST_ACTOR = '7d9e1f2a-3b4c-4d5e-8f60-718293a4b5c6';

/**
 * One database, NATS prefix and data directory per spec file; the service is
 * driven through the command bus exactly as the gateway drives it.
 */
export async function identityFixture(label: string, options: { port?: number } = {}): Promise<IdentityFixture> {
  const db = await createTestDatabase(label);
  const tmp = await mkdtemp(path.join(tmpdir(), 'siteops-identity-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: testServers.natsUrl,
    SITEOPS_NATS_PREFIX: uniqueName(label),
    // Not created yet: the service must create it (0700).
    SITEOPS_DATA_DIR: path.join(tmp, 'data'),
    SITEOPS_ADMIN_EMAIL: 'root@siteops.test',
    PORT: String(options.port ?? 0),
    LOG_LEVEL: 'silent',
  });
  const names = natsNames(config.natsPrefix);
  const nc: NatsConnection = await connectNats({ url: config.natsUrl, name: `${config.natsPrefix}-test` });
  const bus = new CommandBus(nc, names, { timeoutMs: 10_000 });
  let orm: MikroORM | undefined;
  const instances: Running[] = [];

  return {
    config,
    db,
    bus,
    names,
    store: new EventStore(),
    em() {
      if (!orm) throw new Error('start an instance before reading the database');
      return orm.em.fork();
    },
    async start(count = 1, standalone = false) {
      const printed: string[] = [];
      // The banner goes straight to stdout; capture it instead of printing a key into the test log.
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
      try {
        const started = await Promise.allSettled(
          Array.from({ length: count }, () => app.start(config, { standalone, health: new HealthRegistry() })),
        );
        const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
        instances.push(...running);
        const failed = started.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
        orm ??= await openDatabase({ url: db.url, poolMax: 4 });
        return { running, printed: printed.join('') };
      } finally {
        spy.mockRestore();
      }
    },
    send(type, data, context = {}) {
      return bus.send(type, data, { correlationId: 'corr-test', causationId: 'req-test', actor: TEST_ACTOR, ...context });
    },
    async cleanup() {
      await Promise.all(instances.splice(0).map((r) => r.close()));
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(names.eventStream).catch(() => false);
      await nc.close();
      await orm?.close(true);
      await db.drop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
