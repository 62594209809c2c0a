import { HealthRegistry } from '@siteops/runtime';
import { eventually, SeededRandom } from '@siteops/testing';
import { dumpReadModels, projectorTestEnv, type ProjectorTestEnv } from '../test/projector-test-env';
import { expectedOf, sortTables, World } from '../test/world';

async function projectedEvents(health: HealthRegistry): Promise<number> {
  const metric = await health.metrics.getSingleMetric('siteops_projector_events_total')?.get();
  return (metric?.values ?? []).reduce((n, v) => n + v.value, 0);
}

describe('two projector replicas on one database', () => {
  let env: ProjectorTestEnv;

  beforeAll(async () => {
    env = await projectorTestEnv('replicas');
  });

  afterAll(async () => {
    await env.cleanup();
  });

  it('one leads, the other stands by and takes over; the tables come out exactly as with one', async () => {
    const healthA = new HealthRegistry();
    const healthB = new HealthRegistry();
    const a = await env.start({ batchSize: 25 }, { health: healthA });
    const b = await env.start({ batchSize: 25 }, { health: healthB });
    const leaders = () => [a, b].filter((r) => r.projector.isLeader).length;
    await eventually(() => leaders() === 1, { message: 'one leader' });

    // Sample leadership the whole time: never two at once.
    const sampling = new AbortController();
    let maxLeaders = 0;
    const sampler = (async () => {
      while (!sampling.signal.aborted) {
        maxLeaders = Math.max(maxLeaders, leaders());
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const worlds = [0, 1].map((lane) => new World(env.store, env.em, new SeededRandom(4242 + lane), lane));
    const run = (target: number) => Promise.all(worlds.map(async (w) => {
      while (w.eventCount < target) await w.randomStep();
    }));
    await run(150);
    await env.caughtUp();
    const [leader, standby] = a.projector.isLeader ? [a, b] : [b, a];
    const [leaderHealth, standbyHealth] = leader === a ? [healthA, healthB] : [healthB, healthA];
    expect(await projectedEvents(leaderHealth)).toBeGreaterThanOrEqual(300);
    expect(await projectedEvents(standbyHealth)).toBe(0);

    // The leader goes away mid-stream; the standby continues from the shared checkpoint.
    const more = run(300);
    await leader.close();
    await more;
    await eventually(() => standby.projector.isLeader, { timeoutMs: 10_000, message: 'the standby to take over' });
    await env.caughtUp(30_000);
    sampling.abort();
    await sampler;
    expect(maxLeaders).toBe(1);
    expect(await projectedEvents(standbyHealth)).toBeGreaterThan(0);

    const tables = sortTables(await dumpReadModels(env.em()));
    expect(tables).toEqual(expectedOf(worlds));
    const rebuilt = await standby.rebuild({ hash: true });
    expect(rebuilt.after).toEqual(rebuilt.before);
    expect(sortTables(await dumpReadModels(env.em()))).toEqual(tables);
  }, 90_000);
});
