import { query } from '@siteops/event-store';
import { HealthRegistry } from '@siteops/runtime';
import { eventually, SeededRandom } from '@siteops/testing';
import type { RunningProjector } from '../projector.app';
import { changesSince, projectorTestEnv, type ProjectorTestEnv } from '../test/projector-test-env';
import { World } from '../test/world';
import { changesPrunedThrough, pruneChanges, type ChangeRetention } from './change-retention';
import { lockReadModels } from './read-models.projection';

const RETENTION: ChangeRetention = { keepSeconds: 600, keepRows: 5, everyMs: 0, maxRowsPerPrune: 1000 };

const bySeq = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

async function prunedCount(health: HealthRegistry): Promise<number> {
  const metric = await health.metrics.getSingleMetric('siteops_projector_changes_pruned_total')?.get();
  return (metric?.values ?? []).reduce((n, v) => n + v.value, 0);
}

describe('rm_changes retention (real Postgres, NATS)', () => {
  let env: ProjectorTestEnv;

  beforeAll(async () => {
    env = await projectorTestEnv('change_retention');
  });

  afterAll(async () => {
    await env.cleanup();
  });

  /** The seqs still in the feed, in order. */
  async function remaining(): Promise<string[]> {
    return (await changesSince(env.em())).map((c) => c.seq);
  }

  const horizon = () => changesPrunedThrough(env.em());

  async function emptyFeed(): Promise<void> {
    await query(env.em(), 'DELETE FROM rm_changes');
    await query(env.em(), 'UPDATE rm_changes_horizon SET pruned_through = 0');
  }

  /** Appends one feed row per entry, written an hour ago or now; returns their seqs. */
  async function feed(...ages: ('old' | 'new')[]): Promise<string[]> {
    const seqs: string[] = [];
    for (const age of ages) {
      const { rows } = await query<{ seq: string }>(
        env.em(),
        `INSERT INTO rm_changes (kind, id, at) VALUES ('organization', ?, now() - CASE WHEN ? THEN interval '1 hour' ELSE interval '0' END)
         RETURNING seq::text AS seq`,
        [`o${seqs.length}`, age === 'old'],
      );
      seqs.push(rows[0]!.seq);
    }
    return seqs;
  }

  /** A seq handed out and never committed (a rolled-back page). */
  async function skipSeq(): Promise<string> {
    const { rows } = await query<{ seq: string }>(
      env.em(),
      "SELECT nextval(pg_get_serial_sequence('rm_changes', 'seq'))::text AS seq",
    );
    return rows[0]!.seq;
  }

  /** As the live leader does: inside a transaction holding the writer lock. */
  const prune = (retention: Partial<ChangeRetention> = {}) =>
    env.em().transactional(async (tx) => {
      await lockReadModels(tx);
      return pruneChanges(tx, { ...RETENTION, ...retention });
    });

  describe('pruneChanges', () => {
    beforeEach(emptyFeed);

    it('deletes the rows older than the window and keeps every younger one, however many', async () => {
      const old = await feed(...Array<'old'>(12).fill('old'));
      const young = await feed(...Array<'new'>(8).fill('new'));
      expect(await prune({ keepRows: 5 })).toEqual({ deleted: 12, prunedThrough: old[11], more: false });
      expect(await remaining()).toEqual(young);
      expect(await horizon()).toBe(old[11]);
    });

    it('keeps the newest keepRows rows even when all are old', async () => {
      const old = await feed(...Array<'old'>(10).fill('old'));
      expect(await prune({ keepRows: 4 })).toEqual({ deleted: 6, prunedThrough: old[5], more: false });
      expect(await remaining()).toEqual(old.slice(6));
      // Nothing more is due until new rows arrive.
      expect(await prune({ keepRows: 4 })).toBeUndefined();
      expect(await remaining()).toEqual(old.slice(6));
    });

    it('deletes nothing while there are fewer rows than keepRows', async () => {
      const old = await feed('old', 'old', 'old');
      expect(await prune({ keepRows: 5 })).toBeUndefined();
      expect(await remaining()).toEqual(old);
      expect(await horizon()).toBe('0');
    });

    it('deletes nothing while every row is young', async () => {
      const young = await feed('new', 'new', 'new', 'new');
      expect(await prune({ keepRows: 1 })).toBeUndefined();
      expect(await remaining()).toEqual(young);
      expect(await horizon()).toBe('0');
    });

    it('records the highest deleted seq, not a skipped seq above it', async () => {
      const first = await feed('old', 'old', 'old');
      const skipped = await skipSeq();
      const last = await feed('old', 'old', 'old');
      expect(BigInt(skipped)).toBe(BigInt(first[2]!) + 1n);
      expect(await prune({ keepRows: 3 })).toMatchObject({ deleted: 3, prunedThrough: first[2] });
      expect(await remaining()).toEqual(last);
    });

    it('works a long backlog off in steps of maxRowsPerPrune, saying when more is due', async () => {
      const old = await feed(...Array<'old'>(10).fill('old'));
      const step = () => prune({ keepRows: 1, maxRowsPerPrune: 4 });
      expect(await step()).toEqual({ deleted: 4, prunedThrough: old[3], more: true });
      expect(await step()).toEqual({ deleted: 4, prunedThrough: old[7], more: true });
      expect(await step()).toEqual({ deleted: 1, prunedThrough: old[8], more: false });
      expect(await remaining()).toEqual([old[9]]);
    });

    it('stops a capped step at the first young row', async () => {
      const old = await feed('old', 'old');
      // Capped at old[0] + 3 (below the keepRows bound), then lowered to below young[0].
      const young = await feed('new', 'new', 'new', 'new', 'new');
      expect(await prune({ keepRows: 1, maxRowsPerPrune: 4 })).toEqual({ deleted: 2, prunedThrough: old[1], more: false });
      expect(await remaining()).toEqual(young);
    });
  });

  describe('in the running projector', () => {
    const running: RunningProjector[] = [];

    beforeEach(emptyFeed);
    afterEach(async () => {
      for (const projector of running.splice(0)) await projector.close();
    });

    it('the leader prunes after its pages, the standby never; young rows stay', async () => {
      const tuning = { retention: { keepSeconds: 600, keepRows: 3, everyMs: 0 } };
      const healthA = new HealthRegistry();
      const healthB = new HealthRegistry();
      const a = await env.start(tuning, { health: healthA });
      const b = await env.start(tuning, { health: healthB });
      running.push(a, b);
      await eventually(() => [a, b].filter((r) => r.projector.isLeader).length === 1, { message: 'one leader' });
      const [leaderHealth, standbyHealth] = a.projector.isLeader ? [healthA, healthB] : [healthB, healthA];

      const world = new World(env.store, env.em, new SeededRandom(31));
      const admin = await world.registerUser(true);
      const org = await world.createOrganization(admin);
      const project = await world.createProject(org, admin);
      await world.createSite(project, admin);
      await world.registerUser();
      await env.caughtUp();
      // Every page pruned, but every row is young: all stay, though there are more than keepRows.
      const before = await remaining();
      expect(before.length).toBeGreaterThan(3);
      expect(await horizon()).toBe('0');

      // Ten minutes pass for those rows; the next page prunes them, except the newest three.
      await query(env.em(), "UPDATE rm_changes SET at = at - interval '1 hour'");
      await world.registerUser();
      await env.caughtUp();
      const after = await remaining();
      const added = after.filter((seq) => !before.includes(seq));
      expect(added.length).toBeGreaterThan(0);
      const all = [...before, ...added].sort(bySeq);
      const keepFrom = [added[0]!, all[all.length - 3]!].sort(bySeq)[0]!;
      const kept = all.filter((seq) => bySeq(seq, keepFrom) >= 0);
      const deleted = all.filter((seq) => bySeq(seq, keepFrom) < 0);
      expect(deleted.length).toBeGreaterThan(0);
      expect(after).toEqual(kept);
      expect(await horizon()).toBe(deleted[deleted.length - 1]);
      expect(await prunedCount(leaderHealth)).toBe(deleted.length);
      expect(await prunedCount(standbyHealth)).toBe(0);
    }, 60_000);

    it('prunes at most once per everyMs, except to work off a backlog', async () => {
      const old = await feed('old', 'old', 'old', 'old', 'old');
      running.push(
        await env.start({ retention: { keepSeconds: 600, keepRows: 1, everyMs: 3_600_000, maxRowsPerPrune: 2 } }),
      );
      // Lane 1: its users' e-mails differ from the previous test's (rm_users.email_key is unique).
      const world = new World(env.store, env.em, new SeededRandom(32), 1);
      const page = async () => {
        await world.registerUser();
        await env.caughtUp();
      };
      // The first page is due and deletes two rows; the cap left more, so the next two pages go on.
      await page();
      expect(await horizon()).toBe(old[1]);
      await page();
      expect(await horizon()).toBe(old[3]);
      await page();
      expect(await horizon()).toBe(old[4]);
      const young = await remaining();
      expect(young).toHaveLength(3);
      // Backlog worked off: even rows past the window wait for the next period.
      await query(env.em(), "UPDATE rm_changes SET at = at - interval '1 hour'");
      await page();
      expect(await horizon()).toBe(old[4]);
      expect((await remaining()).slice(0, 3)).toEqual(young);
    }, 60_000);
  });
});
