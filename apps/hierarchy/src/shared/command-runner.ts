import { DomainError } from '@siteops/contracts';
import { CommandRunner, type EntityManager, type EventStore } from '@siteops/event-store';
import { NAME_UNIQUENESS } from '../hierarchy.migrations';

const UNIQUE_VIOLATION = '23505';
const DEADLOCK = '40P01';
const NAME_INDEXES = new Set<string>(Object.values(NAME_UNIQUENESS));

/**
 * The shared command runner, told what the `hierarchy_nodes` rows a command
 * locks and updates can fail with: a unique name index that caught two
 * commands claiming one name (`already_exists`), and a deadlock between row
 * locks, which is a lost race like any other and re-run.
 */
export function hierarchyCommandRunner(em: EntityManager, store: EventStore): CommandRunner {
  return new CommandRunner(em, store, {
    readFailure(error) {
      if (isUniqueNameViolation(error)) {
        // Two commands claimed one name at once and the other committed
        // first; the checks before the write could not see it yet.
        return new DomainError('already_exists', 'That name was taken by a concurrent request', [{ field: 'name', message: 'is already taken' }]);
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
