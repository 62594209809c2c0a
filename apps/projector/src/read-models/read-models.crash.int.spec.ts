import { Position } from '@siteops/event-store';
import { testServers, SeededRandom } from '@siteops/testing';
import { rebuildReadModels } from './read-models.rebuild';
import { runTs } from '../test/child-process';
import { FeedFollower } from '../test/feed-follower';
import { changesSince, dumpReadModels, projectorTestEnv, type ProjectorTestEnv } from '../test/projector-test-env';
import { expectedOf, sortTables, World } from '../test/world';

const FIXTURE = 'apps/projector/src/test/projector-crash.fixture.ts';

describe('a projector killed mid-page', () => {
  let env: ProjectorTestEnv;
  let world: World;

  beforeAll(async () => {
    env = await projectorTestEnv('crash');
    world = new World(env.store, env.em, new SeededRandom(99));
  });

  afterAll(async () => {
    await env.cleanup();
  });

  const crashAtPage = (page: number) => runTs(FIXTURE, [env.db.url, testServers.natsUrl, env.names.prefix, String(page)]);

  /** Where a reader of the store stands after `count` events from `after`. */
  async function positionAfter(after: Position, count: number): Promise<Position> {
    return (await env.store.readAll(env.em(), after, count)).cursor;
  }

  it('commits nothing of the killed page: the tables equal a replay to the last checkpoint', async () => {
    while (world.eventCount < 300) await world.randomStep();
    const crashed = await crashAtPage(3);
    expect(crashed.exit).toBe('SIGKILL');
    // Pages 1 and 2 (50 events each) committed; page 3 died with its transaction.
    const checkpoint = await env.checkpoint();
    expect(checkpoint?.toString()).toBe((await positionAfter(Position.start, 100)).toString());

    // The rebuild hashes the tables as found and a fresh replay stopped at the
    // same checkpoint: equal hashes mean no row of the killed page survived.
    const result = await rebuildReadModels({ em: env.orm.em, store: env.store, hash: true });
    expect(result.previousPosition).toBe(checkpoint?.toString());
    expect(result.before?.rows['rm_users']).toBeGreaterThan(0);
    expect(result.before).toEqual(result.atPreviousPosition);
    expect(sortTables(await dumpReadModels(env.em()))).toEqual(sortTables(world.expected()));
  }, 60_000);

  it('resumes from the last committed page with every row exactly right', async () => {
    const start = (await env.checkpoint())!;
    const seqBefore = (await changesSince(env.em(), 0)).at(-1)?.seq ?? '0';
    while (world.eventCount < 700) await world.randomStep();
    expect((await crashAtPage(4)).exit).toBe('SIGKILL');
    expect((await env.checkpoint())?.toString()).toBe((await positionAfter(start, 150)).toString());

    await env.start({ batchSize: 50 });
    await env.caughtUp();
    expect(sortTables(await dumpReadModels(env.em()))).toEqual(expectedOf([world]));
    // The feed across the crash is complete: a gateway that only followed it holds the same rows.
    expect((await changesSince(env.em(), seqBefore)).length).toBeGreaterThan(0);
    const follower = new FeedFollower(env.em);
    await follower.catchUp();
    const { rm_site_compose: _compose, ...tables } = sortTables(await dumpReadModels(env.em()));
    expect(sortTables(follower.tables())).toEqual(tables);
  }, 60_000);
});
