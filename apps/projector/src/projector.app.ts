import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { READ_MODELS_CHECKPOINT, type ProjectionChangedMessage } from '@siteops/contracts';
import type { EventRelay } from '@siteops/event-store';
import { readModelMigrations } from '@siteops/read-models';
import {
  connectInfrastructure,
  startHealthServer,
  startRelay,
  type AppStartOptions,
  type Infrastructure,
  type Running,
  type SiteopsApp,
  type SiteopsConfig,
} from '@siteops/runtime';
import { DEFAULT_CHANGE_RETENTION, type ChangeRetention } from './read-models/change-retention';
import { lagProblem, projectionLagSeconds } from './read-models/projection-lag';
import { ProjectorMetrics } from './read-models/projector.metrics';
import { rebuildReadModels, type RebuildOptions, type RebuildResult } from './read-models/read-models.rebuild';
import { ReadModelProjector, type ReadModelProjectorOptions } from './read-models/read-models.projector';

export interface ProjectorTuning {
  batchSize?: number;
  pollIntervalMs?: number;
  /** /readyz fails once the oldest unprojected event is older than this. Default 30 s. */
  maxLagSeconds?: number;
  /** Overrides of DEFAULT_CHANGE_RETENTION (tests prune at every page). */
  retention?: Partial<ChangeRetention>;
  beforeCheckpoint?: ReadModelProjectorOptions['beforeCheckpoint'];
}

export interface RunningProjector extends Running {
  readonly infra: Infrastructure;
  readonly projector: ReadModelProjector;
  /** Port of the health server when standalone. */
  readonly healthPort: number | undefined;
  /** Rebuilds from position 0 in place: stops, replays, follows live again. */
  rebuild(options?: Pick<RebuildOptions, 'hash' | 'batchSize'>): Promise<RebuildResult>;
}

const READINESS_CHECK = 'projector:read-models';

/**
 * Plain composition rather than a Nest application context: the projector
 * accepts no commands and serves no HTTP of its own, so there is nothing for
 * Nest's DI or transports to wire; it is connections, one subscription and
 * health hooks.
 */
export async function startProjector(
  config: SiteopsConfig,
  options: AppStartOptions,
  tuning: ProjectorTuning = {},
): Promise<RunningProjector> {
  const infra = await connectInfrastructure(config, {
    service: 'projector',
    migrations: readModelMigrations,
    health: options.health,
  });
  const { em, logger } = infra;
  const publish = projectionChangedPublisher(infra);
  const lag = () => projectionLagSeconds(em.fork(), READ_MODELS_CHECKPOINT);
  const projector = new ReadModelProjector({
    databaseUrl: config.databaseUrl,
    em,
    store: infra.store,
    logger,
    publish,
    onCommitted: (outcome) => {
      metrics.committed(outcome);
    },
    onPruned: (result) => {
      metrics.changesPruned(result);
    },
    retention: { ...DEFAULT_CHANGE_RETENTION, ...tuning.retention },
    ...(tuning.batchSize ? { batchSize: tuning.batchSize } : {}),
    ...(tuning.pollIntervalMs ? { pollIntervalMs: tuning.pollIntervalMs } : {}),
    ...(tuning.beforeCheckpoint ? { beforeCheckpoint: tuning.beforeCheckpoint } : {}),
  });
  const metrics = new ProjectorMetrics(options.health.metrics, lag, () => projector.isLeader);
  let relay: EventRelay | undefined;
  let server: FastifyInstance | undefined;
  try {
    await projector.start();
    const maxLagSeconds = tuning.maxLagSeconds ?? 30;
    options.health.register(READINESS_CHECK, async () => {
      const problem = lagProblem(await lag(), maxLagSeconds);
      if (problem) throw new Error(problem);
    });
    if (options.standalone) {
      relay = await startRelay(infra);
      server = await startHealthServer(options.health, config.host, config.port);
    }
  } catch (error) {
    await shutdown();
    throw error;
  }
  logger.info({ standalone: options.standalone }, 'projector started');

  async function shutdown(): Promise<void> {
    await server?.close();
    await relay?.stop();
    await projector.stop();
    options.health.unregister(READINESS_CHECK);
    metrics.close();
    await infra.close();
  }

  return {
    infra,
    projector,
    healthPort: server ? (server.server.address() as AddressInfo).port : undefined,
    rebuild: (rebuildOptions = {}) =>
      rebuildReadModels({ em, store: infra.store, projector, publish, ...rebuildOptions }),
    close: shutdown,
  };
}

/**
 * Core NATS, not JetStream: the message is only a wake-up for gateways,
 * which also poll `rm_changes`, so a lost one costs latency, never data.
 */
export function projectionChangedPublisher(infra: Infrastructure): (message: ProjectionChangedMessage) => void {
  return (message) => {
    try {
      infra.nc.publish(infra.names.projectionChanged, JSON.stringify(message));
    } catch (error) {
      infra.logger.warn({ error: String(error) }, 'projectionChanged not published');
    }
  };
}

export const app: SiteopsApp = {
  name: 'projector',
  start: (config, options) => startProjector(config, options),
};
