import type { Role } from '@siteops/contracts';
import { accessTo, decide, type PathGrant, type Principal, type ResourcePath } from './access';

const org: ResourcePath = { organizationId: 'o1' };
const project: ResourcePath = { organizationId: 'o1', projectId: 'p1' };
const site: ResourcePath = { organizationId: 'o1', projectId: 'p1', siteId: 's1' };
const otherSite: ResourcePath = { organizationId: 'o1', projectId: 'p1', siteId: 's2' };
const otherProject: ResourcePath = { organizationId: 'o1', projectId: 'p2' };
const otherOrg: ResourcePath = { organizationId: 'o2' };

const user = (grants: PathGrant[], scope: Principal['scope'] = null): Principal => ({ platformAdmin: false, grants, scope });
const grant = (path: ResourcePath, role: Role): PathGrant => ({ path, role });

describe('accessTo', () => {
  it('inherits a role downwards and takes the highest along the path', () => {
    const p = user([grant(org, 'viewer'), grant(project, 'developer'), grant(site, 'viewer')]);
    expect(accessTo(p, org)).toEqual({ visible: true, role: 'viewer' });
    expect(accessTo(p, project)).toEqual({ visible: true, role: 'developer' });
    // A lower grant at the site never narrows the inherited developer.
    expect(accessTo(p, site)).toEqual({ visible: true, role: 'developer' });
    expect(accessTo(p, otherProject)).toEqual({ visible: true, role: 'viewer' });
  });

  it('shows ancestors of a grant by name only, and nothing beside it', () => {
    const p = user([grant(site, 'owner')]);
    expect(accessTo(p, org)).toEqual({ visible: true, role: null });
    expect(accessTo(p, project)).toEqual({ visible: true, role: null });
    expect(accessTo(p, site)).toEqual({ visible: true, role: 'owner' });
    expect(accessTo(p, otherSite)).toEqual({ visible: false, role: null });
    expect(accessTo(p, otherOrg)).toEqual({ visible: false, role: null });
  });

  it('gives platform admins owner everywhere', () => {
    expect(accessTo({ platformAdmin: true, grants: [], scope: null }, otherOrg)).toEqual({ visible: true, role: 'owner' });
  });

  it('narrows by key scope: capped role inside, names of ancestors, nothing outside', () => {
    const p = user([grant(org, 'owner')], { path: project, maxRole: 'viewer' });
    expect(accessTo(p, project)).toEqual({ visible: true, role: 'viewer' });
    expect(accessTo(p, site)).toEqual({ visible: true, role: 'viewer' });
    expect(accessTo(p, org)).toEqual({ visible: true, role: null });
    expect(accessTo(p, otherProject)).toEqual({ visible: false, role: null });
  });

  it('never lets a scope widen a role', () => {
    const p = user([grant(site, 'viewer')], { path: project, maxRole: 'owner' });
    expect(accessTo(p, site)).toEqual({ visible: true, role: 'viewer' });
    expect(accessTo(p, project)).toEqual({ visible: true, role: null });
    expect(accessTo(p, otherSite)).toEqual({ visible: false, role: null });
  });

  it('hides the ancestors of a scope the user cannot see', () => {
    const p = user([], { path: project, maxRole: 'owner' });
    expect(accessTo(p, org)).toEqual({ visible: false, role: null });
  });
});

describe('decide', () => {
  it('is 404 when invisible, 403 when the role is too low, allow otherwise', () => {
    expect(decide({ visible: false, role: null }, 'viewer')).toBe('not_found');
    expect(decide({ visible: true, role: null }, 'viewer')).toBe('forbidden');
    expect(decide({ visible: true, role: 'developer' }, 'owner')).toBe('forbidden');
    expect(decide({ visible: true, role: 'owner' }, 'developer')).toBe('allow');
  });
});
