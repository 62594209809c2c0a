import { DomainError, type NatsNames, type ProjectionChangedMessage } from '@siteops/contracts';
import { Position, type EntityManager } from '@siteops/event-store';
import type { Logger } from '@siteops/runtime';
import type { Msg, NatsConnection, Subscription } from 'nats';
import {
  loadApiKeyWithUser,
  loadComposeDocument,
  loadSnapshot,
  parseGrantId,
  readFeed,
  type Change,
  type ChangedIds,
} from './read-model.loader';
import { ReadModelState, type ApiKeyEntry } from './read-model.state';

export interface ReadModelCacheOptions {
  em: EntityManager;
  nc: NatsConnection;
  names: NatsNames;
  logger: Logger;
  /** Poll period when nobody waits (the NATS wake-up usually comes first). Default 250 ms. */
  idleIntervalMs?: number;
  /** Poll period while a request waits for a position the projector has not announced (a lost wake-up). Default 20 ms. */
  waitingIntervalMs?: number;
  /** Feed rows read per statement. Default 1000. */
  batchSize?: number;
  /** How long a missing `rm_changes.seq` is looked for again. Default 30 s. */
  holeRetentionMs?: number;
}

interface Waiter {
  readonly position: Position;
  readonly resolve: (covered: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** More missing seqs than this in one jump is not a race but a restart of the sequence; not tracked. */
const MAX_TRACKED_HOLES = 1000;

/**
 * The gateway's in-memory read models and the loop that keeps them current
 * (ARCHITECTURE.md "Read path").
 *
 * 1. Start: load every table and the projector checkpoint in one snapshot.
 * 2. Follow `rm_changes` after the last seq seen, on a timer and at once when
 *    the projector's `projectionChanged` wake-up announces something this
 *    instance has not read; read the checkpoint in the same statement. A
 *    request waiting for a position does not read the feed itself unless
 *    the projector already announced that position: until then the read
 *    would find nothing (the projector has not committed it), and under
 *    load one read per write was most of the gateway's database work.
 * 3. The same statement brings exactly the rows the feed names (absent =
 *    deleted; `reset` = reload everything); they are applied in one
 *    synchronous step, so a request never sees half a batch.
 * 4. The checkpoint read with the batch becomes the applied cursor, which
 *    `X-Consistent-Read` and writes wait on.
 *
 * Seqs come from a sequence, so a transaction that commits after a higher
 * seq was read would leave a hole; holes are looked for again for a while
 * rather than trusting that seqs commit in order.
 *
 * The projector deletes old feed rows and records the highest seq deleted
 * (`rm_changes_horizon`). A seq this instance has not read — past its last
 * seen seq, or a hole it still looks for — at or below that horizon may have
 * named a change that is gone from the feed, so it reloads everything, as
 * for `reset`. The horizon is the highest seq actually deleted, so a gap in
 * the sequence (a rolled-back page) never moves it.
 */
export class ReadModelCache {
  readonly state = new ReadModelState();
  private seq = 0n;
  private cursor: Position = Position.start;
  private readonly holes = new Map<bigint, number>();
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (ms since the epoch). */
  private timerDue = 0;
  private polling: Promise<void> | undefined;
  /** The newest checkpoint the projector announced on `projectionChanged`. */
  private announced: Position = Position.start;
  /** What had been announced when the running poll started: that poll reads at least this far. */
  private pollingFor: Position = Position.start;
  private pollAgain = false;
  private stopped = true;
  private subscription: Subscription | undefined;
  private lastSuccessAt = 0;
  private lastErrorLoggedAt = 0;
  private readonly idleIntervalMs: number;
  private readonly waitingIntervalMs: number;
  private readonly batchSize: number;
  private readonly holeRetentionMs: number;

  constructor(private readonly options: ReadModelCacheOptions) {
    this.idleIntervalMs = options.idleIntervalMs ?? 250;
    this.waitingIntervalMs = options.waitingIntervalMs ?? 20;
    this.batchSize = options.batchSize ?? 1000;
    this.holeRetentionMs = options.holeRetentionMs ?? 30_000;
  }

  async start(): Promise<void> {
    await this.reloadAll();
    this.stopped = false;
    this.subscription = this.options.nc.subscribe(this.options.names.projectionChanged, {
      callback: (_error, message) => {
        this.announce(message);
      },
    });
    this.schedule();
    this.options.logger.info(
      { ...this.state.counts, position: this.cursor.toString() },
      'read models loaded',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.subscription && !this.subscription.isClosed()) this.subscription.unsubscribe();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters.clear();
    await this.polling;
  }

  /** How far the projection this instance serves has got. */
  get appliedCursor(): Position {
    return this.cursor;
  }

  covers(position: Position): boolean {
    return this.cursor.covers(position);
  }

  /** Resolves true once the applied cursor covers `position`, false after `timeoutMs`. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.cursor.covers(position)) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      if (!this.announced.covers(position)) {
        // The projector's announcement will wake the feed; the timer stands in for a lost one.
        this.scheduleWithin(this.waitingIntervalMs);
      } else if (!(this.polling && this.pollingFor.covers(position))) {
        this.wake();
      }
    });
  }

  /**
   * A `projectionChanged` wake-up: read the feed unless this instance has
   * read everything it announces (the cursor covers its checkpoint and the
   * seq is no newer: a rebuild's reset row comes with a new seq at an old
   * checkpoint).
   */
  private announce(message: Msg | undefined): void {
    const announced = parseAnnouncement(message);
    if (!announced) {
      this.wake();
      return;
    }
    if (announced.position.isAfter(this.announced)) this.announced = announced.position;
    if (this.cursor.covers(announced.position) && announced.seq <= this.seq) return;
    this.wake();
  }

  /** Polls now (coalesced with a poll already running). */
  wake(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.polling = this.runPolls().finally(() => {
      this.polling = undefined;
      this.schedule();
    });
  }

  /**
   * The key with that id: from memory, else from Postgres, so a key issued a
   * moment ago through another gateway works at once (the feed brings it here
   * within one poll anyway).
   */
  async findApiKey(keyId: string): Promise<ApiKeyEntry | undefined> {
    const cached = this.state.apiKey(keyId);
    if (cached) return cached;
    const loaded = await this.fromDatabase(() => loadApiKeyWithUser(this.options.em, keyId));
    if (!loaded) return undefined;
    if (!this.state.user(loaded.user.id)) this.state.putUser(loaded.user);
    this.state.putApiKey(loaded.key);
    return this.state.apiKey(keyId);
  }

  /** A site's compose document at one revision (documents stay in Postgres, not in memory). */
  composeDocument(siteId: string, revision: number): Promise<string | undefined> {
    return this.fromDatabase(() => loadComposeDocument(this.options.em, siteId, revision));
  }

  /** Readiness: the feed was read recently. */
  async healthCheck(): Promise<void> {
    const age = Date.now() - this.lastSuccessAt;
    if (this.stopped) throw new Error('read models are not being followed');
    if (age > 5_000) throw new Error(`read models last refreshed ${Math.round(age / 1000)} s ago`);
    return Promise.resolve();
  }

  /** Seconds since the feed was last read successfully (a metric). */
  get staleness(): number {
    return this.lastSuccessAt === 0
      ? Number.POSITIVE_INFINITY
      : (Date.now() - this.lastSuccessAt) / 1000;
  }

  /** A read that needs Postgres while it is down is a 503 (`unavailable`), not a 500; the cause is logged. */
  private async fromDatabase<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'read-model query failed');
      throw new DomainError('unavailable', 'The read-model database is not reachable');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduleWithin(this.waiters.size > 0 ? this.waitingIntervalMs : this.idleIntervalMs);
  }

