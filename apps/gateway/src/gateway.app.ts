import { CommandBus } from '@siteops/messaging';
import { readModelMigrations } from '@siteops/read-models';
import { connectInfrastructure, type Running, type SiteopsApp } from '@siteops/runtime';
import { Redis } from 'ioredis';
import { AuthFailureThrottle } from './auth/auth-failure.throttle';
import { createGatewayServer } from './gateway.server';
import { ReadModelCache } from './read-models/read-model.cache';

/** How long a start waits for the projector to cover what was stored before it. */
const CATCH_UP_WAIT_MS = 30_000;

export interface GatewayRunning extends Running {
  /** Base URL the gateway listens on (with the real port when PORT=0). */
  readonly url: string;
  /** Every route served, as registered (for diagnostics, and to check the OpenAPI document against). */
  routes(): { method: string; url: string }[];
}

/**
 * The gateway (SPEC §4): auth, RBAC, validation and problems at the edge;
 * reads from in-memory read models; writes as commands over NATS. It appends
 * no events, so unlike the writing services it runs no relay, standalone or not;
 * and it serves /healthz, /readyz and /metrics on its own port in both modes.
 */
export const app = {
  name: 'gateway',
  async start(config, options): Promise<GatewayRunning> {
    const infra = await connectInfrastructure(config, {
      service: 'gateway',
      // The read-model schema, so a gateway can start on an empty database before the projector.
      migrations: readModelMigrations,
      health: options.health,
    });
    const cleanup: (() => Promise<void>)[] = [() => infra.close()];
    const closeAll = async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    };
    try {
      const redis = new Redis(config.redisUrl, {
        // Fail fast while Redis is away: the throttle then fails open instead of queueing.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
        // ioredis arms this timer on disconnect even for a socket that never connected; keep shutdown short.
        disconnectTimeout: 200,
      });
      redis.on('error', (error: Error) => {
        infra.logger.debug({ err: error }, 'redis connection error');
      });
      cleanup.push(() => {
        redis.disconnect();
        return Promise.resolve();
      });

      const cache = new ReadModelCache({
        em: infra.em,
        nc: infra.nc,
        names: infra.names,
        logger: infra.logger,
      });
      await cache.start();
      cleanup.push(() => cache.stop());
      options.health.register('gateway:read-models', () => cache.healthCheck());
      // Not ready until the read models hold every event stored before this
      // start (the admin key of a first start, above all): a key issued a
      // moment ago must not be refused as unknown by a gateway that says it is ready.
      const startHead = await infra.store.lastCommittedPosition(infra.em.fork());
      const caughtUp = cache.waitFor(startHead, CATCH_UP_WAIT_MS);
      options.health.register('gateway:caught-up', () =>
        cache.covers(startHead)
          ? Promise.resolve()
          : Promise.reject(new Error(`read models are behind the event store (at ${cache.appliedCursor.toString()}, started at ${startHead.toString()})`)),
      );
      cleanup.push(() => {
        options.health.unregister('gateway:read-models');
        options.health.unregister('gateway:caught-up');
        return Promise.resolve();
      });

      const server = await createGatewayServer({
        cache,
        bus: new CommandBus(infra.nc, infra.names),
        throttle: new AuthFailureThrottle({
          redis,
          prefix: config.redisPrefix,
          logger: infra.logger,
        }),
        logger: infra.logger,
        health: options.health,
      });
      cleanup.push(() => server.close());
      const url = await server.listen(config.host, config.port);
      infra.logger.info({ url }, 'gateway listening');
      if (!(await caughtUp)) {
        infra.logger.warn(
          { position: cache.appliedCursor.toString(), startHead: startHead.toString() },
          'read models still behind the event store; /readyz says so until the projector catches up',
        );
      }
      return { url, routes: () => server.routes.list(), close: closeAll };
    } catch (error) {
      await closeAll().catch(() => undefined);
      throw error;
    }
  },
} satisfies SiteopsApp;
