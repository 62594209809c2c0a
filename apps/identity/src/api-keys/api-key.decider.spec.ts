import { command, specFor } from '@siteops/testing';
import { apiKeyDecider } from './api-key.decider';

const now = new Date('2030-01-01T00:00:00.000Z');
const decider = apiKeyDecider({ now: () => now });
const given = specFor(decider);

const keyId = 'k3y1d0000000abcd';
const userId = '0b6a3a3e-51a7-4c43-8f43-2a2b8f4f0a01';
const secretSha256 = 'a'.repeat(64);
const scope = { path: 'Acme', level: 'organization', resourceId: '9d1f7c5e-6a4b-4f3e-8d2c-1b0a9e8d7c6b', maxRole: 'viewer' } as const;
const issue = (expiresAt: string | null) =>
  command('IssueApiKey', { keyId, userId, name: 'ci', secretSha256, expiresAt, scope });
const issued = {
  type: 'ApiKeyIssued',
  data: { keyId, userId, name: 'ci', secretSha256, expiresAt: '2030-02-01T00:00:00.000Z', scope },
} as const;
const revoke = command('RevokeApiKey', { keyId });
const revoked = { type: 'ApiKeyRevoked', data: { keyId, userId } } as const;

describe('API key decider', () => {
  it('issues a key with only the hash of its secret', () => {
    given([]).when(issue('2030-02-01T00:00:00.000Z')).then([issued]);
  });

  it('issues a key without expiry', () => {
    given([])
      .when(issue(null))
      .then([{ ...issued, data: { ...issued.data, expiresAt: null } }]);
  });

  it('refuses an expiry that is not in the future of the injected clock', () => {
    given([])
      .when(issue(now.toISOString()))
      .thenThrows('validation_failed', ['expiresAt']);
  });

  it('issues a key id once', () => {
    given([issued])
      .when(issue(null))
      .thenThrows('already_exists');
  });

  it('revokes an issued key, naming its user', () => {
    given([issued]).when(revoke).then([revoked]);
  });

  it('treats revoking a revoked key as a no-op', () => {
    given([issued, revoked]).when(revoke).thenNothingHappened();
  });

  it('cannot revoke a key that was never issued', () => {
    given([])
      .when(revoke)
      .thenThrows('not_found');
  });
});
