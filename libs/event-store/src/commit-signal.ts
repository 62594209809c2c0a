import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import { EVENTS_CHANNEL } from './event-store.migrations';

const PROCESS_ID = randomUUID();

/** Least time between two notifications of one store about one database. */
const NOTIFY_SPACING_MS = 5;

/**
 * The payload of the notifications this process sends about `databaseUrl`:
 * its own readers of that database were woken directly and skip them (see
 * `onLocalCommit`). A hash, as payloads are visible to every listener.
 */
export function localCommitToken(databaseUrl: string): string {
  return createHash('sha256')
    .update(`${PROCESS_ID} ${databaseUrl}`)
    .digest('base64url')
    .slice(0, 22);
}

/** Readers in this process, by database URL. */
const localReaders = new Map<string, Set<() => void>>();

/**
 * Calls `wake` whenever a store in this process has committed events to the
 * database at `databaseUrl`; returns the unsubscribe. When every app runs in
 * one process (`npm start`), the projector hears of a write without the
 * round trip through PostgreSQL that a notification takes, which a write's
 * answer waits on.
 */
export function onLocalCommit(databaseUrl: string, wake: () => void): () => void {
  let readers = localReaders.get(databaseUrl);
  if (!readers) {
    readers = new Set();
    localReaders.set(databaseUrl, readers);
  }
  readers.add(wake);
  return () => {
    readers.delete(wake);
    if (readers.size === 0) localReaders.delete(databaseUrl);
  };
}

/**
 * Wakes the store's readers (StoreSubscription LISTENs on EVENTS_CHANNEL)
 * once appended events have committed: readers in this process at once,
 * the others with a NOTIFY of its own.
 *
 * Why not NOTIFY inside the appending transaction (a trigger did that):
 * PostgreSQL serialises every committing transaction that notified on one
 * cluster-wide lock, held through the commit's WAL flush, so appends could
 * no longer share a flush and committed one after the other. Measured here,
 * 8 single-event writers: 1,650 appends/s with the trigger, 2,470/s without;
 * a bare `SELECT pg_notify` outside any write costs about as much as two
 * `SELECT 1`.
 *
 * One NOTIFY is in flight at a time per database, and the next follows it
 * no sooner than NOTIFY_SPACING_MS after: appends that commit meanwhile
 * share it, so under load there are far fewer notifications than appends,
 * and a reader elsewhere hears of a commit at most that much later (an
 * occasional commit is announced at once). A signal that is lost (the database went
 * away, the process died after the commit) costs readers one poll interval:
 * they poll as a fallback and never rely on being woken.
 */
export class CommitSignal {
  private sending = false;
  private again = false;
  private lastSentAt = 0;
  private readonly token: string;
  /** Root transactions already watched, so a transaction that appends many times signals once. */
  private readonly watched = new WeakSet<Knex.Transaction>();

  constructor(
    private readonly knex: Knex,
    /** Where the events went (the readers' `databaseUrl`); undefined: no reader here can tell. */
    private readonly databaseUrl: string | undefined,
  ) {
    this.token = databaseUrl === undefined ? '' : localCommitToken(databaseUrl);
  }

  /** Events were committed just now. */
  raise(): void {
    if (this.databaseUrl !== undefined)
      for (const wake of localReaders.get(this.databaseUrl) ?? []) wake();
    this.notify();
  }

  /**
   * Events were appended inside `tx`: raise once its outermost transaction
   * has committed. knex resolves `executionPromise` after COMMIT, but also
   * after a rollback that MikroORM asked for (it rolls back without handing
   * knex the error), so a rolled-back append costs the readers one empty
   * read; that is rare (a lost race) and cheaper than telling the two apart.
   */
  afterCommitOf(tx: Knex.Transaction): void {
    let root = tx;
    while (root.parentTransaction) root = root.parentTransaction;
    if (this.watched.has(root)) return;
    this.watched.add(root);
    root.executionPromise.then(
      () => {
        this.raise();
      },
      () => undefined, // rolled back: nothing to read
    );
  }

  private notify(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    const wait = this.lastSentAt + NOTIFY_SPACING_MS - Date.now();
    if (wait > 0)
      setTimeout(() => {
        this.send();
      }, wait).unref();
    else this.send();
  }

  private send(): void {
    // Commits from here on need another notification; those before are covered by this one.
    this.again = false;
    this.lastSentAt = Date.now();
    void this.knex
      .raw('SELECT pg_notify(?, ?)', [EVENTS_CHANNEL, this.token])
      // Readers fall back on polling; a failed wake-up is not an error of the append.
      .catch(() => undefined)
      .finally(() => {
        this.sending = false;
        if (this.again) this.notify();
      });
  }
}
