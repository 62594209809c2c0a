import { DomainError } from '@siteops/contracts';
import { EventStore, type EntityManager } from '@siteops/event-store';
import { NAME_UNIQUENESS } from '../hierarchy.migrations';
import { hierarchyCommandRunner } from './command-runner';

/** Transactions that simply run the work: the failures below come from the work itself. */
const inline = {
  getTransactionContext: () => undefined,
  getConnection: () => ({ begin: () => Promise.resolve({}), commit: () => Promise.resolve(), rollback: () => Promise.resolve() }),
  fork: () => ({ setTransactionContext: () => undefined }),
} as unknown as EntityManager;
const runner = () => hierarchyCommandRunner(inline, new EventStore());
const codeOf = async (promise: Promise<unknown>) => ((await promise.catch((e: unknown) => e)) as DomainError).code;

describe('the hierarchy command runner', () => {
  it('turns a unique violation of a name index into already_exists, and leaves other errors alone', async () => {
    const nameClash = Object.assign(new Error('duplicate key'), { code: '23505', constraint: NAME_UNIQUENESS.child });
    const otherClash = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'events_stream_version_unique' });

    expect(await codeOf(runner().run(() => Promise.reject(nameClash)))).toBe('already_exists');
    await expect(runner().run(() => Promise.reject(otherClash))).rejects.toBe(otherClash);
    const domain = new DomainError('has_children', 'no');
    await expect(runner().run(() => Promise.reject(domain))).rejects.toBe(domain);
  });

  it('re-runs the work after a deadlock between row locks', async () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    let runs = 0;

    await expect(runner().run(() => (++runs === 1 ? Promise.reject(deadlock) : Promise.resolve('ok')))).resolves.toBe('ok');
    expect(runs).toBe(2);
  });
});
