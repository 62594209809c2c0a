import { DomainError, type ApiKeyEvent, type Command, type CommandData, type Decider, type NewEventOf } from '@siteops/contracts';

export type ApiKeyCommand =
  | Command<'IssueApiKey', CommandData<'IssueApiKey'>>
  | Command<'RevokeApiKey', CommandData<'RevokeApiKey'>>;
export type ApiKeyStreamEvent = NewEventOf<ApiKeyEvent>;

export type ApiKeyState =
  | { readonly status: 'unknown' }
  | { readonly status: 'active' | 'revoked'; readonly keyId: string; readonly userId: string };

export interface ApiKeyDeciderDeps {
  /** Expiry is checked against this clock. */
  now: () => Date;
}

/**
 * An API key is issued once and revoked at most once. Revoking a revoked key
 * is a no-op rather than a 409: DELETE is idempotent, and a client retrying a
 * revocation whose reply it lost must not be told it failed.
 */
export function apiKeyDecider({ now }: ApiKeyDeciderDeps): Decider<ApiKeyCommand, ApiKeyStreamEvent, ApiKeyState> {
  return {
    initialState: () => ({ status: 'unknown' }),

    decide(command, state) {
      switch (command.type) {
        case 'IssueApiKey': {
          const { keyId, userId, name, secretSha256, expiresAt, scope } = command.data;
          if (state.status !== 'unknown') throw new DomainError('already_exists', `API key ${keyId} already exists`);
          if (expiresAt !== null && Date.parse(expiresAt) <= now().getTime()) {
            throw new DomainError('validation_failed', 'The key would already be expired', [
              { field: 'expiresAt', message: 'must be in the future' },
            ]);
          }
          return [{ type: 'ApiKeyIssued', data: { keyId, userId, name, secretSha256, expiresAt, scope } }];
        }
        case 'RevokeApiKey': {
          const { keyId } = command.data;
          if (state.status === 'unknown') throw new DomainError('not_found', `API key ${keyId} does not exist`);
          if (state.status === 'revoked') return [];
          return [{ type: 'ApiKeyRevoked', data: { keyId, userId: state.userId } }];
        }
      }
    },

    evolve(state, event) {
      switch (event.type) {
        case 'ApiKeyIssued':
          return { status: 'active', keyId: event.data.keyId, userId: event.data.userId };
        case 'ApiKeyRevoked':
          return state.status === 'unknown' ? state : { ...state, status: 'revoked' };
      }
    },
  };
}
