import { createHash, randomUUID } from 'node:crypto';
import { streams } from '@siteops/contracts';
import { hierarchyFixture, type HierarchyFixture } from '../test/hierarchy.fixture';

const composeV1 = 'services:\n  web:\n    image: nginx:1.27\n';
const composeV2 = 'services:\n  web:\n    image: nginx:1.28\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sites', () => {
  let f: HierarchyFixture;
  let organizationId: string;

  beforeAll(async () => {
    f = await hierarchyFixture('hier_sites');
    organizationId = randomUUID();
    await f.send('CreateOrganization', { organizationId, name: 'Sites Inc' });
  });

  afterAll(async () => {
    await f.cleanup();
  });

  const project = async () => {
    const projectId = randomUUID();
    await f.send('CreateProject', { projectId, organizationId, name: `Project ${projectId.slice(0, 8)}` });
    return projectId;
  };
  const create = (projectId: string, name: string, siteId = randomUUID(), extra: { environment?: string; compose?: string } = {}) =>
    f.send('CreateSite', { siteId, projectId, name, compose: composeV1, ...extra });

  it('creates a site with compose revision 1, its organization and its environment defaulting to its name', async () => {
    const projectId = await project();
    const siteId = randomUUID();

    const result = await create(projectId, 'production', siteId);

    expect(result).toMatchObject({ id: siteId, version: 2 });
    expect(await f.store.readStream(f.em(), streams.site(siteId))).toMatchObject([
      { type: 'SiteCreated', data: { siteId, projectId, organizationId, name: 'production', environment: 'production', autoDeploy: false } },
      { type: 'SiteComposeRevised', data: { siteId, revision: 1, compose: composeV1, hash: sha256(composeV1) }, position: result.position },
    ]);
  });

  it('refuses compose YAML that does not parse, naming the line and column', async () => {
    const projectId = await project();
    const siteId = randomUUID();

    const error: unknown = await create(projectId, 'broken', siteId, { compose: 'services:\n  web: [nginx\n' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'validation_failed', errors: [{ field: 'compose', message: expect.stringMatching(/line \d+, column \d+/) as unknown }] });
    expect(await f.store.streamVersion(f.em(), streams.site(siteId))).toBe(0);
    // Nothing was claimed either: the name is still free.
    await expect(create(projectId, 'broken')).resolves.toMatchObject({ version: 2 });
  });

  it('refuses unsupported compose keys over the bus with every field error, storing nothing', async () => {
    const projectId = await project();
    const siteId = randomUUID();
    const compose = 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    volumes: ["./data:/data"]\n';

    const error: unknown = await create(projectId, 'unsupported', siteId, { compose }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/^The compose document is not valid: services\.web\.volumes\.0 uses the relative path/) as unknown,
      errors: [
        { field: 'compose.services.web.volumes.0', message: expect.stringMatching(/absolute path/) as unknown },
        { field: 'compose.services.web.privileged', message: expect.stringMatching(/^is not supported/) as unknown },
      ],
    });
    expect(await f.store.streamVersion(f.em(), streams.site(siteId))).toBe(0);
  });

  it('keeps site names unique within a project only', async () => {
    const first = await project();
    const second = await project();
    await create(first, 'staging');

    await expect(create(first, 'staging')).rejects.toMatchObject({ code: 'already_exists' });
    await expect(create(second, 'staging')).resolves.toMatchObject({ version: 2 });
  });

  it('refuses to create a site again with the id of one that was deleted, and writes nothing', async () => {
    const projectId = await project();
    const siteId = randomUUID();
    await create(projectId, 'short-lived', siteId);
    await f.send('DeleteSite', { siteId, purgeVolumes: false });

    await expect(create(projectId, 'second-life', siteId)).rejects.toMatchObject({ code: 'already_exists' });
    expect((await f.store.readStream(f.em(), streams.site(siteId))).map((e) => e.type)).toEqual([
      'SiteCreated',
      'SiteComposeRevised',
      'SiteDeleted',
    ]);
    // The refused create claimed nothing: the name is free.
    await expect(create(projectId, 'second-life')).resolves.toMatchObject({ version: 2 });
  });

  it('answers not_found when the project does not exist', async () => {
    await expect(create(randomUUID(), 'nowhere')).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'projectId' }] });
  });

  it('updates settings, checks a new name, and honours the expected version', async () => {
    const projectId = await project();
    const siteId = randomUUID();
    await create(projectId, 'prod', siteId, { environment: 'production' });
    await create(projectId, 'qa');

    await expect(f.send('UpdateSite', { siteId, name: 'qa' })).rejects.toMatchObject({ code: 'already_exists' });
    await expect(f.send('UpdateSite', { siteId, autoDeploy: true, expectedVersion: 1 })).rejects.toMatchObject({ code: 'precondition_failed' });
    const updated = await f.send('UpdateSite', { siteId, name: 'live', autoDeploy: true, expectedVersion: 2 });

    expect(updated).toMatchObject({ id: siteId, version: 3 });
    expect((await f.store.readStream(f.em(), streams.site(siteId)))[2]).toMatchObject({
      type: 'SiteUpdated',
      data: { siteId, projectId, organizationId, name: 'live', environment: 'production', autoDeploy: true },
    });
  });

  it('revises the compose document; the same text again is not a new revision', async () => {
    const projectId = await project();
    const siteId = randomUUID();
    await create(projectId, 'web', siteId);

    const revised = await f.send('ReviseSiteCompose', { siteId, compose: composeV2 });
    const again = await f.send('ReviseSiteCompose', { siteId, compose: composeV2 });

    expect(revised).toMatchObject({ id: siteId, version: 3, revision: 2 });
    expect(again).toEqual(revised);
    expect((await f.store.readStream(f.em(), streams.site(siteId))).map((e) => e.type)).toEqual([
      'SiteCreated',
      'SiteComposeRevised',
      'SiteComposeRevised',
    ]);
    await expect(f.send('ReviseSiteCompose', { siteId, compose: 'services: [', expectedVersion: 3 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(f.send('ReviseSiteCompose', { siteId, compose: composeV1, expectedVersion: 2 })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
  });

  it('deletes a site, passing purgeVolumes on, and frees its name', async () => {
    const projectId = await project();
    const siteId = randomUUID();
    await create(projectId, 'temp', siteId);

    const deleted = await f.send('DeleteSite', { siteId, purgeVolumes: true });

    expect(deleted).toEqual({ id: siteId, version: 3, position: expect.any(String) as unknown });
    expect((await f.store.readStream(f.em(), streams.site(siteId)))[2]).toMatchObject({
      type: 'SiteDeleted',
      data: { siteId, projectId, organizationId, name: 'temp', purgeVolumes: true },
    });
    await expect(f.send('DeleteSite', { siteId })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.send('UpdateSite', { siteId, autoDeploy: true })).rejects.toMatchObject({ code: 'not_found' });
    await expect(create(projectId, 'temp')).resolves.toMatchObject({ version: 2 });
  });
});
