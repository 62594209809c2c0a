import { DomainError } from '@siteops/contracts';
import { StateBuilder } from '../test/state.builder';
import { mayRevoke, settleApiKeyTerms } from './api-key.issuer';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function code(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('settleApiKeyTerms', () => {
  const b = new StateBuilder();
  const acme = b.org('Acme');
  const web = b.project(acme, 'Web');
  const prod = b.site(web, 'prod');
  b.org('Other');
  const dev = b.user('dev@x');
  b.grant('project', web, dev, 'developer');
  const unscoped = b.caller(dev);

  it('resolves the scope path to ids with canonical names, against what the key user may see', () => {
    const terms = settleApiKeyTerms(
      b.state,
      unscoped,
      dev,
      { name: 'ci', scope: { path: 'acme/web/prod', maxRole: 'viewer' } },
      NOW,
    );
    expect(terms.scope).toEqual({
      path: 'Acme/Web/prod',
      level: 'site',
      resourceId: prod,
      maxRole: 'viewer',
    });
    expect(
      code(() =>
        settleApiKeyTerms(
          b.state,
          unscoped,
          dev,
          { name: 'ci', scope: { path: 'Other', maxRole: 'viewer' } },
          NOW,
        ),
      ),
    ).toBe('not_found');
  });

  it('normalizes the expiry and refuses one in the past', () => {
    expect(
      settleApiKeyTerms(
        b.state,
        unscoped,
        dev,
        { name: 'ci', expiresAt: '2026-07-01T02:00:00+02:00' },
        NOW,
      ).expiresAt,
    ).toBe('2026-07-01T00:00:00.000Z');
    expect(
      code(() =>
        settleApiKeyTerms(
          b.state,
          unscoped,
          dev,
          { name: 'ci', expiresAt: '2026-05-01T00:00:00Z' },
          NOW,
        ),
      ),
    ).toBe('validation_failed');
  });

  describe('from a scoped key', () => {
    const scopedKey = b.key(
      dev,
      { path: 'Acme/Web', level: 'project', resourceId: web, maxRole: 'developer' },
      '2026-06-10T00:00:00.000Z',
    );
    const scoped = b.caller(dev, scopedKey);
    const inside = { path: 'acme/web/prod', maxRole: 'viewer' as const };

    it('issues a key inside its scope, with no higher role, that does not outlive it', () => {
      expect(
        code(() =>
          settleApiKeyTerms(
            b.state,
            scoped,
            dev,
            { name: 'ci', scope: inside, expiresAt: '2026-06-05T00:00:00Z' },
            NOW,
          ),
        ),
      ).toBe('ok');
    });

    it.each([
      ['an unscoped key', { name: 'x', expiresAt: '2026-06-05T00:00:00Z' }],
      [
        'a key outside its scope',
        {
          name: 'x',
          scope: { path: 'acme', maxRole: 'viewer' as const },
          expiresAt: '2026-06-05T00:00:00Z',
        },
      ],
      [
        'a higher role',
        {
          name: 'x',
          scope: { path: 'acme/web', maxRole: 'owner' as const },
          expiresAt: '2026-06-05T00:00:00Z',
        },
      ],
      ['a key without expiry', { name: 'x', scope: inside }],
      ['a key that outlives it', { name: 'x', scope: inside, expiresAt: '2026-07-01T00:00:00Z' }],
    ])('refuses %s', (_what, body) => {
      expect(code(() => settleApiKeyTerms(b.state, scoped, dev, body, NOW))).toBe('forbidden');
    });
  });
});

describe('mayRevoke', () => {
  const b = new StateBuilder();
  const acme = b.org('acme');
  const web = b.project(acme, 'web');
  const user = b.user('u@x');
  const other = b.user('o@x');
  const unscopedKey = b.key(user);
  const projectKey = b.key(user, {
    path: 'acme/web',
    level: 'project',
    resourceId: web,
    maxRole: 'viewer',
  });
  const orgKey = b.key(user, {
    path: 'acme',
    level: 'organization',
    resourceId: acme,
    maxRole: 'viewer',
  });

  it('lets users revoke their own keys, admins anyone’s', () => {
    expect(mayRevoke(b.state, b.caller(user, unscopedKey), orgKey, false)).toBe(true);
    expect(mayRevoke(b.state, b.caller(other), orgKey, false)).toBe(false);
    expect(mayRevoke(b.state, b.caller(other), orgKey, true)).toBe(true);
  });

  it('lets a scoped key revoke itself and keys inside its scope only', () => {
    expect(mayRevoke(b.state, b.caller(user, projectKey), projectKey, false)).toBe(true);
    expect(mayRevoke(b.state, b.caller(user, orgKey), projectKey, false)).toBe(true);
    expect(mayRevoke(b.state, b.caller(user, projectKey), orgKey, false)).toBe(false);
    expect(mayRevoke(b.state, b.caller(user, projectKey), unscopedKey, false)).toBe(false);
  });
});
