import { randomUUID } from 'node:crypto';
import { streams } from '@siteops/contracts';
import { TEST_ACTOR, hierarchyFixture, type HierarchyFixture } from '../test/hierarchy.fixture';

describe('projects', () => {
  let f: HierarchyFixture;

  beforeAll(async () => {
    f = await hierarchyFixture('hier_projects');
  });

  afterAll(async () => {
    await f.cleanup();
  });

  const organization = async () => {
    const organizationId = randomUUID();
    await f.send('CreateOrganization', { organizationId, name: `Org ${organizationId.slice(0, 8)}` });
    return organizationId;
  };
  const create = (organizationId: string, name: string, projectId = randomUUID()) =>
    f.send('CreateProject', { projectId, organizationId, name, description: 'd' });

  it('creates a project in its organization', async () => {
    const organizationId = await organization();
    const projectId = randomUUID();

    const result = await f.send('CreateProject', { projectId, organizationId, name: 'Repository' }, { correlationId: 'corr-p' });

    expect(result).toMatchObject({ id: projectId, version: 1 });
    expect(await f.store.readStream(f.em(), streams.project(projectId))).toMatchObject([
      {
        type: 'ProjectCreated',
        data: { projectId, organizationId, name: 'Repository', description: '' },
        metadata: { actor: TEST_ACTOR, correlationId: 'corr-p' },
        position: result.position,
      },
    ]);
  });

  it('keeps names unique within an organization, case-insensitively, but not across organizations', async () => {
    const first = await organization();
    const second = await organization();
    await create(first, 'Website');

    await expect(create(first, 'WEBSITE')).rejects.toMatchObject({ code: 'already_exists', errors: [{ field: 'name' }] });
    await expect(create(second, 'Website')).resolves.toMatchObject({ version: 1 });
  });

  it('answers not_found when the organization does not exist or was deleted', async () => {
    await expect(create(randomUUID(), 'Orphan')).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'organizationId' }] });
    const organizationId = await organization();
    await f.send('DeleteOrganization', { organizationId, cascade: false });
    await expect(create(organizationId, 'Late')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('never leaves a project in a deleted organization, whichever of a create and a delete wins', async () => {
    for (let round = 0; round < 10; round++) {
      const organizationId = await organization();
      const projectId = randomUUID();

      const [created, deleted] = await Promise.allSettled([
        create(organizationId, 'Racer', projectId),
        f.send('DeleteOrganization', { organizationId, cascade: false }),
      ]);

      if (created.status === 'fulfilled') {
        expect(deleted).toMatchObject({ status: 'rejected', reason: { code: 'has_children' } });
      } else {
        expect(created.reason).toMatchObject({ code: 'not_found' });
        expect(deleted.status).toBe('fulfilled');
        expect(await f.store.streamVersion(f.em(), streams.project(projectId))).toBe(0);
      }
    }
  });

  it('updates the name and description, checking the new name', async () => {
    const organizationId = await organization();
    const projectId = randomUUID();
    await create(organizationId, 'Alpha', projectId);
    await create(organizationId, 'Beta');

    await expect(f.send('UpdateProject', { projectId, name: 'beta' })).rejects.toMatchObject({ code: 'already_exists' });
    const updated = await f.send('UpdateProject', { projectId, name: 'Gamma', description: 'third letter', expectedVersion: 1 });

    expect(updated).toMatchObject({ id: projectId, version: 2 });
    expect((await f.store.readStream(f.em(), streams.project(projectId)))[1]).toMatchObject({
      type: 'ProjectUpdated',
      data: { projectId, organizationId, name: 'Gamma', description: 'third letter' },
    });
    await expect(create(organizationId, 'alpha')).resolves.toMatchObject({ version: 1 });
  });

  it('refuses a stale expected version with precondition_failed', async () => {
    const organizationId = await organization();
    const projectId = randomUUID();
    await create(organizationId, 'Stale', projectId);
    await f.send('UpdateProject', { projectId, description: 'first' });

    await expect(f.send('UpdateProject', { projectId, description: 'second', expectedVersion: 1 })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
    await expect(f.send('DeleteProject', { projectId, cascade: false, expectedVersion: 1 })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
  });

  it('applies concurrent updates without an expected version one after the other, losing none', async () => {
    const organizationId = await organization();
    const projectId = randomUUID();
    await create(organizationId, 'Busy', projectId);

    await Promise.all(Array.from({ length: 10 }, (_, i) => f.send('UpdateProject', { projectId, description: `edit ${i}` })));

    const events = await f.store.readStream(f.em(), streams.project(projectId));
    expect(events).toHaveLength(11);
    expect(new Set(events.slice(1).map((e) => (e.data as { description: string }).description)).size).toBe(10);
  });

  it('answers not_found for a project that does not exist', async () => {
    await expect(f.send('UpdateProject', { projectId: randomUUID(), name: 'X' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.send('DeleteProject', { projectId: randomUUID(), cascade: false })).rejects.toMatchObject({ code: 'not_found' });
  });
});
