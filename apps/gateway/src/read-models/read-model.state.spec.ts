import { StateBuilder } from '../test/state.builder';
import type { RowSet } from './read-model.loader';

const none: RowSet = {
  users: [],
  apiKeys: [],
  organizations: [],
  projects: [],
  sites: [],
  grants: [],
};

describe('ReadModelState', () => {
  it('deletes a named row that the reload did not find, and keeps the others', () => {
    const b = new StateBuilder();
    const acme = b.org('acme');
    const beta = b.org('beta');
    b.state.reload(
      { users: [], apiKeys: [], organizations: [acme], projects: [], sites: [], grants: [] },
      none,
    );
    expect(b.state.organization(acme)).toBeUndefined();
    expect(b.state.organizationByName('ACME')).toBeUndefined();
    expect(b.state.organization(beta)?.name).toBe('beta');
    expect(b.state.sortedOrganizations().map((o) => o.id)).toEqual([beta]);
  });

  it('re-indexes a renamed organization', () => {
    const b = new StateBuilder();
    const id = b.org('old');
    b.state.putOrganization({
      id,
      name: 'New',
      name_key: 'new',
      created_by: 'x',
      created_at: 't',
      updated_at: 't',
      version: 2,
    });
    expect(b.state.organizationByName('old')).toBeUndefined();
    expect(b.state.organizationByName('NEW')?.dto.version).toBe(2);
    expect(b.state.organization(id)?.etag).toBe('"2"');
  });

  it('rebuilds a principal when the grants change, and reuses it otherwise', () => {
    const b = new StateBuilder();
    const acme = b.org('acme');
    const user = b.user('u@x');
    const key = b.key(user);
    const before = b.state.principalOf(user, key);
    expect(b.state.principalOf(user, key)).toBe(before);
    b.grant('organization', acme, user, 'viewer');
    const after = b.state.principalOf(user, key);
    expect(after).not.toBe(before);
    expect(after.grants).toEqual([{ path: { organizationId: acme }, role: 'viewer' }]);
    b.state.deleteGrant(acme, user.id);
    expect(b.state.principalOf(user, key).grants).toEqual([]);
  });

  it('gives a key whose scope resource is gone a scope that matches nothing', () => {
    const b = new StateBuilder();
    const acme = b.org('acme');
    const user = b.user('u@x');
    const key = b.key(user, {
      path: 'acme',
      level: 'organization',
      resourceId: acme,
      maxRole: 'viewer',
    });
    expect(b.state.scopeOf(key)?.path).toEqual({ organizationId: acme });
    b.state.deleteOrganization(acme);
    expect(b.state.scopeOf(key)?.path.organizationId).not.toBe(acme);
  });

  it('finds users by email case-insensitively and lists keys per user', () => {
    const b = new StateBuilder();
    const user = b.user('Ann@Example.com');
    const k1 = b.key(user);
    const k2 = b.key(user);
    expect(b.state.userByEmail('ann@example.COM')?.id).toBe(user.id);
    expect(
      b.state
        .apiKeysOf(user.id)
        .map((k) => k.id)
        .sort(),
    ).toEqual([k1.id, k2.id].sort());
    b.state.deleteApiKey(k1.id);
    expect(b.state.apiKeysOf(user.id).map((k) => k.id)).toEqual([k2.id]);
  });
});
