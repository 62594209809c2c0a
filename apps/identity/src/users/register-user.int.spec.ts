import { randomUUID } from 'node:crypto';
import { streams } from '@siteops/contracts';
import { query } from '@siteops/event-store';
import { TEST_ACTOR, identityFixture, type IdentityFixture } from '../test/identity.fixture';

describe('RegisterUser', () => {
  let f: IdentityFixture;

  beforeAll(async () => {
    f = await identityFixture('identity_users');
    await f.start();
  });

  afterAll(async () => {
    await f.cleanup();
  });

  it('registers a user and stores UserRegistered with the command\'s actor and correlation', async () => {
    const userId = randomUUID();

    const result = await f.send('RegisterUser', { userId, email: 'ada@example.org', name: 'Ada' }, { correlationId: 'corr-ada' });

    expect(result).toEqual({ id: userId, version: 1, position: expect.stringMatching(/^\d+\.\d+$/) as unknown });
    const [event, ...rest] = await f.store.readStream(f.em(), streams.user(userId));
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({
      type: 'UserRegistered',
      data: { userId, email: 'ada@example.org', name: 'Ada', platformAdmin: false },
      metadata: { actor: TEST_ACTOR, correlationId: 'corr-ada' },
      position: result.position,
    });
  });

  it('refuses an e-mail address that differs from a registered one only in case', async () => {
    await f.send('RegisterUser', { userId: randomUUID(), email: 'Grace@Example.org', name: 'Grace' });
    const second = randomUUID();

    await expect(f.send('RegisterUser', { userId: second, email: 'grace@EXAMPLE.org', name: 'Other Grace' })).rejects.toMatchObject({
      code: 'already_exists',
      errors: [{ field: 'email' }],
    });
    expect(await f.store.streamVersion(f.em(), streams.user(second))).toBe(0);
  });

  it('refuses to register the same user id twice, even with another address', async () => {
    const userId = randomUUID();
    await f.send('RegisterUser', { userId, email: 'linus@example.org', name: 'Linus' });

    await expect(f.send('RegisterUser', { userId, email: 'linus2@example.org', name: 'Linus' })).rejects.toMatchObject({
      code: 'already_exists',
    });
    const { rows } = await query<{ email_key: string }>(f.em(), 'SELECT email_key FROM identity_user_emails WHERE user_id = ?', [userId]);
    expect(rows).toEqual([{ email_key: 'linus@example.org' }]);
  });

  it('lets exactly one of ten concurrent registrations of one address win', async () => {
    const userIds = Array.from({ length: 10 }, () => randomUUID());

    const results = await Promise.allSettled(
      userIds.map((userId, i) => f.send('RegisterUser', { userId, email: `Race@Example.org`, name: `Racer ${i}` })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'already_exists' });
    const versions = await Promise.all(userIds.map((id) => f.store.streamVersion(f.em(), streams.user(id))));
    expect(versions.filter((v) => v === 1)).toHaveLength(1);
  });

  it('answers validation_failed for a malformed address before doing anything', async () => {
    await expect(f.send('RegisterUser', { userId: randomUUID(), email: 'not-an-address', name: 'X' })).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'email' }],
    });
  });
});
