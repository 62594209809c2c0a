import { apiBodies } from './api';
import { commandSchemas } from './commands';
import { streamCategory, streams } from './streams';
import { natsNames } from './subjects';

describe('natsNames', () => {
  it('prefixes every stream, subject and consumer so installations can share a server', () => {
    const names = natsNames('ci-run_7');
    expect(names.eventStream).toBe('CI_RUN_7_EVENTS');
    expect(names.eventSubject('site', 'SiteCreated')).toBe('ci-run_7.events.site.SiteCreated');
    expect(names.eventFilter()).toBe('ci-run_7.events.>');
    expect(names.eventFilter('site')).toBe('ci-run_7.events.site.>');
    expect(names.command('hierarchy', 'CreateSite')).toBe('ci-run_7.cmd.hierarchy.CreateSite');
    expect(names.consumer('deployer', 'site.events')).toBe('CI_RUN_7_deployer_site_events');
  });

  it.each(['', 'a.b', 'a b', 'a*', 'a>'])('refuses prefix %p, which would break subject matching', (prefix) => {
    expect(() => natsNames(prefix)).toThrow();
  });
});

describe('streams', () => {
  it('names the category before the first dash', () => {
    expect(streamCategory(streams.site('5c1b0f5e-0000-4000-8000-000000000000'))).toBe('site');
    expect(streamCategory(streams.members('project', 'abc'))).toBe('members');
    expect(streamCategory(streams.secret('organization', 'o', 'DB_PASSWORD'))).toBe('secret');
    expect(streamCategory('nodash')).toBe('nodash');
  });
});

describe('request bodies', () => {
  it('accepts organization names of SPEC §1 and rejects the rest with a reason', () => {
    expect(apiBodies.createOrganization.safeParse({ name: 'University Library 2.0' }).success).toBe(true);
    for (const name of ['', ' leading', '-dash', 'x'.repeat(101), 'semi;colon']) {
      const result = apiBodies.createOrganization.safeParse({ name });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['name']);
    }
  });

  it('rejects unknown fields so typos surface', () => {
    expect(apiBodies.createOrganization.safeParse({ name: 'A', nmae: 'B' }).success).toBe(false);
  });

  it('takes site names as slugs and requires a compose document', () => {
    expect(apiBodies.createSite.safeParse({ name: 'production', compose: 'services: {}' }).success).toBe(true);
    expect(apiBodies.createSite.safeParse({ name: 'Production', compose: 'services: {}' }).success).toBe(false);
    expect(apiBodies.createSite.safeParse({ name: 'www' }).success).toBe(false);
    expect(apiBodies.createSite.safeParse({ name: 'www', compose: 'x'.repeat(256 * 1024 + 1) }).success).toBe(false);
  });

  it('needs at least one field in a PATCH', () => {
    expect(apiBodies.patchProject.safeParse({}).success).toBe(false);
    expect(apiBodies.patchSite.safeParse({ autoDeploy: true }).success).toBe(true);
  });
});

describe('command schemas', () => {
  it('fill defaults the services rely on', () => {
    const parsed = commandSchemas.CreateSite.parse({
      siteId: '5c1b0f5e-0000-4000-8000-000000000000',
      projectId: '5c1b0f5e-0000-4000-8000-000000000001',
      name: 'www',
      compose: 'services: {}',
    });
    expect(parsed.autoDeploy).toBe(false);
    expect(commandSchemas.RegisterUser.parse({ userId: '5c1b0f5e-0000-4000-8000-000000000000', email: 'a@b.org', name: 'A' }).platformAdmin).toBe(false);
  });
});

describe('e-mail addresses', () => {
  it.each(['ops@localhost', 'ops@intranet', 'a@b.example', 'first.last+tag@library.uni-x.edu'])('accepts %p, dotted domain or not', (email) => {
    expect(apiBodies.createUser.safeParse({ email, name: 'Ops' }).success).toBe(true);
  });

  it.each(['no-at-sign', 'a@', '@b', 'a@b..c', 'a@-b', 'a b@c', 'a@b_c', '.a@b', 'a@[10.0.0.1]'])('refuses %p, naming email', (email) => {
    const result = apiBodies.createUser.safeParse({ email, name: 'Ops' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['email']]);
  });
});
