import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '@siteops/contracts';
import { ConcurrencyError, type EntityManager, type EventStore } from '@siteops/event-store';
import { NAME_UNIQUENESS } from '../hierarchy.migrations';

/** How often a command is re-run after losing a race before the caller hears `concurrency_conflict`. */
const ATTEMPTS = 5;

const UNIQUE_VIOLATION = '23505';
const DEADLOCK = '40P01';
const NAME_INDEXES = new Set<string>(Object.values(NAME_UNIQUENESS));

export interface RunOptions {
  /** The stream the command targets… */
  stream?: string;
  /** …and the version the caller expects it at (REST `If-Match`). */
  expectedVersion?: number | undefined;
}

/**
 * Runs the write side of one command: a fresh transaction that locks the
 * `hierarchy_nodes` rows it needs, reads the streams, decides, updates the
 * rows and appends.
 *
 * Losing an append race means another command changed a stream between our
 * read and our append. When the caller named the version it expected, that
 * is its `precondition_failed` (412); otherwise the work is re-run on the new
 * state a few times (with a short jittered pause, so racing replicas spread
 * out) and then reported as `concurrency_conflict` (409).
 */
export class CommandRunner {
  constructor(
    private readonly em: EntityManager,
    readonly store: EventStore,
  ) {}

  async run<T>(work: (tx: EntityManager) => Promise<T>, options: RunOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.em.fork().transactional(work);
      } catch (error) {
        if (error instanceof ConcurrencyError && options.expectedVersion !== undefined && error.streamId === options.stream) {
          throw new DomainError('precondition_failed', `${error.streamId} changed since version ${options.expectedVersion}`);
        }
        if (isUniqueNameViolation(error)) {
          // Two commands claimed one name at once and the other committed
          // first; the checks before the write could not see it yet.
          throw new DomainError('already_exists', 'That name was taken by a concurrent request', [{ field: 'name', message: 'is already taken' }]);
        }
        if (!(error instanceof ConcurrencyError || pgError(error).code === DEADLOCK)) throw error;
        if (attempt >= ATTEMPTS) throw new DomainError('concurrency_conflict', 'The resource kept changing while the command ran; try again');
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }
}

interface PgError {
  code?: string;
  constraint?: string;
}

function pgError(error: unknown): PgError {
  return typeof error === 'object' && error !== null ? error : {};
}

function isUniqueNameViolation(error: unknown): boolean {
  const { code, constraint } = pgError(error);
  return code === UNIQUE_VIOLATION && constraint !== undefined && NAME_INDEXES.has(constraint);
}
