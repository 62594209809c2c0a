import { EventRelay } from '@siteops/event-store';
import type { Infrastructure } from './infrastructure';

/**
 * Starts the store → JetStream relay on a service's connections. Any number
 * may run; one leads (advisory lock), the others stand by.
 */
export async function startRelay(infra: Infrastructure): Promise<EventRelay> {
  const relay = new EventRelay({
    databaseUrl: infra.config.databaseUrl,
    em: infra.em,
    store: infra.store,
    js: infra.nc.jetstream(),
    natsPrefix: infra.names.prefix,
    logger: {
      info: (message, fields) => {
        infra.logger.info(fields ?? {}, message);
      },
      error: (message, fields) => {
        infra.logger.error(fields ?? {}, message);
      },
    },
  });
  await relay.start();
  return relay;
}
