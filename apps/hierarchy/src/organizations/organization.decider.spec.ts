import { COMMAND_ACTOR, command, specFor } from '@siteops/testing';
import { foundingOwnerGrant } from './founding-owner';
import { organizationDecider, type OrganizationStreamEvent } from './organization.decider';

const given = specFor(organizationDecider);
const organizationId = '9d1f7c5e-6a4b-4f3e-8d2c-1b0a9e8d7c6b';
const created: OrganizationStreamEvent = { type: 'OrganizationCreated', data: { organizationId, name: 'Acme', createdBy: COMMAND_ACTOR } };
const renamed: OrganizationStreamEvent = { type: 'OrganizationRenamed', data: { organizationId, name: 'Acme Corp', previousName: 'Acme' } };
const deleted: OrganizationStreamEvent = { type: 'OrganizationDeleted', data: { organizationId, name: 'Acme Corp' } };

describe('organization decider', () => {
  describe('CreateOrganization', () => {
    it('creates the organization, recording its creator', () => {
      given([]).when(command('CreateOrganization', { organizationId, name: 'Acme' })).then([created]);
    });

    it('refuses an id that is taken, even by a deleted organization', () => {
      given([created, deleted]).when(command('CreateOrganization', { organizationId, name: 'Acme' })).thenThrows('already_exists');
    });

    it('refuses a creator that is not a user, since the creator becomes the owner', () => {
      given([])
        .when(command('CreateOrganization', { organizationId, name: 'Acme' }, { actor: 'system:deployer' }))
        .thenThrows('validation_failed');
    });
  });

  describe('RenameOrganization', () => {
    it('renames, recording the previous name', () => {
      given([created]).when(command('RenameOrganization', { organizationId, name: 'Acme Corp' })).then([renamed]);
    });

    it('treats a change of case as a rename', () => {
      given([created])
        .when(command('RenameOrganization', { organizationId, name: 'ACME' }))
        .then([{ type: 'OrganizationRenamed', data: { organizationId, name: 'ACME', previousName: 'Acme' } }]);
    });

    it('does nothing when the name is unchanged', () => {
      given([created, renamed]).when(command('RenameOrganization', { organizationId, name: 'Acme Corp' })).thenNothingHappened();
    });

    it('cannot rename what does not exist or was deleted', () => {
      given([]).when(command('RenameOrganization', { organizationId, name: 'X' })).thenThrows('not_found');
      given([created, renamed, deleted]).when(command('RenameOrganization', { organizationId, name: 'X' })).thenThrows('not_found');
    });
  });

  describe('DeleteOrganization', () => {
    it('deletes under its current name', () => {
      given([created, renamed]).when(command('DeleteOrganization', { organizationId, cascade: false })).then([deleted]);
    });

    it('cannot delete twice', () => {
      given([created, renamed, deleted]).when(command('DeleteOrganization', { organizationId, cascade: false })).thenThrows('not_found');
    });
  });
});

describe('founding owner', () => {
  it('is the first grant of the organization\'s members stream: the creator as owner, replacing nothing', () => {
    expect(foundingOwnerGrant(organizationId, COMMAND_ACTOR)).toEqual({
      type: 'MemberRoleGranted',
      data: { resource: { level: 'organization', id: organizationId }, userId: COMMAND_ACTOR, role: 'owner', previousRole: null },
    });
  });
});
