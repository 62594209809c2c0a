import { randomUUID } from 'node:crypto';
import { streams } from '@siteops/contracts';
import { query } from '@siteops/event-store';
import { TEST_ACTOR, hierarchyFixture, type HierarchyFixture } from '../test/hierarchy.fixture';

describe('organizations', () => {
  let f: HierarchyFixture;

  beforeAll(async () => {
    f = await hierarchyFixture('hier_orgs');
  });

  afterAll(async () => {
    await f.cleanup();
  });

  const create = (name: string, organizationId = randomUUID()) => f.send('CreateOrganization', { organizationId, name });

  it('creates an organization together with its founding owner, in one transaction', async () => {
    const organizationId = randomUUID();

    const result = await f.send('CreateOrganization', { organizationId, name: 'Acme' }, { correlationId: 'corr-acme' });

    expect(result).toMatchObject({ id: organizationId, version: 1 });
    const [created] = await f.store.readStream(f.em(), streams.organization(organizationId));
    const [grant] = await f.store.readStream(f.em(), streams.members('organization', organizationId));
    expect(created).toMatchObject({
      type: 'OrganizationCreated',
      data: { organizationId, name: 'Acme', createdBy: TEST_ACTOR },
      metadata: { actor: TEST_ACTOR, correlationId: 'corr-acme' },
    });
    expect(grant).toMatchObject({
      type: 'MemberRoleGranted',
      data: { resource: { level: 'organization', id: organizationId }, userId: TEST_ACTOR, role: 'owner', previousRole: null },
      metadata: { actor: TEST_ACTOR, correlationId: 'corr-acme', causationId: created?.metadata.causationId },
    });
    // Same transaction; the reply's position covers both events.
    const { rows } = await query<{ n: string }>(f.em(), 'SELECT count(DISTINCT tx_id)::text AS n FROM events WHERE stream_id = ANY(?)', [
      [streams.organization(organizationId), streams.members('organization', organizationId)],
    ]);
    expect(rows[0]?.n).toBe('1');
    expect(result.position).toBe(grant?.position);
  });

  it('refuses a name that differs from an existing one only in case', async () => {
    await create('Globex');

    await expect(create('GLOBEX')).rejects.toMatchObject({ code: 'already_exists', errors: [{ field: 'name' }] });
  });

  it('lets exactly one of 20 concurrent creations of one name win', async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());

    const results = await Promise.allSettled(ids.map((id, i) => create(i % 2 === 0 ? 'Initech' : 'INITECH', id)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'already_exists' });
    const versions = await Promise.all(ids.map((id) => f.store.streamVersion(f.em(), streams.organization(id))));
    expect(versions.filter((v) => v > 0)).toHaveLength(1);
    const grants = await Promise.all(ids.map((id) => f.store.streamVersion(f.em(), streams.members('organization', id))));
    expect(grants.filter((v) => v > 0)).toHaveLength(1);
  });

  it('refuses an id that is already used', async () => {
    const id = randomUUID();
    await create('Umbrella', id);

    await expect(create('Umbrella 2', id)).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('renames, and frees the old name', async () => {
    const id = randomUUID();
    await create('Hooli', id);

    const renamed = await f.send('RenameOrganization', { organizationId: id, name: 'Hooli XYZ' });

    expect(renamed).toMatchObject({ id, version: 2 });
    expect((await f.store.readStream(f.em(), streams.organization(id)))[1]).toMatchObject({
      type: 'OrganizationRenamed',
      data: { organizationId: id, name: 'Hooli XYZ', previousName: 'Hooli' },
    });
    await expect(create('hooli')).resolves.toMatchObject({ version: 1 });
  });

  it('answers a rename to the current name with the current version and appends nothing', async () => {
    const id = randomUUID();
    await create('Vandelay', id);

    const result = await f.send('RenameOrganization', { organizationId: id, name: 'Vandelay' });

    const events = await f.store.readStream(f.em(), streams.organization(id));
    expect(events).toHaveLength(1);
    expect(result).toEqual({ id, version: 1, position: events[0]?.position });
  });

  it('refuses to rename onto another organization\'s name', async () => {
    await create('Stark');
    const id = randomUUID();
    await create('Wayne', id);

    await expect(f.send('RenameOrganization', { organizationId: id, name: 'STARK' })).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('lets a rename name its expected version, and refuses a stale one with precondition_failed', async () => {
    const id = randomUUID();
    await create('Cyberdyne', id);

    await expect(f.send('RenameOrganization', { organizationId: id, name: 'Cyberdyne Systems', expectedVersion: 1 })).resolves.toMatchObject({ version: 2 });
    await expect(f.send('RenameOrganization', { organizationId: id, name: 'Skynet', expectedVersion: 1 })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
    expect(await f.store.streamVersion(f.em(), streams.organization(id))).toBe(2);
  });

  it('answers not_found for an organization that does not exist', async () => {
    await expect(f.send('RenameOrganization', { organizationId: randomUUID(), name: 'Nobody' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.send('DeleteOrganization', { organizationId: randomUUID(), cascade: false })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses an organization created on behalf of something that is not a user', async () => {
    await expect(f.send('CreateOrganization', { organizationId: randomUUID(), name: 'Robots' }, { actor: 'system:deployer' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('deletes an empty organization, frees its name, and refuses to delete it twice', async () => {
    const id = randomUUID();
    await create('Soylent', id);

    const deleted = await f.send('DeleteOrganization', { organizationId: id, cascade: false, expectedVersion: 1 });

    expect(deleted).toMatchObject({ id, version: 2, deleted: [{ level: 'organization', id }] });
    await expect(f.send('DeleteOrganization', { organizationId: id, cascade: false })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.send('RenameOrganization', { organizationId: id, name: 'Soylent Green' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(create('Soylent')).resolves.toMatchObject({ version: 1 });
  });
});
