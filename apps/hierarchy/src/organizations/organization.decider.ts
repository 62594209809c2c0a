import { DomainError, type Command, type CommandData, type Decider, type NewEventOf, type OrganizationEvent } from '@siteops/contracts';
import { USER_ID } from '../shared/actor';

export type OrganizationCommand =
  | Command<'CreateOrganization', CommandData<'CreateOrganization'>>
  | Command<'RenameOrganization', CommandData<'RenameOrganization'>>
  | Command<'DeleteOrganization', CommandData<'DeleteOrganization'>>;
export type OrganizationStreamEvent = NewEventOf<OrganizationEvent>;

export type OrganizationState =
  | { readonly status: 'none' }
  | { readonly status: 'active' | 'deleted'; readonly organizationId: string; readonly name: string };

/**
 * One organization. Its name's uniqueness and whether it still has projects
 * are rules across streams; the handlers check those with `hierarchy_nodes`.
 */
export const organizationDecider: Decider<OrganizationCommand, OrganizationStreamEvent, OrganizationState> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateOrganization': {
        const { organizationId, name } = command.data;
        if (state.status !== 'none') throw new DomainError('already_exists', `Organization ${organizationId} already exists`);
        // The creator becomes the owner (see founding-owner.ts), so it must be a user.
        if (!USER_ID.test(command.metadata.actor)) {
          throw new DomainError('validation_failed', 'An organization is created on behalf of a user, who becomes its owner');
        }
        return [{ type: 'OrganizationCreated', data: { organizationId, name, createdBy: command.metadata.actor } }];
      }
      case 'RenameOrganization': {
        const current = active(state, command.data.organizationId);
        if (command.data.name === current.name) return [];
        return [
          { type: 'OrganizationRenamed', data: { organizationId: current.organizationId, name: command.data.name, previousName: current.name } },
        ];
      }
      case 'DeleteOrganization': {
        const current = active(state, command.data.organizationId);
        return [{ type: 'OrganizationDeleted', data: { organizationId: current.organizationId, name: current.name } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OrganizationCreated':
        return { status: 'active', organizationId: event.data.organizationId, name: event.data.name };
      case 'OrganizationRenamed':
        return state.status === 'none' ? state : { ...state, name: event.data.name };
      case 'OrganizationDeleted':
        return state.status === 'none' ? state : { ...state, status: 'deleted' };
    }
  },
};

function active(state: OrganizationState, organizationId: string): Extract<OrganizationState, { status: 'active' | 'deleted' }> {
  if (state.status !== 'active') throw new DomainError('not_found', `Organization ${organizationId} does not exist`);
  return state;
}
