import type { IdempotencyGuard } from '../idempotent.handler';

/** A staged write the test effect makes; it becomes visible only on commit. */
export interface MemoryTx {
  write(entry: string): void;
}

/**
 * The guard's contract in memory, for specs: effect and key commit together,
 * a failing effect leaves nothing, and concurrent calls for one key run the
 * effect once (a per-key lock stands in for the unique index).
 */
export class InMemoryIdempotencyGuard implements IdempotencyGuard<MemoryTx> {
  readonly committed: string[] = [];
  private readonly seen = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();

  async runOnce(consumer: string, key: string, effect: (tx: MemoryTx) => Promise<void>): Promise<'handled' | 'duplicate'> {
    const id = JSON.stringify([consumer, key]);
    const previous = this.locks.get(id) ?? Promise.resolve();
    const attempt = previous.catch(() => undefined).then(async () => {
      if (this.seen.has(id)) return 'duplicate' as const;
      const staged: string[] = [];
      await effect({ write: (entry) => staged.push(entry) });
      this.committed.push(...staged);
      this.seen.add(id);
      return 'handled' as const;
    });
    this.locks.set(id, attempt);
    return attempt;
  }
}
