import { DomainError } from '@siteops/contracts';
import type { EntityManager } from './database';
import { ConcurrencyError, EventStore, type AppendResult } from './event-store';
import { CommandRunner, written } from './write-side';

/** An entity manager whose transactions fail with the given errors, then succeed; counts the attempts. */
function failingTransactions(errors: Error[]): { em: EntityManager; attempts: () => number } {
  let attempts = 0;
  const em = {
    getTransactionContext: () => undefined,
    getConnection: () => ({
      begin: () => {
        const error = errors[attempts++];
        return error === undefined ? Promise.resolve({}) : Promise.reject(error);
      },
      commit: () => Promise.resolve(),
      rollback: () => Promise.resolve(),
    }),
    fork: () => ({ setTransactionContext: () => undefined }),
  } as unknown as EntityManager;
  return { em, attempts: () => attempts };
}

const conflict = (stream: string) => new ConcurrencyError(stream, 3, 4);
const failureOf = async (promise: Promise<unknown>) => (await promise.catch((e: unknown) => e)) as DomainError;
const codeOf = async (promise: Promise<unknown>) => (await failureOf(promise)).code;

describe('CommandRunner', () => {
  it('re-runs the work after a lost append race and returns its result', async () => {
    const { em, attempts } = failingTransactions([conflict('site-1'), conflict('site-1')]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('done'))).resolves.toBe('done');
    expect(attempts()).toBe(3);
  });

  it('gives up with concurrency_conflict, naming the stream, after five lost races', async () => {
    const { em, attempts } = failingTransactions(Array.from({ length: 10 }, () => conflict('members-organization:o')));

    const error = await failureOf(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('never')));

    expect(error.code).toBe('concurrency_conflict');
    expect(error.message).toBe('members-organization:o kept changing while the command ran; try again');
    expect(attempts()).toBe(5);
  });

  it('does not retry other failures', async () => {
    const failure = new Error('connection lost');
    const { em, attempts } = failingTransactions([failure]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('x'))).rejects.toBe(failure);
    expect(attempts()).toBe(1);
  });

  it('answers precondition_failed at once when the caller named a version of the stream that moved', async () => {
    const { em, attempts } = failingTransactions([conflict('project-1')]);

    const code = await codeOf(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('x'), { stream: 'project-1', expectedVersion: 3 }));

    expect(code).toBe('precondition_failed');
    expect(attempts()).toBe(1);
  });

  it('re-runs, rather than answering 412, when the named stream is at that version but a younger transaction wrote it', async () => {
    const { em, attempts } = failingTransactions([new ConcurrencyError('project-1', 3, 3, true)]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('ok'), { stream: 'project-1', expectedVersion: 3 })).resolves.toBe('ok');
    expect(attempts()).toBe(2);
  });

  it('retries a race on another stream even when the caller named a version', async () => {
    const { em, attempts } = failingTransactions([conflict('site-9')]);

    await expect(new CommandRunner(em, new EventStore()).run(() => Promise.resolve('ok'), { stream: 'project-1', expectedVersion: 3 })).resolves.toBe('ok');
    expect(attempts()).toBe(2);
  });

  describe("with the service's reading of its own failures", () => {
    const taken = new DomainError('already_exists', 'taken');
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const readFailure = (error: unknown) => (error === deadlock ? 'retry' : error instanceof Error && error.message === 'duplicate key' ? taken : undefined);

    it('answers with the error it names, at once', async () => {
      const { em, attempts } = failingTransactions([new Error('duplicate key')]);

      await expect(new CommandRunner(em, new EventStore(), { readFailure }).run(() => Promise.resolve(1))).rejects.toBe(taken);
      expect(attempts()).toBe(1);
    });

    it('re-runs what it calls a lost race, and gives up with its own detail', async () => {
      const runner = (errors: Error[]) => {
        const { em, attempts } = failingTransactions(errors);
        return { attempts, runner: new CommandRunner(em, new EventStore(), { readFailure, conflictDetail: 'It kept changing' }) };
      };
      const once = runner([deadlock]);
      await expect(once.runner.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
      expect(once.attempts()).toBe(2);

      const always = runner(Array.from({ length: 10 }, () => deadlock));
      const error = await failureOf(always.runner.run(() => Promise.resolve('never')));
      expect([error.code, error.message]).toEqual(['concurrency_conflict', 'It kept changing']);
      expect(always.attempts()).toBe(5);
    });
  });
});

describe('written', () => {
  const result = (streamId: string, version: number, position: string): AppendResult => ({ streamId, version, position, events: [] });

  it("replies with the target stream's version and the latest position the command stored", () => {
    const target = result('organization-1', 4, '900.12');
    const cascade = [result('site-1', 2, '900.10'), target, result('project-1', 3, '1000.11')];

    expect(written('o1', target)).toEqual({ id: 'o1', version: 4, position: '900.12' });
    expect(written('o1', target, cascade)).toEqual({ id: 'o1', version: 4, position: '1000.11' });
  });
});
