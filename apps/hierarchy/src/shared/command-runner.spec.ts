import { DomainError } from '@siteops/contracts';
import { ConcurrencyError, EventStore, type EntityManager } from '@siteops/event-store';
import { NAME_UNIQUENESS } from '../hierarchy.migrations';
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

const conflict = (stream: string) => new ConcurrencyError(stream, 3, 4);
const codeOf = async (promise: Promise<unknown>) => ((await promise.catch((e: unknown) => e)) as DomainError).code;

describe('CommandRunner', () => {
  it('re-runs the work after a lost append race and returns its result', async () => {
    const { em, attempts } = failingTransactions([conflict('site-1'), conflict('site-1')]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('done'))).resolves.toBe('done');
    expect(attempts()).toBe(3);
  });

  it('gives up with concurrency_conflict after five lost races', async () => {
    const { em, attempts } = failingTransactions(Array.from({ length: 10 }, () => conflict('site-1')));

    expect(await codeOf(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('never')))).toBe('concurrency_conflict');
    expect(attempts()).toBe(5);
  });

  it('answers precondition_failed at once when the caller named a version of the stream that moved', async () => {
    const { em, attempts } = failingTransactions([conflict('project-1')]);

    const code = await codeOf(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('x'), { stream: 'project-1', expectedVersion: 3 }));

    expect(code).toBe('precondition_failed');
    expect(attempts()).toBe(1);
  });

  it('retries a race on another stream even when the caller named a version', async () => {
    const { em, attempts } = failingTransactions([conflict('site-9')]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('ok'), { stream: 'project-1', expectedVersion: 3 })).resolves.toBe('ok');
    expect(attempts()).toBe(2);
  });

  it('turns a unique violation of a name index into already_exists, and leaves other errors alone', async () => {
    const nameClash = Object.assign(new Error('duplicate key'), { code: '23505', constraint: NAME_UNIQUENESS.child });
    const otherClash = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'events_stream_version_unique' });

    expect(await codeOf(new CommandRunner(failingTransactions([nameClash]).em, new EventStore()).run(() => Promise.resolve(1)))).toBe('already_exists');
    await expect(new CommandRunner(failingTransactions([otherClash]).em, new EventStore()).run(() => Promise.resolve(1))).rejects.toBe(otherClash);
    const domain = new DomainError('has_children', 'no');
    await expect(new CommandRunner(failingTransactions([domain]).em, new EventStore()).run(() => Promise.resolve(1))).rejects.toBe(domain);
  });
});
