import type { Level, ResourceRef, Role } from '@siteops/contracts';
import { command, specFor } from '@siteops/testing';
import { membersDecider, type MembersStreamEvent } from './members.decider';

const given = specFor(membersDecider);
const org: ResourceRef = { level: 'organization', id: '9d1f7c5e-6a4b-4f3e-8d2c-1b0a9e8d7c6b' };
const ada = '0b6a3a3e-51a7-4c43-8f43-2a2b8f4f0a01';
const bob = '1c7b4b4f-62b8-4d54-9f54-3b3c9f5f1b12';

const granted = (userId: string, role: Role, previousRole: Role | null, resource = org): MembersStreamEvent => ({
  type: 'MemberRoleGranted',
  data: { resource, userId, role, previousRole },
});
const revokedEvent = (userId: string, previousRole: Role, resource = org): MembersStreamEvent => ({
  type: 'MemberRoleRevoked',
  data: { resource, userId, previousRole },
});
const grant = (userId: string, role: Role, resource = org) => command('GrantRole', { resource, userId, role });
const revoke = (userId: string, resource = org) => command('RevokeRole', { resource, userId });
const at = (level: Level): ResourceRef => ({ level, id: '5e2d8c6f-7b5c-4a6f-9e3d-2c1b0a9f8e7d' });

describe('members decider', () => {
  describe('GrantRole', () => {
    it('grants a first role with no previous role', () => {
      given([]).when(grant(ada, 'owner')).then([granted(ada, 'owner', null)]);
    });

    it('changes a role and records the one it replaces', () => {
      given([granted(ada, 'owner', null), granted(bob, 'viewer', null)])
        .when(grant(bob, 'developer'))
        .then([granted(bob, 'developer', 'viewer')]);
    });

    it('emits nothing when the user already has that role', () => {
      given([granted(ada, 'owner', null)]).when(grant(ada, 'owner')).thenNothingHappened();
    });

    it('refuses to demote the last owner of an organization', () => {
      given([granted(ada, 'owner', null), granted(bob, 'developer', null)])
        .when(grant(ada, 'developer'))
        .thenThrows('last_owner');
    });

    it('demotes an owner when another owner remains', () => {
      given([granted(ada, 'owner', null), granted(bob, 'owner', null)])
        .when(grant(ada, 'viewer'))
        .then([granted(ada, 'viewer', 'owner')]);
    });

    it('lets the only owner of a project be demoted: the rule is about organizations', () => {
      given([granted(ada, 'owner', null, at('project'))])
        .when(grant(ada, 'viewer', at('project')))
        .then([granted(ada, 'viewer', 'owner', at('project'))]);
    });
  });

  describe('RevokeRole', () => {
    it('revokes a direct grant', () => {
      given([granted(ada, 'owner', null), granted(bob, 'viewer', null)])
        .when(revoke(bob))
        .then([revokedEvent(bob, 'viewer')]);
    });

    it('answers not_found for a user without a direct grant here', () => {
      given([granted(ada, 'owner', null)])
        .when(revoke(bob))
        .thenThrows('not_found');
    });

    it('answers not_found for a grant that was already revoked', () => {
      given([granted(ada, 'owner', null), granted(bob, 'viewer', null), revokedEvent(bob, 'viewer')])
        .when(revoke(bob))
        .thenThrows('not_found');
    });

    it('refuses to revoke the last owner of an organization, however many other members it has', () => {
      given([granted(ada, 'owner', null), granted(bob, 'developer', null)])
        .when(revoke(ada))
        .thenThrows('last_owner');
    });

    it('revokes an owner when another owner remains', () => {
      given([granted(ada, 'owner', null), granted(bob, 'owner', null)])
        .when(revoke(ada))
        .then([revokedEvent(ada, 'owner')]);
    });

    it('counts owners as they are now, not as they were', () => {
      // Bob was an owner but was demoted: Ada is the last owner again.
      given([granted(ada, 'owner', null), granted(bob, 'owner', null), granted(bob, 'viewer', 'owner')])
        .when(revoke(ada))
        .thenThrows('last_owner');
    });

    it('lets the only owner of a site go', () => {
      given([granted(ada, 'owner', null, at('site'))])
        .when(revoke(ada, at('site')))
        .then([revokedEvent(ada, 'owner', at('site'))]);
    });
  });
});
