import { randomUUID } from 'node:crypto';
import { generateApiKey, parseApiKey } from '@siteops/auth';
import { streams } from '@siteops/contracts';
import { TEST_ACTOR, identityFixture, type IdentityFixture } from '../test/identity.fixture';

describe('IssueApiKey and RevokeApiKey', () => {
  let f: IdentityFixture;
  let userId: string;

  beforeAll(async () => {
    f = await identityFixture('identity_api_keys');
    await f.start();
    userId = randomUUID();
    await f.send('RegisterUser', { userId, email: 'keys@example.org', name: 'Key holder' });
  });

  afterAll(async () => {
    await f.cleanup();
  });

  const issue = (overrides: { userId?: string; keyId?: string; expiresAt?: string | null } = {}) => {
    const key = generateApiKey();
    return f.send('IssueApiKey', {
      keyId: overrides.keyId ?? key.keyId,
      userId: overrides.userId ?? userId,
      name: 'ci',
      secretSha256: key.secretSha256,
      expiresAt: overrides.expiresAt ?? null,
      scope: null,
    });
  };

  it('records an issued key with only the hash of its secret', async () => {
    const key = generateApiKey();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();

    const result = await f.send(
      'IssueApiKey',
      { keyId: key.keyId, userId, name: 'deploy bot', secretSha256: key.secretSha256, expiresAt, scope: null },
      { correlationId: 'corr-key' },
    );

    expect(result).toMatchObject({ id: key.keyId, version: 1 });
    const [event] = await f.store.readStream(f.em(), streams.apiKey(key.keyId));
    expect(event).toMatchObject({
      type: 'ApiKeyIssued',
      data: { keyId: key.keyId, userId, name: 'deploy bot', secretSha256: key.secretSha256, expiresAt, scope: null },
      metadata: { actor: TEST_ACTOR, correlationId: 'corr-key' },
    });
    const secret = parseApiKey(key.key)?.secret ?? 'unparseable key';
    expect(secret.length).toBeGreaterThanOrEqual(43);
    expect(JSON.stringify(event)).not.toContain(secret);
  });

  it('records a scoped key only when its resource exists', async () => {
    const organizationId = randomUUID();
    const scope = { path: 'Acme', level: 'organization' as const, resourceId: organizationId, maxRole: 'viewer' as const };
    const key = () => {
      const { keyId, secretSha256 } = generateApiKey();
      return { keyId, userId, name: 'scoped', secretSha256, expiresAt: null, scope };
    };
    await expect(f.send('IssueApiKey', key())).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'scope.resourceId' }] });

    await f.store.append(
      f.em(),
      streams.organization(organizationId),
      'no_stream',
      [{ type: 'OrganizationCreated', data: { organizationId, name: 'Acme', createdBy: userId } }],
      { correlationId: 'setup', causationId: 'setup', actor: 'system:test' },
    );
    const issued = key();
    await expect(f.send('IssueApiKey', issued)).resolves.toMatchObject({ id: issued.keyId, version: 1 });
    expect((await f.store.readStream(f.em(), streams.apiKey(issued.keyId)))[0]?.data).toMatchObject({ scope });
  });

  it('answers not_found for a key of a user that does not exist', async () => {
    await expect(issue({ userId: randomUUID() })).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'userId' }] });
  });

  it('issues a key id only once', async () => {
    const { keyId } = generateApiKey();
    await issue({ keyId });

    await expect(issue({ keyId })).rejects.toMatchObject({ code: 'already_exists' });
    expect(await f.store.streamVersion(f.em(), streams.apiKey(keyId))).toBe(1);
  });

  it('refuses an expiry in the past', async () => {
    await expect(issue({ expiresAt: '2001-01-01T00:00:00.000Z' })).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'expiresAt' }],
    });
  });

  it('revokes a key once; revoking it again changes nothing and answers where it is', async () => {
    const { keyId } = generateApiKey();
    await issue({ keyId });

    const revoked = await f.send('RevokeApiKey', { keyId });
    const again = await f.send('RevokeApiKey', { keyId });

    expect(revoked).toMatchObject({ id: keyId, version: 2 });
    expect(again).toEqual(revoked);
    const events = await f.store.readStream(f.em(), streams.apiKey(keyId));
    expect(events.map((e) => e.type)).toEqual(['ApiKeyIssued', 'ApiKeyRevoked']);
    expect(events[1]?.data).toEqual({ keyId, userId });
  });

  it('answers not_found when revoking a key that was never issued', async () => {
    await expect(f.send('RevokeApiKey', { keyId: generateApiKey().keyId })).rejects.toMatchObject({ code: 'not_found' });
  });
});