  /** Makes sure a poll is due within `ms` (keeps a timer that is due sooner; none while polling). */
  private scheduleWithin(ms: number): void {
    if (this.stopped || this.polling) return;
    const due = Date.now() + ms;
    if (this.timer && this.timerDue <= due) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, ms);
  }

  private async runPolls(): Promise<void> {
    for (;;) {
      this.pollAgain = false;
      this.pollingFor = this.announced;
      let more = false;
      try {
        more = await this.pollOnce();
        this.lastSuccessAt = Date.now();
      } catch (error) {
        this.logPollError(error);
      }
      if (this.stopped || !(more || this.wokenMeanwhile())) return;
    }
  }

  /** Whether `wake()` was called while a poll ran (a method, as the flag changes across awaits). */
  private wokenMeanwhile(): boolean {
    return this.pollAgain;
  }

  private async reloadAll(): Promise<void> {
    const snapshot = await loadSnapshot(this.options.em);
    this.state.load(snapshot.rows);
    this.seq = snapshot.seq;
    this.holes.clear();
    this.lastSuccessAt = Date.now();
    this.advance(snapshot.position);
  }

  /** One batch of the feed; true when the batch was full and more may follow. */
  private async pollOnce(): Promise<boolean> {
    const { em } = this.options;
    const batch = await readFeed(em, this.seq, [...this.holes.keys()], this.batchSize);
    if (batch.changes.some((c) => c.kind === 'reset')) {
      await this.reloadAll();
      return false;
    }
    const unseen = this.firstUnseenSeq();
    if (unseen <= batch.prunedThrough) {
      this.options.logger.warn(
        {
          seq: this.seq.toString(),
          firstUnseen: unseen.toString(),
          prunedThrough: batch.prunedThrough.toString(),
        },
        'the read-model feed was pruned past changes this instance had not read yet; reloading everything',
      );
      await this.reloadAll();
      return false;
    }
    const ids = this.collect(batch.changes);
    // Everything below is synchronous: requests see the batch whole or not at all.
    this.state.reload(ids, batch.rows);
    this.trackSeqs(batch.changes);
    const full = batch.changes.length >= this.batchSize;
    // A full batch may stop short of what the checkpoint covers; it counts once the feed is drained.
    if (!full) this.advance(batch.position);
    return full;
  }

  private collect(changes: readonly Change[]): ChangedIds {
    const ids: ChangedIds = {
      users: [],
      apiKeys: [],
      organizations: [],
      projects: [],
      sites: [],
      grants: [],
    };
    for (const change of changes) {
      switch (change.kind) {
        case 'user':
          ids.users.push(change.id);
          break;
        case 'apiKey':
          ids.apiKeys.push(change.id);
          break;
        case 'organization':
          ids.organizations.push(change.id);
          break;
        case 'project':
          ids.projects.push(change.id);
          break;
        case 'site':
          ids.sites.push(change.id);
          break;
        case 'grant': {
          const grant = parseGrantId(change.id);
          if (grant) ids.grants.push(grant);
          else
            this.options.logger.warn(
              { seq: change.seq.toString(), id: change.id },
              'malformed grant id in rm_changes',
            );
          break;
        }
        default:
          this.options.logger.warn(
            { seq: change.seq.toString(), kind: change.kind },
            'unknown change kind in rm_changes',
          );
      }
    }
    return ids;
  }

  /** The lowest seq this instance has not read: a hole still looked for, or the one after the last seen. */
  private firstUnseenSeq(): bigint {
    let first = this.seq + 1n;
    for (const hole of this.holes.keys()) if (hole < first) first = hole;
    return first;
  }

  private trackSeqs(changes: readonly Change[]): void {
    const now = Date.now();
    for (const change of changes) {
      if (this.holes.delete(change.seq)) continue;
      if (change.seq <= this.seq) continue;
      const missing = change.seq - this.seq - 1n;
      if (missing > 0n && missing <= BigInt(MAX_TRACKED_HOLES)) {
        for (let s = this.seq + 1n; s < change.seq; s++) this.holes.set(s, now);
      }
      this.seq = change.seq;
    }
    for (const [seq, since] of this.holes)
      if (now - since > this.holeRetentionMs) this.holes.delete(seq);
  }

  private advance(position: Position): void {
    if (position.isAfter(this.cursor)) this.cursor = position;
    for (const waiter of this.waiters) {
      if (this.cursor.covers(waiter.position)) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }

  private logPollError(error: unknown): void {
    const now = Date.now();
    // A database outage would otherwise log four lines a second.
    if (now - this.lastErrorLoggedAt < 5_000) return;
    this.lastErrorLoggedAt = now;
    this.options.logger.error(
      { err: error },
      'reading the read-model feed failed; serving the last loaded state',
    );
  }
}

/** The seq and checkpoint a `projectionChanged` message announces; undefined when it is not one. */
function parseAnnouncement(message: Msg | undefined): { seq: bigint; position: Position } | undefined {
  try {
    const body = message?.json<Partial<ProjectionChangedMessage>>();
    const position = typeof body?.position === 'string' ? Position.parse(body.position) : undefined;
    if (!position || typeof body?.seq !== 'string' || !/^\d+$/.test(body.seq)) return undefined;
    return { seq: BigInt(body.seq), position };
  } catch {
    return undefined;
  }
}
