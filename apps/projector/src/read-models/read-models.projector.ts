import { READ_MODELS_CHECKPOINT, type ProjectionChangedMessage, type RecordedEvent } from '@siteops/contracts';
import { StoreSubscription, type EntityManager, type EventStore, type Position } from '@siteops/event-store';
import type { Logger } from '@siteops/runtime';
import { ChangeSet, writeChanges } from './change-set';
import { lockReadModels, projectEvents, type PageOutcome } from './read-models.projection';

export interface ReadModelProjectorOptions {
  databaseUrl: string;
  em: EntityManager;
  store: EventStore;
  logger: Logger;
  /** Sends the post-commit wake-up to gateways (core NATS in the app); must not throw. */
  publish: (message: ProjectionChangedMessage) => void;
  /** Called after each commit with what the page did (metrics). */
  onCommitted?: (outcome: PageOutcome) => void;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Runs after the page's rows are written, before its commit; crash tests kill the process here. */
  beforeCheckpoint?: (events: RecordedEvent[]) => Promise<void>;
}

/** What the page being committed will announce; set inside the transaction, used after it. */
interface PendingPage {
  seq: string;
  outcome: PageOutcome;
}

/**
 * The live read-model projection: a transactional store subscription, so a
 * page's rows, its `rm_changes` feed and the checkpoint commit together
 * (exactly once, ARCHITECTURE.md rule 5). One replica leads; the others stand by.
 */
export class ReadModelProjector {
  private readonly subscription: StoreSubscription;
  private pending: PendingPage | undefined;

  constructor(private readonly options: ReadModelProjectorOptions) {
    const { logger } = options;
    this.subscription = new StoreSubscription({
      name: READ_MODELS_CHECKPOINT,
      databaseUrl: options.databaseUrl,
      em: options.em,
      store: options.store,
      mode: 'transactional',
      batchSize: options.batchSize ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      handle: (events, tx) => this.handle(events, tx),
      onProgress: (cursor) => {
        this.committed(cursor);
      },
      logger: {
        info: (message, fields) => {
          logger.info(fields ?? {}, message);
        },
        error: (message, fields) => {
          logger.error(fields ?? {}, message);
        },
      },
      ...(options.beforeCheckpoint ? { beforeCheckpoint: options.beforeCheckpoint } : {}),
    });
  }

  get isLeader(): boolean {
    return this.subscription.isLeader;
  }

  /** The checkpoint this instance last committed or loaded (undefined on a standby). */
  get cursor(): Position | undefined {
    return this.subscription.cursor;
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  /** Returns once no page is in flight; the leader lock is released. */
  stop(): Promise<void> {
    return this.subscription.stop();
  }

  /** Runs inside the page's transaction: lock, rows, change feed. */
  private async handle(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    // Anything left from a page whose commit failed must not be announced.
    this.pending = undefined;
    await lockReadModels(tx);
    const changes = new ChangeSet();
    const outcome = await projectEvents(tx, events, changes);
    const seq = await writeChanges(tx, changes);
    this.pending = { seq, outcome };
  }

  /** After the commit: tell gateways, count the events. */
  private committed(cursor: Position): void {
    const page = this.pending;
    this.pending = undefined;
    if (!page) return;
    this.options.onCommitted?.(page.outcome);
    this.options.publish({ seq: page.seq, position: cursor.toString() });
  }
}
