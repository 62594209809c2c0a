import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import type { RecordedEvent } from '@siteops/contracts';
import { transaction, type EntityManager } from './database';
import type { EventStore } from './event-store';
import { CheckpointStore } from './checkpoint-store';
import { localCommitToken, onLocalCommit } from './commit-signal';
import { EVENTS_CHANNEL } from './event-store.migrations';
import { Position } from './position';

export interface SubscriptionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface StoreSubscriptionOptions {
  /** Names the checkpoint and the leader lock. */
  name: string;
  databaseUrl: string;
  em: EntityManager;
  store: EventStore;
  /**
   * `transactional`: the handler's writes and the checkpoint commit together
   * (projections, rule 5). `after-handle`: the checkpoint is saved after the
   * handler returns (the relay, rule 4: at-least-once, deduplicated downstream).
   */
  mode: 'transactional' | 'after-handle';
  handle: (events: RecordedEvent[], tx: EntityManager) => Promise<void>;
  batchSize?: number;
  /**
   * How long to wait for a notification before reading anyway (a wake-up
   * can be lost). Default 250 ms.
   */
  pollIntervalMs?: number;
  /**
   * How long to wait after a wake-up before reading, so that one read takes
   * what several commits wrote. Default 0 (read at once).
   */
  batchDelayMs?: number;
  /** Called after the handler, before the checkpoint is saved (tests use it to simulate a crash there). */
  beforeCheckpoint?: (events: RecordedEvent[]) => Promise<void>;
  /** Called after each checkpoint save with the new cursor. */
  onProgress?: (cursor: Position) => void;
  logger?: SubscriptionLogger;
}

const silent: SubscriptionLogger = { info: () => undefined, error: () => undefined };

/**
 * Catch-up then live reading of the whole store from a saved checkpoint.
 *
 * Only one instance per name works at a time: it holds a session-level
 * advisory lock on its LISTEN connection; replicas wait as standbys and take
 * over when that connection goes away.
 */
export class StoreSubscription {
  private readonly checkpoints = new CheckpointStore();
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly batchDelayMs: number;
  private readonly logger: SubscriptionLogger;
  private listener: Client | undefined;
  private stopLocal: (() => void) | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  /** Set by a notification that arrives while the loop is busy, so it is not lost. */
  private notified = false;
  private loop: Promise<void> | undefined;
  private cursorValue: Position | undefined;

  constructor(private readonly options: StoreSubscriptionOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchDelayMs = options.batchDelayMs ?? 0;
    this.logger = options.logger ?? silent;
  }

  /** The last checkpoint this instance saved or loaded. */
  get cursor(): Position | undefined {
    return this.cursorValue;
  }

  get isLeader(): boolean {
    return this.running && this.listener !== undefined;
  }

  /** Starts in the background; resolves once this instance is the leader or a standby. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.closeListener();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.acquireLeadership())) {
          await this.sleep(1000);
          continue;
        }
        await this.follow();
      } catch (error) {
        this.logger.error('event subscription failed; retrying', { subscription: this.options.name, error: String(error) });
        await this.closeListener();
        await this.sleep(1000);
      }
    }
  }

  /** 1. Open the LISTEN connection and try to take the lock on it. */
  private async acquireLeadership(): Promise<boolean> {
    // Local wake-ups are for the leader; one that lost its connection is not one any more.
    this.stopLocal?.();
    this.stopLocal = undefined;
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: `siteops:${this.options.name}` });
    client.on('error', () => {
      // A dropped connection loses the lock: stop working until re-acquired.
      this.listener = undefined;
      this.wake?.();
    });
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtextextended('siteops-subscription:' || $1, 0)) AS locked",
      [this.options.name],
    );
    if (!rows[0]?.locked) {
      await client.end();
      return false;
    }
    const woken = () => {
      this.notified = true;
      this.wake?.();
    };
    // Appends made in this process wake it directly; their notifications are then old news.
    const ownToken = localCommitToken(this.options.databaseUrl);
    client.on('notification', (message) => {
      if (message.payload !== ownToken) woken();
    });
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.listener = client;
    this.stopLocal = onLocalCommit(this.options.databaseUrl, woken);
    this.logger.info('event subscription leading', { subscription: this.options.name });
    return true;
  }

  /**
   * 2. Read pages from the checkpoint. A full page may have more behind it:
   *    read on at once. After a short one, wait for a notification (or the
   *    poll interval) — unless events have committed past the cursor
   *    meanwhile, or were there all along but held back by an older
   *    transaction that is still running (rule 3): then read again after 2,
   *    4, 8… ms (up to the poll interval) instead of waiting for a
   *    notification that the older transaction may never send (it may
   *    append nothing, or roll back).
   */
  private async follow(): Promise<void> {
    const { em, store, name } = this.options;
    let cursor = await this.checkpoints.load(em.fork(), name);
    this.cursorValue = cursor;
    let heldReads = 0;
    while (this.running && this.listener) {
      const page = await store.readAll(em.fork(), cursor ?? Position.start, this.batchSize);
      if (page.events.length > 0) {
        heldReads = 0;
        cursor = await this.handlePage(page.events, cursor, page.cursor);
        this.cursorValue = cursor;
        this.options.onProgress?.(cursor);
        if (page.events.length >= this.batchSize) continue;
      }
      if (!this.woken()) {
        const held = (await store.lastCommittedPosition(em.fork())).isAfter(cursor ?? Position.start);
        heldReads = held ? Math.min(heldReads + 1, 16) : 0;
        await this.sleep(held ? Math.min(this.pollIntervalMs, 2 ** heldReads) : this.pollIntervalMs);
        if (held) continue;
      }
      if (this.batchDelayMs > 0) await delay(this.batchDelayMs);
    }
  }

  /** Whether a wake-up came while the last page was read and handled (consumed: the next read answers it). */
  private woken(): boolean {
    const woken = this.notified;
    this.notified = false;
    return woken;
  }

  /** 3. Handle a page and move the checkpoint, together or one after the other. */
  private async handlePage(events: RecordedEvent[], from: Position | undefined, to: Position): Promise<Position> {
    const { em, name, mode, handle } = this.options;
    const save = async (tx: EntityManager) => {
      await this.options.beforeCheckpoint?.(events);
      if (!(await this.checkpoints.compareAndSet(tx, name, from, to))) {
        throw new Error(`checkpoint ${name} moved under this subscription`);
      }
    };
    if (mode === 'transactional') {
      await transaction(em, async (tx) => {
        await handle(events, tx);
        await save(tx);
      });
    } else {
      await handle(events, em.fork());
      await save(em.fork());
    }
    return to;
  }

  /** Waits `ms`, or less when woken; at once when a wake-up came since the last read. */
  private sleep(ms: number): Promise<void> {
    if (this.woken()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        // A wake-up from here on is news for the next sleep, not for this one.
        this.wake = undefined;
        this.notified = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async closeListener(): Promise<void> {
    this.stopLocal?.();
    this.stopLocal = undefined;
    const client = this.listener;
    this.listener = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
