import { randomUUID } from 'node:crypto';
import { streams, type ResourceRef, type Role } from '@siteops/contracts';
import { identityFixture, type IdentityFixture } from '../test/identity.fixture';

describe('GrantRole and RevokeRole', () => {
  let f: IdentityFixture;
  const system = { correlationId: 'setup', causationId: 'setup', actor: 'system:test' };

  beforeAll(async () => {
    f = await identityFixture('identity_members');
    await f.start();
  });

  afterAll(async () => {
    await f.cleanup();
  });

  const user = async () => {
    const userId = randomUUID();
    await f.send('RegisterUser', { userId, email: `${userId}@example.org`, name: 'Member' });
    return userId;
  };

  /** What the hierarchy service writes when an organization is created, founding grant included. */
  const organization = async (owner: string): Promise<ResourceRef> => {
    const id = randomUUID();
    const resource: ResourceRef = { level: 'organization', id };
    await f.store.appendMany(
      f.em(),
      [
        { streamId: streams.organization(id), expectedVersion: 'no_stream', events: [{ type: 'OrganizationCreated', data: { organizationId: id, name: `Org ${id}`, createdBy: owner } }] },
        {
          streamId: streams.members('organization', id),
          expectedVersion: 'no_stream',
          events: [{ type: 'MemberRoleGranted', data: { resource, userId: owner, role: 'owner', previousRole: null } }],
        },
      ],
      system,
    );
    return resource;
  };

  const grant = (resource: ResourceRef, userId: string, role: Role) => f.send('GrantRole', { resource, userId, role });
  const revoke = (resource: ResourceRef, userId: string) => f.send('RevokeRole', { resource, userId });
  const memberEvents = async (resource: ResourceRef) =>
    (await f.store.readStream(f.em(), streams.members(resource.level, resource.id))).map((e) => e.data);

  it('grants a role, changes it, and records the role it replaced', async () => {
    const owner = await user();
    const dev = await user();
    const org = await organization(owner);

    const first = await grant(org, dev, 'viewer');
    const second = await grant(org, dev, 'developer');

    expect(first).toMatchObject({ id: dev, version: 2 });
    expect(second).toMatchObject({ id: dev, version: 3 });
    expect((await memberEvents(org)).slice(1)).toEqual([
      { resource: org, userId: dev, role: 'viewer', previousRole: null },
      { resource: org, userId: dev, role: 'developer', previousRole: 'viewer' },
    ]);
  });

  it('answers a repeated grant of the same role with the current version and appends nothing', async () => {
    const owner = await user();
    const dev = await user();
    const org = await organization(owner);
    const granted = await grant(org, dev, 'developer');

    expect(await grant(org, dev, 'developer')).toEqual(granted);
    expect(await memberEvents(org)).toHaveLength(2);
  });

  it('answers not_found for a user that does not exist', async () => {
    const org = await organization(await user());

    await expect(grant(org, randomUUID(), 'viewer')).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'userId' }] });
  });

  it('answers not_found for a resource that does not exist or was deleted', async () => {
    const owner = await user();
    await expect(grant({ level: 'project', id: randomUUID() }, owner, 'viewer')).rejects.toMatchObject({ code: 'not_found' });

    const org = await organization(owner);
    await f.store.append(f.em(), streams.organization(org.id), 1, [{ type: 'OrganizationDeleted', data: { organizationId: org.id, name: 'x' } }], system);
    await expect(grant(org, await user(), 'viewer')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('revokes a direct grant, and answers not_found for a user without one', async () => {
    const owner = await user();
    const viewer = await user();
    const org = await organization(owner);
    await grant(org, viewer, 'viewer');

    expect(await revoke(org, viewer)).toMatchObject({ id: viewer, version: 3 });
    await expect(revoke(org, viewer)).rejects.toMatchObject({ code: 'not_found' });
    expect((await memberEvents(org)).at(-1)).toEqual({ resource: org, userId: viewer, previousRole: 'viewer' });
  });

  it('keeps the last owner of an organization: no revocation, no demotion', async () => {
    const owner = await user();
    const org = await organization(owner);
    await grant(org, await user(), 'developer');

    await expect(revoke(org, owner)).rejects.toMatchObject({ code: 'last_owner' });
    await expect(grant(org, owner, 'developer')).rejects.toMatchObject({ code: 'last_owner' });
    expect(await memberEvents(org)).toHaveLength(2);
  });

  it('lets an owner go once another owner exists', async () => {
    const founder = await user();
    const successor = await user();
    const org = await organization(founder);
    await grant(org, successor, 'owner');

    await revoke(org, founder);

    await expect(revoke(org, successor)).rejects.toMatchObject({ code: 'last_owner' });
  });

  it('never lets two owners revoked at once leave an organization without one', async () => {
    const a = await user();
    const b = await user();
    const org = await organization(a);
    await grant(org, b, 'owner');

    const results = await Promise.allSettled([revoke(org, a), revoke(org, b)]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'last_owner' } });
  });

  it('serialises concurrent grants on one resource without losing any', async () => {
    const org = await organization(await user());
    const users = await Promise.all(Array.from({ length: 20 }, () => user()));

    await Promise.all(users.map((u) => grant(org, u, 'viewer')));

    const granted = (await memberEvents(org)).slice(1).map((d) => (d as { userId: string }).userId);
    expect(granted.sort()).toEqual([...users].sort());
  });
});
