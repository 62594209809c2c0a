import { DomainError, type Decider } from '@siteops/contracts';
import { CommandRunner, ConcurrencyError, type EntityManager, type EventStore } from '@siteops/event-store';
import { NAME_UNIQUENESS } from '../hierarchy.migrations';

const UNIQUE_VIOLATION = '23505';
const DEADLOCK = '40P01';
const NAME_INDEXES = new Set<string>(Object.values(NAME_UNIQUENESS));

/**
 * The shared command runner, told what the `hierarchy_nodes` rows a command
 * locks and updates can fail with: a unique name index that caught two
 * commands claiming one name (`already_exists`), and a deadlock between row
 * locks, which is a lost race like any other and re-run. A create whose
 * stream exists after all (see `decideCreate`) is `already_exists` too:
 * re-running it could never succeed.
 */
export function hierarchyCommandRunner(em: EntityManager, store: EventStore): CommandRunner {
  return new CommandRunner(em, store, {
    readFailure(error) {
      if (isUniqueNameViolation(error)) {
        // Two commands claimed one name at once and the other committed
        // first; the checks before the write could not see it yet.
        return new DomainError('already_exists', 'That name was taken by a concurrent request', [{ field: 'name', message: 'is already taken' }]);
      }
      if (error instanceof ConcurrencyError && error.expected === 'no_stream' && !error.olderTransaction) {
        return new DomainError('already_exists', `${error.streamId} already exists`);
      }
      return pgError(error).code === DEADLOCK ? 'retry' : undefined;
    },
    conflictDetail: 'The resource kept changing while the command ran; try again',
  });
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

/**
 * What a create decides: on the empty stream, without reading it. Its append
 * expects `no_stream`, so a stream that exists after all (the id of a deleted
 * resource, sent again) fails there and is answered `already_exists`; reading
 * the stream first cost every create a round trip to find, in practice,
 * nothing (the gateway picks a fresh UUID for each).
 */
export function decideCreate<TCommand, TEvent, TState>(decider: Decider<TCommand, TEvent, TState>, command: TCommand): TEvent[] {
  return decider.decide(command, decider.initialState());
}
