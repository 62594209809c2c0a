import { READ_MODELS_CHECKPOINT, type ProjectionChangedMessage, type RecordedEvent } from '@siteops/contracts';
import { StoreSubscription, type EntityManager, type EventStore, type Position } from '@siteops/event-store';
import type { Logger } from '@siteops/runtime';
import { DEFAULT_CHANGE_RETENTION, pruneChanges, type ChangeRetention, type PruneResult } from './change-retention';
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
  /** Called after a commit that pruned `rm_changes` (metrics). */
  onPruned?: (result: PruneResult) => void;
  /** How much of `rm_changes` to keep; DEFAULT_CHANGE_RETENTION when absent. */
  retention?: ChangeRetention;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Runs after the page's rows are written, before its commit; crash tests kill the process here. */
  beforeCheckpoint?: (events: RecordedEvent[]) => Promise<void>;
}

/** What the page being committed will announce; set inside the transaction, used after it. */
interface PendingPage {
  seq: string;
  outcome: PageOutcome;
  /** Whether the page ran the retention, and what it deleted (undefined: nothing was due). */
  pruneRan: boolean;
  pruned: PruneResult | undefined;
}

/**
 * The live read-model projection: a transactional store subscription, so a
 * page's rows, its `rm_changes` feed and the checkpoint commit together
 * (exactly once, ARCHITECTURE.md rule 5). One replica leads; the others stand by.
 *
 * The leader also prunes `rm_changes` (see `change-retention.ts`) inside a
 * page's transaction: only the leader handles pages, the page already holds
 * the writer lock, and the prune commits or rolls back with the page.
 */
export class ReadModelProjector {
  private readonly subscription: StoreSubscription;
  private readonly retention: ChangeRetention;
  private pending: PendingPage | undefined;
  /** When this instance last committed a prune (0: not yet, so the first page prunes). */
  private lastPrunedAt = 0;
  /** The last prune stopped at its row cap: the next page prunes again. */
  private pruneBacklog = false;

  constructor(private readonly options: ReadModelProjectorOptions) {
    const { logger } = options;
    this.retention = options.retention ?? DEFAULT_CHANGE_RETENTION;
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

  /** Runs inside the page's transaction: lock, rows, change feed, and the feed's retention when due. */
  private async handle(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    // Anything left from a page whose commit failed must not be announced.
    this.pending = undefined;
    await lockReadModels(tx);
    const changes = new ChangeSet();
    const outcome = await projectEvents(tx, events, changes);
    const seq = await writeChanges(tx, changes);
    const pruneRan = this.pruneDue();
    const pruned = pruneRan ? await pruneChanges(tx, this.retention) : undefined;
    this.pending = { seq, outcome, pruneRan, pruned };
  }

  private pruneDue(): boolean {
    return this.pruneBacklog || Date.now() - this.lastPrunedAt >= this.retention.everyMs;
  }

  /** After the commit: tell gateways, count the events and the pruned rows. */
  private committed(cursor: Position): void {
    const page = this.pending;
    this.pending = undefined;
    if (!page) return;
    this.options.onCommitted?.(page.outcome);
    this.options.publish({ seq: page.seq, position: cursor.toString() });
    if (page.pruneRan) {
      // Only a committed attempt counts; one rolled back with its page is retried on the next.
      this.lastPrunedAt = Date.now();
      this.pruneBacklog = page.pruned?.more ?? false;
      if (page.pruned) {
        this.options.onPruned?.(page.pruned);
        this.options.logger.debug({ ...page.pruned }, 'rm_changes pruned');
      }
    }
  }
}
