import { StateBuilder } from '../test/state.builder';
import { membersOf } from './members.listing';

describe('membersOf', () => {
  const b = new StateBuilder();
  const acme = b.org('acme');
  const web = b.project(acme, 'web');
  const prod = b.site(web, 'prod');
  const other = b.project(acme, 'other');
  const ann = b.user('Ann@x');
  const bob = b.user('bob@x');
  const cid = b.user('cid@x');
  b.grant('organization', acme, bob, 'owner');
  b.grant('project', web, ann, 'developer');
  b.grant('site', prod, ann, 'viewer');
  b.grant('project', other, cid, 'owner');

  it('lists direct grants and those of every ancestor, each with its source', () => {
    expect(membersOf(b.state, b.state.node('site', prod)!)).toEqual([
      {
        userId: ann.id,
        email: 'Ann@x',
        role: 'developer',
        source: { level: 'project', id: web },
        inherited: true,
      },
      {
        userId: ann.id,
        email: 'Ann@x',
        role: 'viewer',
        source: { level: 'site', id: prod },
        inherited: false,
      },
      {
        userId: bob.id,
        email: 'bob@x',
        role: 'owner',
        source: { level: 'organization', id: acme },
        inherited: true,
      },
    ]);
  });

  it('does not list grants below the resource or beside it', () => {
    expect(membersOf(b.state, b.state.node('organization', acme)!)).toEqual([
      {
        userId: bob.id,
        email: 'bob@x',
        role: 'owner',
        source: { level: 'organization', id: acme },
        inherited: false,
      },
    ]);
  });
});
