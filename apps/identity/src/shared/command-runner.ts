import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '@siteops/contracts';
import { ConcurrencyError, type EntityManager, type EventStore } from '@siteops/event-store';

/** How often a command is re-run after losing an append race before the caller hears `concurrency_conflict`. */
const ATTEMPTS = 5;

/**
 * Runs the write side of one command: a fresh transaction that reads the
 * streams it needs, decides, updates its write-side tables and appends.
 * Losing an optimistic-concurrency race means another command changed the
 * stream between our read and our append; the work is simply re-run on the
 * new state (a few times, with a short jittered pause so racing replicas
 * spread out), then reported as `concurrency_conflict`.
 */
export class CommandRunner {
  constructor(
    private readonly em: EntityManager,
    readonly store: EventStore,
  ) {}

  async run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.em.fork().transactional(work);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        if (attempt >= ATTEMPTS) {
          throw new DomainError('concurrency_conflict', `${error.streamId} kept changing while the command ran; try again`);
        }
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }
}
