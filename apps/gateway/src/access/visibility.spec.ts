import { StateBuilder } from '../test/state.builder';
import { visibleChildren, visibleOrganizations } from './visibility';

describe('list visibility', () => {
  const b = new StateBuilder();
  const acme = b.org('acme');
  const beta = b.org('Beta');
  b.org('gamma');
  const web = b.project(acme, 'web');
  b.project(acme, 'api');
  const prod = b.site(web, 'prod');
  b.site(web, 'staging');
  const admin = b.user('admin@x', true);
  const viewer = b.user('viewer@x');
  const siteOnly = b.user('site@x');
  const nobody = b.user('nobody@x');
  b.grant('organization', beta, viewer, 'viewer');
  b.grant('organization', acme, viewer, 'viewer');
  b.grant('site', prod, siteOnly, 'developer');

  const names = (orgs: readonly { name: string }[]) => orgs.map((o) => o.name);

  it('shows a platform admin every organization, by name case-insensitively', () => {
    expect(names(visibleOrganizations(b.state, b.principal(admin)))).toEqual([
      'acme',
      'Beta',
      'gamma',
    ]);
  });

  it('shows members the organizations they hold a role in', () => {
    expect(names(visibleOrganizations(b.state, b.principal(viewer)))).toEqual(['acme', 'Beta']);
    expect(visibleOrganizations(b.state, b.principal(nobody))).toEqual([]);
  });

  it('shows the ancestors of a site grant, and nothing beside it', () => {
    const p = b.principal(siteOnly);
    expect(names(visibleOrganizations(b.state, p))).toEqual(['acme']);
    expect(visibleChildren(b.state.sortedProjectsOf(acme), p).map((x) => x.name)).toEqual(['web']);
    expect(visibleChildren(b.state.sortedSitesOf(web), p).map((x) => x.name)).toEqual(['prod']);
  });

  it('limits a scoped key to its subtree (and its ancestors by name)', () => {
    const key = b.key(admin, {
      path: 'acme/web',
      level: 'project',
      resourceId: web,
      maxRole: 'viewer',
    });
    const p = b.principal(admin, key);
    expect(names(visibleOrganizations(b.state, p))).toEqual(['acme']);
    expect(visibleChildren(b.state.sortedProjectsOf(acme), p).map((x) => x.name)).toEqual(['web']);
    expect(visibleChildren(b.state.sortedSitesOf(web), p).map((x) => x.name)).toEqual([
      'prod',
      'staging',
    ]);
  });
});
