import { DomainError } from '@siteops/contracts';
import { StateBuilder } from '../test/state.builder';
import { resolvePath } from './path.resolver';

describe('resolvePath', () => {
  const b = new StateBuilder();
  const acme = b.org('Acme Corp');
  const web = b.project(acme, 'Web Site');
  const prod = b.site(web, 'prod');
  b.org('hidden');
  const admin = b.user('admin@x', true);
  const siteDev = b.user('dev@x');
  b.grant('site', prod, siteDev, 'developer');

  const code = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error instanceof DomainError ? error.code : 'other';
    }
    return 'ok';
  };

  it('matches organization and project names case-insensitively and answers ids and names', () => {
    expect(resolvePath(b.state, b.principal(admin), 'acme corp/WEB SITE/prod')).toEqual({
      level: 'site',
      organization: { id: acme, name: 'Acme Corp' },
      project: { id: web, name: 'Web Site' },
      site: { id: prod, name: 'prod' },
    });
    expect(resolvePath(b.state, b.principal(admin), 'ACME CORP')).toEqual({
      level: 'organization',
      organization: { id: acme, name: 'Acme Corp' },
    });
  });

  it('matches site slugs exactly', () => {
    expect(code(() => resolvePath(b.state, b.principal(admin), 'acme corp/web site/PROD'))).toBe(
      'not_found',
    );
  });

  it('resolves what a member can see through a grant below, and nothing else', () => {
    expect(resolvePath(b.state, b.principal(siteDev), 'Acme Corp/Web Site').level).toBe('project');
    expect(code(() => resolvePath(b.state, b.principal(siteDev), 'hidden'))).toBe('not_found');
  });

  it('answers unknown names like invisible ones', () => {
    expect(code(() => resolvePath(b.state, b.principal(admin), 'nope'))).toBe('not_found');
    expect(code(() => resolvePath(b.state, b.principal(admin), 'Acme Corp/nope'))).toBe(
      'not_found',
    );
  });

  it.each(['', 'a//b', 'a/b/c/d', '/a'])('refuses the malformed path %p', (path) => {
    expect(code(() => resolvePath(b.state, b.principal(admin), path))).toBe('validation_failed');
  });
});
