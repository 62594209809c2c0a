import { streams } from '@siteops/contracts';
import { query } from '@siteops/event-store';
import { hashReadModels } from '@siteops/read-models';
import { eventually, SeededRandom } from '@siteops/testing';
import { changesSince, dumpReadModels, isoOrNull, projectorTestEnv, type ProjectorTestEnv } from '../test/projector-test-env';
import { newEvent, sortTables, World } from '../test/world';

/**
 * One installation's story, told in order: each test continues from the
 * previous one, and after each the tables must equal the model exactly.
 */
describe('read-model projection', () => {
  let env: ProjectorTestEnv;
  let world: World;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    env = await projectorTestEnv('projection');
    world = new World(env.store, env.em, new SeededRandom(7));
    await env.start({ batchSize: 20 });
  });

  afterAll(async () => {
    await env.cleanup();
  });

  async function lastSeq(): Promise<string> {
    const { rows } = await query<{ seq: string }>(env.em(), 'SELECT coalesce(max(seq), 0)::text AS seq FROM rm_changes');
    return rows[0]!.seq;
  }

  async function expectTablesToMatchWorld(): Promise<void> {
    await env.caughtUp();
    expect(sortTables(await dumpReadModels(env.em()))).toEqual(sortTables(world.expected()));
  }

  it('projects users, organizations with their founding owner, projects, sites and compose revisions', async () => {
    const before = await lastSeq();
    alice = await world.registerUser(true);
    bob = await world.registerUser();
    const org = await world.createOrganization(alice);
    const project = await world.createProject(org, alice);
    const site = await world.createSite(project, alice);
    await world.reviseCompose(site, bob);
    await world.renameOrganization(org, alice);
    await world.updateProject(project, alice);
    await world.updateSite(site, alice);
    await world.grant('project', project, bob, 'developer', alice);
    await world.grant('site', site, bob, 'viewer', alice);
    await world.grant('site', site, bob, 'owner', alice);
    await expectTablesToMatchWorld();

    const tables = await dumpReadModels(env.em());
    // Spot checks of the rules the model encodes, in the words of the spec.
    expect(tables['rm_users']!.find((u) => u['id'] === bob)).toMatchObject({ email_key: world.users.get(bob)!.email.toLowerCase() });
    expect(tables['rm_organizations']![0]).toMatchObject({ id: org, version: 2, created_by: alice });
    expect(tables['rm_sites']![0]).toMatchObject({ id: site, compose_revision: 2, version: 4 });
    expect(tables['rm_site_compose']!.map((c) => [c['revision'], c['created_by']])).toEqual([[1, alice], [2, bob]]);
    expect(tables['rm_grants']!.find((g) => g['resource_id'] === site)).toMatchObject({
      role: 'owner',
      organization_id: org,
      project_id: project,
      site_id: site,
    });

    const changes = await changesSince(env.em(), before);
    const named = new Set(changes.map((c) => `${c.kind} ${c.id}`));
    expect(named).toEqual(
      new Set([
        `user ${alice}`,
        `user ${bob}`,
        `organization ${org}`,
        `project ${project}`,
        `site ${site}`,
        `grant ${org}:${alice}`,
        `grant ${project}:${bob}`,
        `grant ${site}:${bob}`,
      ]),
    );
  });

  it('projects API keys as issued, with their scope, and their revocation', async () => {
    const project = [...world.projects.keys()][0]!;
    const scoped = await world.issueKey(bob, { path: 'Org/Project', level: 'project', resourceId: project, maxRole: 'viewer' });
    const plain = await world.issueKey(bob);
    await expectTablesToMatchWorld();
    const before = await lastSeq();
    await world.revokeKey(scoped);
    await expectTablesToMatchWorld();

    const { rows } = await query<{ scope: unknown; revoked_at: string | null }>(env.em(), 'SELECT scope, revoked_at FROM rm_api_keys WHERE id = ?', [scoped]);
    expect(rows[0]!.scope).toEqual({ path: 'Org/Project', level: 'project', resourceId: project, maxRole: 'viewer' });
    expect(isoOrNull(rows[0]!.revoked_at)).toBe(world.keys.get(scoped)!.revokedAt);
    const { rows: unscoped } = await query<{ scope: unknown }>(env.em(), 'SELECT scope FROM rm_api_keys WHERE id = ?', [plain]);
    expect(unscoped[0]!.scope).toBeNull();
    // The revocation is what every gateway must see: exactly that key is named.
    expect((await changesSince(env.em(), before)).map((c) => [c.kind, c.id])).toEqual([['apiKey', scoped]]);
  });

  it('revokes a grant and names it in the feed', async () => {
    const site = [...world.sites.keys()][0]!;
    const before = await lastSeq();
    await world.revoke(`${site}:${bob}`, alice);
    await expectTablesToMatchWorld();
    expect((await changesSince(env.em(), before)).map((c) => [c.kind, c.id])).toEqual([['grant', `${site}:${bob}`]]);
  });

  it('deleting a project with cascade removes its sites, their compose revisions and every grant below it', async () => {
    const org = [...world.orgs.keys()][0]!;
    const project = [...world.projects.keys()][0]!;
    const siteA = [...world.sites.keys()][0]!;
    const siteB = await world.createSite(project, alice);
    await world.grant('site', siteB, bob, 'developer', alice);
    await world.grant('site', siteA, bob, 'viewer', alice);
    const keep = await world.createProject(org, alice);
    await world.grant('project', keep, bob, 'viewer', alice);
    await expectTablesToMatchWorld();

    const before = await lastSeq();
    await world.deleteProject(project, alice);
    await expectTablesToMatchWorld();

    const { rows } = await query<{ n: string }>(
      env.em(),
      'SELECT count(*)::text AS n FROM rm_site_compose WHERE site_id IN (?, ?)',
      [siteA, siteB],
    );
    expect(rows[0]!.n).toBe('0');
    const named = (await changesSince(env.em(), before)).map((c) => `${c.kind} ${c.id}`);
    expect(new Set(named)).toEqual(
      new Set([`site ${siteA}`, `site ${siteB}`, `grant ${siteA}:${bob}`, `grant ${siteB}:${bob}`, `grant ${project}:${bob}`, `project ${project}`]),
    );
    expect(named).toHaveLength(6);
  });

  it('deleting an organization with cascade leaves nothing of it, and other organizations untouched', async () => {
    const doomed = [...world.orgs.keys()][0]!;
    const other = await world.createOrganization(bob);
    const otherProject = await world.createProject(other, bob);
    await world.createSite(otherProject, bob);
    const site = await world.createSite([...world.projects.values()].find((p) => p.organizationId === doomed)!.id, alice);
    await world.grant('site', site, bob, 'owner', alice);
    await expectTablesToMatchWorld();

    await world.deleteOrganization(doomed, alice);
    await expectTablesToMatchWorld();
    const { rows } = await query<{ n: string }>(
      env.em(),
      `SELECT (SELECT count(*) FROM rm_grants WHERE organization_id = ?)
            + (SELECT count(*) FROM rm_projects WHERE organization_id = ?)
            + (SELECT count(*) FROM rm_sites WHERE organization_id = ?) AS n`,
      [doomed, doomed, doomed],
    );
    expect(Number(rows[0]!.n)).toBe(0);
    expect(world.orgs.size).toBe(1);
  });

  it('ignores a grant on a resource that no longer exists, and a revoke of a grant that is not there', async () => {
    const before = await lastSeq();
    const hash = (await hashReadModels(env.em())).hash;
    const goneSite = 'dddddddd-0000-4000-8000-000000000001';
    await env.store.append(
      env.em(),
      streams.members('site', goneSite),
      'any',
      [
        newEvent('MemberRoleGranted', { resource: { level: 'site', id: goneSite }, userId: bob, role: 'owner', previousRole: null }, '2026-02-01T00:00:00.000Z', alice),
        newEvent('MemberRoleRevoked', { resource: { level: 'site', id: goneSite }, userId: alice, previousRole: 'owner' }, '2026-02-01T00:00:01.000Z', alice),
      ],
      { correlationId: 'c', causationId: 'c', actor: alice },
    );
    await expectTablesToMatchWorld();
    expect((await hashReadModels(env.em())).hash).toBe(hash);
    expect(await changesSince(env.em(), before)).toEqual([]);
  });

  it('skips events of other types but still moves the checkpoint and announces it', async () => {
    const messages = await env.listen();
    const before = await lastSeq();
    const hash = (await hashReadModels(env.em())).hash;
    const site = [...world.sites.keys()][0]!;
    await world.setSecret('site', site, bob);
    const result = await env.store.append(env.em(), 'future-1', 'no_stream', [{ type: 'SomethingNewHappened', data: { x: 1 } }], {
      correlationId: 'c',
      causationId: 'c',
      actor: bob,
    });
    const at = await env.caughtUp();
    expect(at.toString()).toBe(result.position);
    expect((await hashReadModels(env.em())).hash).toBe(hash);
    expect(await changesSince(env.em(), before)).toEqual([]);
    await eventually(() => messages.some((m) => m.position === result.position), { message: 'the wake-up for the skipped events' });
    expect(messages.find((m) => m.position === result.position)!.seq).toBe(before);
  });

  it('publishes projectionChanged after the commit, carrying the committed seq and checkpoint', async () => {
    const messages = await env.listen();
    const org = [...world.orgs.keys()][0]!;
    await world.renameOrganization(org, bob);
    const message = await eventually(() => messages[messages.length - 1], { message: 'a projectionChanged message' });
    // The message is sent after the commit, so the rows it announces are visible now.
    const changes = await changesSince(env.em(), 0);
    expect(changes[changes.length - 1]).toEqual({ seq: message.seq, kind: 'organization', id: org });
    expect((await env.checkpoint())!.toString()).toBe(message.position);
    const { rows } = await query<{ name: string }>(env.em(), 'SELECT name FROM rm_organizations WHERE id = ?', [org]);
    expect(rows[0]!.name).toBe(world.orgs.get(org)!.name);
  });
});
