import { randomInt } from 'node:crypto';

/**
 * A seeded PRNG (mulberry32) for randomized specs: the same seed draws the
 * same choices, so a failure can be replayed. (In a concurrent e2e run the
 * platform still answers in its own order, so a replay sends the same
 * requests, not necessarily in the same interleaving.)
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Like pick, but undefined for an empty list. */
  maybePick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(items.length)];
  }

  /** One of the keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
    let r = this.next() * total;
    for (const [key, weight] of entries) {
      r -= Math.max(0, weight);
      if (r < 0) return key;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted pick from no weights');
    return last[0];
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** A version-4-shaped UUID drawn from the seed. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.int(4)] ?? '8'}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/**
 * The seed of a randomized spec: `$variable` when set (to replay a failure),
 * a fresh random one otherwise. Printed either way, so every run can be replayed.
 */
export function seedFrom(variable: string, label: string): number {
  const raw = process.env[variable];
  let seed: number;
  if (raw === undefined || raw.trim() === '') {
    seed = randomInt(0, 2 ** 32 - 1);
  } else {
    seed = Number(raw);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`${variable} must be a whole number between 0 and 4294967295`);
    }
  }
  process.stdout.write(`${label}: ${variable}=${seed} (set it to replay this run)\n`);
  return seed;
}

/**
 * Runs tasks with at most `concurrency` in flight. `next` is asked for the
 * next task whenever a slot frees up and ends the run by returning undefined,
 * so a workload can be generated from what earlier tasks returned.
 */
export async function runConcurrently(
  concurrency: number,
  next: () => (() => Promise<void>) | undefined,
): Promise<void> {
  let failed: Error | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined) {
      const task = next();
      if (!task) return;
      try {
        await task();
      } catch (error) {
        failed ??= error instanceof Error ? error : new Error('a task failed', { cause: error });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed !== undefined) throw failed;
}

/** Runs `work` over every item with at most `concurrency` in flight. */
export function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let index = 0;
  return runConcurrently(concurrency, () => {
    if (index >= items.length) return undefined;
    const i = index++;
    return () => work(items[i] as T, i);
  });
}
