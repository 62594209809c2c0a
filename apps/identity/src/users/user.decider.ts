import { DomainError, type Command, type CommandData, type Decider, type NewEventOf, type UserEvent } from '@siteops/contracts';

export type UserCommand = Command<'RegisterUser', CommandData<'RegisterUser'>>;
export type UserStreamEvent = NewEventOf<UserEvent>;

export type UserState =
  | { readonly status: 'unknown' }
  | { readonly status: 'registered'; readonly userId: string; readonly email: string; readonly platformAdmin: boolean };

/**
 * A user is registered once; nothing else happens to it yet. E-mail
 * uniqueness spans users, so it is not this stream's rule: the handler
 * enforces it with the `identity_user_emails` table.
 */
export const userDecider: Decider<UserCommand, UserStreamEvent, UserState> = {
  initialState: () => ({ status: 'unknown' }),

  decide(command, state) {
    const { userId, email, name, platformAdmin } = command.data;
    if (state.status !== 'unknown') throw new DomainError('already_exists', `User ${userId} already exists`);
    return [{ type: 'UserRegistered', data: { userId, email, name, platformAdmin } }];
  },

  evolve(_state, event) {
    const { userId, email, platformAdmin } = event.data;
    return { status: 'registered', userId, email, platformAdmin };
  },
};

/** The key e-mail addresses are unique by: case does not make another address. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
