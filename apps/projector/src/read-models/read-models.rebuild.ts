import { READ_MODELS_CHECKPOINT, type ProjectionChangedMessage, type RecordedEvent } from '@siteops/contracts';
import { CheckpointStore, Position, query, transaction, type EntityManager, type EventStore } from '@siteops/event-store';
import { hashReadModels, READ_MODEL_TABLES } from '@siteops/read-models';
import { lockReadModels, projectEvents } from './read-models.projection';
import type { ReadModelProjector } from './read-models.projector';

export interface ReadModelsSnapshot {
  hash: string;
  rows: Record<string, number>;
}

export interface RebuildOptions {
  em: EntityManager;
  store: EventStore;
  /** This process's live projection: stopped for the rebuild, started again after it. */
  projector?: ReadModelProjector;
  /** Sends the wake-up after the commit, as live pages do. */
  publish?: (message: ProjectionChangedMessage) => void;
  batchSize?: number;
  /**
   * Hash the tables as found, rebuilt up to their old checkpoint, and at the
   * end. Each hash dumps every table, so only the command asks for it.
   */
  hash?: boolean;
}

export interface RebuildResult {
  /** Events replayed from position 0. */
  events: number;
  /** The checkpoint after the rebuild. */
  position: string;
  /** `rm_changes.seq` of the `reset` row. */
  seq: string;
  durationMs: number;
  /** The live checkpoint the rebuild found (null: the projection had never run). */
  previousPosition: string | null;
  /** The tables as the live projection left them. */
  before?: ReadModelsSnapshot;
  /**
   * The rebuilt tables at the moment the replay passed `previousPosition`:
   * equal to `before` when live projection and replay agree, whatever was
   * appended meanwhile.
   */
  atPreviousPosition?: ReadModelsSnapshot;
  /** The rebuilt tables at `position`. */
  after?: ReadModelsSnapshot;
}

const checkpoints = new CheckpointStore();

/**
 * Rebuilds every read model from position 0 (ARCHITECTURE.md rule 5).
 * Readers keep seeing the old rows until the single commit, because the
 * tables are emptied with DELETE inside the transaction rather than TRUNCATE
 * (which would lock gateways out for the whole replay).
 *
 * Note that the replay transaction holds back the store's read horizon while
 * it runs (rule 3), so other subscribers pause for its duration.
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 1000;
  // 1. Stop following live here; a leader in another process is held off by the writer lock.
  await options.projector?.stop();
  try {
    const result = await transaction(options.em, async (tx) => {
      await lockReadModels(tx);
      const previous = await checkpoints.load(tx, READ_MODELS_CHECKPOINT);
      const snapshot = () => (options.hash ? hashReadModels(tx) : Promise.resolve(undefined));
      const before = await snapshot();

      // 2. Empty the read models (not the change feed) and forget the checkpoint.
      for (const table of Object.keys(READ_MODEL_TABLES)) await query(tx, `DELETE FROM ${table}`);
      await checkpoints.reset(tx, READ_MODELS_CHECKPOINT);

      // 3. Replay the whole store page by page through the live handlers, noting
      //    the tables as they are when the replay passes the old checkpoint.
      let atPrevious = previous ? undefined : await snapshot();
      let cursor = Position.start;
      let events = 0;
      for (;;) {
        const page = await options.store.readAll(tx, cursor, batchSize);
        if (page.events.length === 0) break;
        const split = options.hash && previous && !atPrevious ? firstAfter(page.events, previous) : -1;
        if (split === -1) {
          await projectEvents(tx, page.events, undefined);
        } else {
          await projectEvents(tx, page.events.slice(0, split), undefined);
          atPrevious = await snapshot();
          await projectEvents(tx, page.events.slice(split), undefined);
        }
        cursor = page.cursor;
        events += page.events.length;
      }
      atPrevious ??= await snapshot();

      // 4. Save the checkpoint and tell gateways to reload everything.
      if (!(await checkpoints.compareAndSet(tx, READ_MODELS_CHECKPOINT, undefined, cursor))) {
        throw new Error('the read-model checkpoint was written during the rebuild');
      }
      const { rows } = await query<{ seq: string }>(
        tx,
        "INSERT INTO rm_changes (kind, id) VALUES ('reset', '*') RETURNING seq::text AS seq",
      );
      const seq = rows[0]?.seq;
      if (seq === undefined) throw new Error('the reset change was not recorded');
      const after = await snapshot();
      return {
        events,
        position: cursor.toString(),
        seq,
        previousPosition: previous?.toString() ?? null,
        ...(before ? { before } : {}),
        ...(atPrevious ? { atPreviousPosition: atPrevious } : {}),
        ...(after ? { after } : {}),
      };
    });
    // 5. Committed: wake gateways up.
    options.publish?.({ seq: result.seq, position: result.position });
    return { ...result, durationMs: Date.now() - started };
  } finally {
    // 6. Follow live again from the new checkpoint, also after a failed rebuild.
    await options.projector?.start();
  }
}

/** Index of the first event past `position` (events are in read order), or -1. */
function firstAfter(events: readonly RecordedEvent[], position: Position): number {
  return events.findIndex((event) => {
    const at = Position.parse(event.position);
    if (!at) throw new Error(`event ${event.metadata.eventId} has no valid position`);
    return at.isAfter(position);
  });
}
