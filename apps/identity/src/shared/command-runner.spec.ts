import type { DomainError } from '@siteops/contracts';
import { ConcurrencyError, EventStore, type EntityManager } from '@siteops/event-store';
import { CommandRunner } from './command-runner';

/** An entity manager whose transactions fail with the given errors, then succeed; counts the attempts. */
function failingTransactions(errors: Error[]): { em: EntityManager; attempts: () => number } {
  let attempts = 0;
  const em = {
    fork: () => ({
      transactional: async <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => {
        const error = errors[attempts++];
        if (error !== undefined) throw error;
        return work(em);
      },
    }),
  } as unknown as EntityManager;
  return { em, attempts: () => attempts };
}

const conflict = () => new ConcurrencyError('members-organization:o', 3, 4);

describe('CommandRunner', () => {
  it('re-runs the work after a lost append race and returns its result', async () => {
    const { em, attempts } = failingTransactions([conflict(), conflict()]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('done'))).resolves.toBe('done');
    expect(attempts()).toBe(3);
  });

  it('gives up with concurrency_conflict after five lost races', async () => {
    const { em, attempts } = failingTransactions(Array.from({ length: 10 }, conflict));

    const error = (await new CommandRunner(em, new EventStore()).run(() => Promise.resolve('never')).catch((e: unknown) => e)) as DomainError;

    expect(error.code).toBe('concurrency_conflict');
    expect(attempts()).toBe(5);
  });

  it('does not retry other failures', async () => {
    const failure = new Error('connection lost');
    const { em, attempts } = failingTransactions([failure]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('x'))).rejects.toBe(failure);
    expect(attempts()).toBe(1);
  });
});
