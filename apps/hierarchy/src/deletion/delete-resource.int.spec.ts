import { randomUUID } from 'node:crypto';
import { streams, type ResourceRef } from '@siteops/contracts';
import { query } from '@siteops/event-store';
import { hierarchyFixture, type HierarchyFixture } from '../test/hierarchy.fixture';

const compose = 'services:\n  web:\n    image: nginx\n';

describe('deleting parents', () => {
  let f: HierarchyFixture;

  beforeAll(async () => {
    f = await hierarchyFixture('hier_delete');
  });

  afterAll(async () => {
    await f.cleanup();
  });

  /** An organization with projects `a` (sites x, y) and `b` (site z), and an empty project `c`. */
  const tree = async (name: string) => {
    const org = randomUUID();
    const [a, b, c, x, y, z] = Array.from({ length: 6 }, () => randomUUID()) as [string, string, string, string, string, string];
    await f.send('CreateOrganization', { organizationId: org, name });
    await f.send('CreateProject', { projectId: a, organizationId: org, name: 'a' });
    await f.send('CreateProject', { projectId: b, organizationId: org, name: 'b' });
    await f.send('CreateProject', { projectId: c, organizationId: org, name: 'c' });
    await f.send('CreateSite', { siteId: x, projectId: a, name: 'x', compose });
    await f.send('CreateSite', { siteId: y, projectId: a, name: 'y', compose });
    await f.send('CreateSite', { siteId: z, projectId: b, name: 'z', compose });
    return { org, a, b, c, x, y, z };
  };

  it('refuses to delete an organization or project that still has children', async () => {
    const t = await tree('Parents');

    await expect(f.send('DeleteOrganization', { organizationId: t.org, cascade: false })).rejects.toMatchObject({ code: 'has_children' });
    await expect(f.send('DeleteProject', { projectId: t.a, cascade: false })).rejects.toMatchObject({ code: 'has_children' });
    expect(await f.store.streamVersion(f.em(), streams.organization(t.org))).toBe(1);
    expect(await f.store.streamVersion(f.em(), streams.site(t.x))).toBe(2);
    // A childless project goes without cascade.
    await expect(f.send('DeleteProject', { projectId: t.c, cascade: false })).resolves.toMatchObject({ deleted: [{ level: 'project', id: t.c }] });
  });

  it('cascades an organization: one deletion per resource, sites then projects then the organization, in one transaction', async () => {
    const t = await tree('Cascade');

    const result = await f.send('DeleteOrganization', { organizationId: t.org, cascade: true, expectedVersion: 1 });

    const expected: ResourceRef[] = [
      { level: 'site', id: t.x },
      { level: 'site', id: t.y },
      { level: 'site', id: t.z },
      { level: 'project', id: t.a },
      { level: 'project', id: t.b },
      { level: 'project', id: t.c },
      { level: 'organization', id: t.org },
    ];
    expect(result).toMatchObject({ id: t.org, version: 2, deleted: expected });
    const streamIds = expected.map((r) => streams[r.level](r.id));
    const deletions = (await f.eventsInOrder(streamIds)).filter((e) => e.type.endsWith('Deleted'));
    expect(deletions.map((e) => e.streamId)).toEqual(streamIds);
    const { rows } = await query<{ n: string }>(f.em(), `SELECT count(DISTINCT tx_id)::text AS n FROM events WHERE type LIKE '%Deleted' AND stream_id = ANY(?)`, [
      streamIds,
    ]);
    expect(rows[0]?.n).toBe('1');
    const [siteDeleted] = (await f.store.readStream(f.em(), streams.site(t.z))).slice(-1);
    expect(siteDeleted).toMatchObject({ type: 'SiteDeleted', data: { name: 'z', purgeVolumes: false } });
    // Every name is free again.
    await expect(f.send('CreateOrganization', { organizationId: randomUUID(), name: 'cascade' })).resolves.toMatchObject({ version: 1 });
  });

  it('cascades a project: its sites first, and leaves the rest of the organization alone', async () => {
    const t = await tree('Project cascade');

    const result = await f.send('DeleteProject', { projectId: t.a, cascade: true });

    expect(result.deleted).toEqual([
      { level: 'site', id: t.x },
      { level: 'site', id: t.y },
      { level: 'project', id: t.a },
    ]);
    expect(await f.store.streamVersion(f.em(), streams.site(t.z))).toBe(2);
    await expect(f.send('CreateSite', { siteId: randomUUID(), projectId: t.a, name: 'w', compose })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('checks the expected version of the resource before anything else, and deletes nothing when it is stale', async () => {
    const t = await tree('Stale cascade');
    await f.send('RenameOrganization', { organizationId: t.org, name: 'Stale cascade 2' });

    await expect(f.send('DeleteOrganization', { organizationId: t.org, cascade: true, expectedVersion: 1 })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
    expect(await f.store.streamVersion(f.em(), streams.site(t.x))).toBe(2);
  });
});
