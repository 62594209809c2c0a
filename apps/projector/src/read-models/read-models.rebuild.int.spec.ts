import { hashReadModels } from '@siteops/read-models';
import { eventually, SeededRandom } from '@siteops/testing';
import type { RunningProjector } from '../projector.app';
import { FeedFollower } from '../test/feed-follower';
import { changesSince, dumpReadModels, projectorTestEnv, type ProjectorTestEnv } from '../test/projector-test-env';
import { expectedOf, sortTables, World } from '../test/world';

const seed = Number(process.env['PROJECTOR_TEST_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const LANES = 4;
const EVENTS_PER_LANE = 560;

/** Adds the seed to any failure, so a run can be replayed with PROJECTOR_TEST_SEED. */
async function withSeed(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof Error) error.message = `[PROJECTOR_TEST_SEED=${seed}] ${error.message}`;
    throw error;
  }
}

describe(`read-model rebuild against a randomized history (PROJECTOR_TEST_SEED=${seed})`, () => {
  let env: ProjectorTestEnv;
  let running: RunningProjector;

  beforeAll(async () => {
    env = await projectorTestEnv('rebuild');
    running = await env.start({ batchSize: 64 });
  });

  afterAll(async () => {
    await env.cleanup();
  });

  it('live projection, feed and rebuild from position 0 all give the tables the history implies', () =>
    withSeed(async () => {
      const messages = await env.listen();
      const worlds = Array.from({ length: LANES }, (_, lane) => new World(env.store, env.em, new SeededRandom(seed + lane * 7919), lane));
      const total = () => worlds.reduce((n, w) => n + w.eventCount, 0);

      // A gateway following the feed while everything happens.
      const follower = new FeedFollower(env.em);
      const appending = new AbortController();
      const following = (async () => {
        while (!appending.signal.aborted) {
          await follower.catchUp();
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      // 1. Lanes append concurrently, so commits interleave out of position order;
      //    half-way an in-process rebuild runs while they keep appending.
      const lanes = worlds.map(async (world) => {
        while (world.eventCount < EVENTS_PER_LANE) await world.randomStep();
      });
      const midway = (async () => {
        await eventually(() => total() >= (LANES * EVENTS_PER_LANE) / 2, { timeoutMs: 60_000, message: 'half the workload' });
        return running.rebuild();
      })();
      await Promise.all([...lanes, midway]);
      expect(total()).toBeGreaterThanOrEqual(2000);
      expect((await midway).events).toBeGreaterThan(0);

      // 2. The live tables are exactly what the history implies.
      await env.caughtUp(60_000);
      const expected = expectedOf(worlds);
      const live = sortTables(await dumpReadModels(env.em()));
      expect(live).toEqual(expected);
      expect(live['rm_sites']!.length).toBeGreaterThan(0);
      expect(live['rm_grants']!.length).toBeGreaterThan(0);

      // 3. A gateway that only followed the feed holds the same rows.
      appending.abort();
      await following;
      await follower.catchUp();
      const { rm_site_compose: _compose, ...followed } = live;
      expect(sortTables(follower.tables())).toEqual(followed);

      // 4. Rebuilding from position 0 reproduces the live tables byte for byte.
      const liveHash = await hashReadModels(env.em());
      const result = await running.rebuild({ hash: true });
      expect(result.events).toBe(total());
      expect(result.before).toEqual(liveHash);
      expect(result.atPreviousPosition).toEqual(liveHash);
      expect(result.after).toEqual(liveHash);
      expect(await hashReadModels(env.em())).toEqual(liveHash);

      // 5. The rebuild is announced as one reset, on the feed and on NATS.
      const last = await changesSince(env.em(), Number(result.seq) - 1);
      expect(last).toEqual([{ seq: result.seq, kind: 'reset', id: '*' }]);
      await eventually(() => messages.some((m) => m.seq === result.seq && m.position === result.position), {
        message: 'the reset wake-up',
      });
      expect((await env.checkpoint())?.toString()).toBe(result.position);

      // 6. Live following resumes after the rebuild.
      const world = worlds[0]!;
      for (let i = 0; i < 20; i++) await world.randomStep();
      await env.caughtUp();
      expect(sortTables(await dumpReadModels(env.em()))).toEqual(expectedOf(worlds));
    }), 180_000);
});
