import type { ProblemDto } from '@siteops/contracts';
import { eventually } from '@siteops/testing';
import { randomUUID } from 'node:crypto';
import { request, startGateway, type GatewayFixture } from '../test/gateway.fixture';
import type { SeededUser, Sql } from '../test/read-model.seeder';

const names = (res: { body: unknown }) =>
  (res.body as { items: { name: string }[] }).items.map((o) => o.name);

const insertOrg = (sql: Sql, id: string, name: string) =>
  sql(
    `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version) VALUES (?, ?, lower(?), 'x', now(), now(), 1)`,
    [id, name, name],
  );

/** What the projector's retention does: delete the feed up to `seq` and record it as the horizon. */
async function pruneFeedThrough(sql: Sql, seq: string | number): Promise<void> {
  await sql('DELETE FROM rm_changes WHERE seq <= ?', [seq]);
  await sql('UPDATE rm_changes_horizon SET pruned_through = greatest(pruned_through, ?)', [seq]);
}

describe('read models in memory: following rm_changes, X-Consistent-Read (real Postgres, NATS, Redis)', () => {
  let gw: GatewayFixture;
  let admin: SeededUser;

  beforeAll(async () => {
    gw = await startGateway('gw_consistency');
    admin = await gw.seed.user('admin@example.com', { platformAdmin: true });
    await gw.settle();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('waits with X-Consistent-Read until this instance has applied the position, then serves the fresh state', async () => {
    const position = gw.seed.nextPosition();
    const started = Date.now();
    const pending = gw.request('GET', '/v1/organizations', {
      key: admin.key,
      headers: { 'x-consistent-read': position },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Committed without the NATS wake-up: the waiting request is served by the faster poll.
    await gw.seed.commit(
      (sql) =>
        sql(
          `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version) VALUES (?, 'Waited', 'waited', 'x', now(), now(), 1)`,
          [randomUUID()],
        ).then(() => undefined),
      [],
      { publish: false },
    );
    const res = await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-consistency')).toBeNull();
    // The row was committed without naming it in rm_changes, so only the cursor moved: that is what was waited for.
    expect(names(res)).not.toContain('Waited');
  });

  it('gives read-your-writes across instances: a write through one, a read through another', async () => {
    const replica = await gw.startReplica();
    const created = await gw.request('POST', '/v1/organizations', {
      key: admin.key,
      body: { name: 'Everywhere' },
    });
    const position = (created.body as { position: string }).position;
    const res = await request(
      replica.url,
      'GET',
      `/v1/organizations/${(created.body as { id: string }).id}`,
      {
        key: admin.key,
        headers: { 'x-consistent-read': position },
      },
    );
    expect(res.status).toBe(200);
    expect((res.body as { name: string }).name).toBe('Everywhere');
  });

  it('refuses an unparsable position with 400', async () => {
    const res = await gw.request('GET', '/v1/organizations', {
      key: admin.key,
      headers: { 'x-consistent-read': 'yesterday' },
    });
    expect(res.status).toBe(400);
    expect((res.body as ProblemDto).errors).toEqual([
      { field: 'X-Consistent-Read', message: expect.any(String) as unknown },
    ]);
  });

  it('serves after 5 s with X-Consistency: stale when the position is never reached', async () => {
    const started = Date.now();
    const res = await gw.request('GET', '/v1/whoami', {
      key: admin.key,
      headers: { 'x-consistent-read': '999999999.999999999' },
    });
    const waited = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-consistency')).toBe('stale');
    expect(waited).toBeGreaterThanOrEqual(4_900);
    expect(waited).toBeLessThan(7_000);
  }, 15_000);

  it('reloads everything on a reset (after a projection rebuild)', async () => {
    const position = await gw.seed.commit(
      async (sql) => {
        await sql('DELETE FROM rm_organizations');
        await sql(
          `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version) VALUES (?, 'Rebuilt', 'rebuilt', 'x', now(), now(), 1)`,
          [randomUUID()],
        );
      },
      [['reset', '*']],
    );
    const res = await gw.request('GET', '/v1/organizations', {
      key: admin.key,
      headers: { 'x-consistent-read': position },
    });
    expect(names(res)).toEqual(['Rebuilt']);
  });

  it('picks up a change whose seq committed after a higher one (a hole in the feed)', async () => {
    const sql = gw.seed.sql;
    const [{ seq } = { seq: '0' }] = await sql<{ seq: string }>(
      'SELECT coalesce(max(seq), 0)::text AS seq FROM rm_changes',
    );
    const base = Number(seq);
    const late = randomUUID();
    const early = randomUUID();
    const insertOrg = (id: string, name: string) =>
      sql(
        `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version) VALUES (?, ?, lower(?), 'x', now(), now(), 1)`,
        [id, name, name],
      );
    await insertOrg(late, 'Late');
    await insertOrg(early, 'Early');
    // seq base+2 is visible first; base+1 (reserved by a transaction still running) shows up afterwards.
    await sql("INSERT INTO rm_changes (seq, kind, id) VALUES (?, 'organization', ?)", [
      base + 2,
      early,
    ]);
    await eventually(
      async () =>
        names(await gw.request('GET', '/v1/organizations', { key: admin.key })).includes('Early'),
      { timeoutMs: 5_000 },
    );
    await sql("INSERT INTO rm_changes (seq, kind, id) VALUES (?, 'organization', ?)", [
      base + 1,
      late,
    ]);
    await sql("SELECT setval(pg_get_serial_sequence('rm_changes', 'seq'), ?)", [base + 2]);
    await eventually(
      async () =>
        names(await gw.request('GET', '/v1/organizations', { key: admin.key })).includes('Late'),
      { timeoutMs: 5_000 },
    );
  });

  it('reloads everything when the feed was pruned past changes it had not read yet', async () => {
    const renamed = await gw.seed.organization('Before the prune');
    const doomed = await gw.seed.organization('Deleted unseen');
    await gw.settle();
    const added = randomUUID();
    const position = await gw.seed.commit(
      async (sql) => {
        await sql(
          `UPDATE rm_organizations SET name = 'Renamed unseen', name_key = 'renamed unseen' WHERE id = ?`,
          [renamed],
        );
        await sql('DELETE FROM rm_organizations WHERE id = ?', [doomed]);
        await insertOrg(sql, added, 'Added after the prune');
        await sql(
          "INSERT INTO rm_changes (kind, id) VALUES ('organization', ?), ('organization', ?)",
          [renamed, doomed],
        );
        // This instance never read those two rows: they were pruned before it looked (it stalled, say).
        const [{ last } = { last: '0' }] = await sql<{ last: string }>(
          'SELECT max(seq)::text AS last FROM rm_changes',
        );
        await pruneFeedThrough(sql, last);
      },
      // The newest row survives the prune, as the projector keeps the newest ones.
      [['organization', added]],
    );
    const res = await gw.request('GET', '/v1/organizations', {
      key: admin.key,
      headers: { 'x-consistent-read': position },
    });
    expect(res.headers.get('x-consistency')).toBeNull();
    const listed = names(res);
    expect(listed).toEqual(expect.arrayContaining(['Renamed unseen', 'Added after the prune']));
    expect(listed).not.toContain('Before the prune');
    expect(listed).not.toContain('Deleted unseen');
    const gone = await gw.request('GET', `/v1/organizations/${doomed}`, { key: admin.key });
    expect(gone.status).toBe(404);
  });

  it('reloads everything when a hole it still looks for was pruned', async () => {
    const sql = gw.seed.sql;
    await gw.settle();
    const [{ seq } = { seq: '0' }] = await sql<{ seq: string }>(
      'SELECT coalesce(max(seq), 0)::text AS seq FROM rm_changes',
    );
    const base = Number(seq);
    const late = randomUUID();
    const early = randomUUID();
    await insertOrg(sql, late, 'Late and pruned');
    await insertOrg(sql, early, 'Early and read');
    // base+2 is read first; base+1 (a page still committing) is a hole this instance looks for again.
    await sql("INSERT INTO rm_changes (seq, kind, id) VALUES (?, 'organization', ?)", [
      base + 2,
      early,
    ]);
    await sql("SELECT setval(pg_get_serial_sequence('rm_changes', 'seq'), ?)", [base + 2]);
    await eventually(
      async () =>
        names(await gw.request('GET', '/v1/organizations', { key: admin.key })).includes(
          'Early and read',
        ),
      { timeoutMs: 5_000 },
    );
    // base+1 commits, and is pruned before this instance looks again; base+2 stays.
    const position = await gw.seed.commit(async (tx) => {
      await tx("INSERT INTO rm_changes (seq, kind, id) VALUES (?, 'organization', ?)", [
        base + 1,
        late,
      ]);
      await pruneFeedThrough(tx, base + 1);
    }, []);
    const res = await gw.request('GET', '/v1/organizations', {
      key: admin.key,
      headers: { 'x-consistent-read': position },
    });
    expect(names(res)).toContain('Late and pruned');
  });

  it('is not disturbed when the prune stops at the last change it read', async () => {
    const sql = gw.seed.sql;
    await gw.seed.organization('Read before the prune');
    await gw.settle();
    // Only a full reload would bring this one in: it is in no feed row.
    await insertOrg(sql, randomUUID(), 'Never announced');
    const announced = randomUUID();
    const position = await gw.seed.commit(
      async (tx) => {
        // Up to and including the last seq this instance has read.
        const [{ last } = { last: '0' }] = await tx<{ last: string }>(
          'SELECT max(seq)::text AS last FROM rm_changes',
        );
        await pruneFeedThrough(tx, last);
        await insertOrg(tx, announced, 'Announced after the prune');
      },
      [['organization', announced]],
    );
    const res = await gw.request('GET', '/v1/organizations', {
      key: admin.key,
      headers: { 'x-consistent-read': position },
    });
    const listed = names(res);
    expect(listed).toEqual(
      expect.arrayContaining(['Read before the prune', 'Announced after the prune']),
    );
    expect(listed).not.toContain('Never announced');
  });

  it('applies deletions: a named row that is gone is gone', async () => {
    const id = await gw.seed.organization('Doomed');
    await gw.settle();
    expect((await gw.request('GET', `/v1/organizations/${id}`, { key: admin.key })).status).toBe(
      200,
    );
    const position = await gw.seed.commit(
      (sql) => sql('DELETE FROM rm_organizations WHERE id = ?', [id]).then(() => undefined),
      [['organization', id]],
    );
    const res = await gw.request('GET', `/v1/organizations/${id}`, {
      key: admin.key,
      headers: { 'x-consistent-read': position },
    });
    expect(res.status).toBe(404);
  });
});
