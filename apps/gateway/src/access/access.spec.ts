import { DomainError } from '@siteops/contracts';
import { StateBuilder } from '../test/state.builder';
import { authorize, requirePlatformAdmin, requireVisible } from './access';

function outcome(run: () => unknown): string {
  try {
    run();
    return 'allow';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('authorize', () => {
  const b = new StateBuilder();
  const acme = b.org('acme');
  const web = b.project(acme, 'web');
  const prod = b.site(web, 'prod');
  const viewer = b.user('viewer@x');
  const siteDev = b.user('dev@x');
  const admin = b.user('admin@x', true);
  b.grant('organization', acme, viewer, 'viewer');
  b.grant('site', prod, siteDev, 'developer');
  const org = b.state.organization(acme);
  const site = b.state.site(prod);

  it('is 404 for what does not exist or cannot be seen, 403 for a role too low', () => {
    expect(outcome(() => authorize(b.caller(viewer), 'organization', 'x', undefined, 'read'))).toBe(
      'not_found',
    );
    expect(outcome(() => authorize(b.caller(viewer), 'organization', acme, org, 'read'))).toBe(
      'allow',
    );
    expect(outcome(() => authorize(b.caller(viewer), 'organization', acme, org, 'update'))).toBe(
      'forbidden',
    );
    // A site grant shows the organization by name only: reading it needs a role.
    expect(outcome(() => authorize(b.caller(siteDev), 'organization', acme, org, 'read'))).toBe(
      'forbidden',
    );
    expect(outcome(() => authorize(b.caller(siteDev), 'site', prod, site, 'update'))).toBe('allow');
    expect(outcome(() => authorize(b.caller(siteDev), 'site', prod, site, 'delete'))).toBe(
      'forbidden',
    );
  });

  it('gives platform admins owner everywhere, within their key scope', () => {
    expect(outcome(() => authorize(b.caller(admin), 'site', prod, site, 'delete'))).toBe('allow');
    const scoped = b.key(admin, {
      path: 'acme/web/prod',
      level: 'site',
      resourceId: prod,
      maxRole: 'viewer',
    });
    expect(outcome(() => authorize(b.caller(admin, scoped), 'site', prod, site, 'read'))).toBe(
      'allow',
    );
    expect(outcome(() => authorize(b.caller(admin, scoped), 'site', prod, site, 'update'))).toBe(
      'forbidden',
    );
  });

  it('says which role is needed and which the caller has', () => {
    try {
      authorize(b.caller(viewer), 'organization', acme, org, 'delete');
    } catch (error) {
      expect((error as Error).message).toBe(
        'This needs the owner role on organization "acme"; you have the viewer role there',
      );
    }
    expect.assertions(1);
  });

  it('lets list routes through on visibility alone', () => {
    expect(outcome(() => requireVisible(b.caller(siteDev), 'organization', acme, org))).toBe(
      'allow',
    );
    expect(outcome(() => requireVisible(b.caller(b.user('x@x')), 'organization', acme, org))).toBe(
      'not_found',
    );
  });

  it('keeps platform administration to admins with unscoped keys', () => {
    expect(
      outcome(() => {
        requirePlatformAdmin(b.caller(admin));
      }),
    ).toBe('allow');
    expect(
      outcome(() => {
        requirePlatformAdmin(b.caller(viewer));
      }),
    ).toBe('forbidden');
    const scoped = b.key(admin, {
      path: 'acme',
      level: 'organization',
      resourceId: acme,
      maxRole: 'owner',
    });
    expect(
      outcome(() => {
        requirePlatformAdmin(b.caller(admin, scoped));
      }),
    ).toBe('forbidden');
  });
});
