import {
  DomainError,
  type Command,
  type CommandData,
  type Decider,
  type MemberEvent,
  type NewEventOf,
  type Role,
} from '@siteops/contracts';

export type MembersCommand =
  | Command<'GrantRole', CommandData<'GrantRole'>>
  | Command<'RevokeRole', CommandData<'RevokeRole'>>;
export type MembersStreamEvent = NewEventOf<MemberEvent>;

/** The direct grants made at one resource: user id → role. */
export interface MembersState {
  readonly roles: ReadonlyMap<string, Role>;
}

/**
 * Role grants made directly at one resource (`streams.members(level, id)`).
 *
 * An organization must keep at least one direct owner: the last one can be
 * neither revoked nor demoted (SPEC §3). Only direct organization-level
 * owners count — an inherited role is not a grant at this level, and project
 * or site owners cannot administer the organization.
 */
export const membersDecider: Decider<MembersCommand, MembersStreamEvent, MembersState> = {
  initialState: () => ({ roles: new Map() }),

  decide(command, state) {
    const { resource, userId } = command.data;
    const current = state.roles.get(userId);
    switch (command.type) {
      case 'GrantRole': {
        const { role } = command.data;
        if (current === role) return [];
        if (current === 'owner') assertNotLastOwner(resource.level, state, userId);
        return [{ type: 'MemberRoleGranted', data: { resource, userId, role, previousRole: current ?? null } }];
      }
      case 'RevokeRole': {
        if (current === undefined) {
          throw new DomainError('not_found', `User ${userId} has no role granted directly on this ${resource.level}`);
        }
        if (current === 'owner') assertNotLastOwner(resource.level, state, userId);
        return [{ type: 'MemberRoleRevoked', data: { resource, userId, previousRole: current } }];
      }
    }
  },

  evolve(state, event) {
    const roles = new Map(state.roles);
    switch (event.type) {
      case 'MemberRoleGranted':
        roles.set(event.data.userId, event.data.role);
        break;
      case 'MemberRoleRevoked':
        roles.delete(event.data.userId);
        break;
    }
    return { roles };
  },
};

function assertNotLastOwner(level: string, state: MembersState, leaving: string): void {
  if (level !== 'organization') return;
  const others = [...state.roles].filter(([userId, role]) => role === 'owner' && userId !== leaving);
  if (others.length === 0) {
    throw new DomainError('last_owner', 'The last owner of an organization cannot be removed or demoted; make someone else owner first');
  }
}
