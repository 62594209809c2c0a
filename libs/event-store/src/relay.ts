import { headers as natsHeaders, type JetStreamClient } from 'nats';
import { natsNames, streamCategory, type RecordedEvent } from '@siteops/contracts';
import type { EntityManager } from './database';
import type { EventStore } from './event-store';
import type { Position } from './position';
import { StoreSubscription, type SubscriptionLogger } from './subscription';

export interface RelayOptions {
  databaseUrl: string;
  em: EntityManager;
  store: EventStore;
  js: JetStreamClient;
  natsPrefix: string;
  /** Checkpoint/lock name; one relay per installation leads at a time. */
  name?: string;
  batchSize?: number;
  /** Publishes in flight at once; JetStream keeps their order on one connection. */
  maxInFlight?: number;
  pollIntervalMs?: number;
  /**
   * How long to gather commits after a wake-up before reading them. Default
   * 10 ms: nothing answers a request only once the relay has published, and
   * its consumers (deployer agents, mirror sync, outside subscribers) react
   * in far more than that, while reading at every commit made it run one
   * page per write beside the projector that writes wait on.
   */
  batchDelayMs?: number;
  beforeCheckpoint?: (events: RecordedEvent[]) => Promise<void>;
  onProgress?: (cursor: Position) => void;
  logger?: SubscriptionLogger;
}

/**
 * Relays stored events to JetStream (ARCHITECTURE.md rule 4):
 * 1. read the store in its safe order from the relay's checkpoint;
 * 2. publish each event with `Nats-Msg-Id = eventId` and wait for every ack;
 * 3. only then move the checkpoint.
 * A crash between 2 and 3 republishes the page: JetStream drops the
 * duplicates inside its window, and consumers are idempotent beyond it.
 */
export class EventRelay {
  private readonly subscription: StoreSubscription;

  constructor(private readonly options: RelayOptions) {
    this.subscription = new StoreSubscription({
      name: options.name ?? 'relay',
      databaseUrl: options.databaseUrl,
      em: options.em,
      store: options.store,
      mode: 'after-handle',
      batchSize: options.batchSize ?? 1000,
      pollIntervalMs: options.pollIntervalMs ?? 200,
      batchDelayMs: options.batchDelayMs ?? 10,
      handle: (events) => this.publish(events),
      ...(options.beforeCheckpoint ? { beforeCheckpoint: options.beforeCheckpoint } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  get cursor(): Position | undefined {
    return this.subscription.cursor;
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  private async publish(events: RecordedEvent[]): Promise<void> {
    const names = natsNames(this.options.natsPrefix);
    const maxInFlight = this.options.maxInFlight ?? 1000;
    for (let i = 0; i < events.length; i += maxInFlight) {
      const chunk = events.slice(i, i + maxInFlight);
      await Promise.all(
        chunk.map((event) => {
          const h = natsHeaders();
          h.set('Nats-Msg-Id', event.metadata.eventId);
          // Metadata of old or hand-written rows may lack fields; a header is optional, publishing is not.
          if (typeof event.metadata.correlationId === 'string') h.set('x-correlation-id', event.metadata.correlationId);
          return this.options.js.publish(
            names.eventSubject(streamCategory(event.streamId), event.type),
            JSON.stringify(event),
            { msgID: event.metadata.eventId, headers: h },
          );
        }),
      );
    }
  }
}
