import { randomUUID } from 'node:crypto';
import { generateApiKey, type GeneratedApiKey } from '@siteops/auth';
import { streams, type CommandMetadata } from '@siteops/contracts';
import { ConcurrencyError, appendContext, transaction, type EntityManager, type EventStore } from '@siteops/event-store';
import type { Logger } from '@siteops/runtime';
import { apiKeyDecider } from '../api-keys/api-key.decider';
import { claimEmail } from '../users/user-emails';
import { userDecider } from '../users/user.decider';
import { writeAdminKeyFile } from './admin-key-file';

export interface PlatformBootstrapOptions {
  em: EntityManager;
  store: EventStore;
  logger: Logger;
  adminEmail: string;
  dataDir: string;
  /** Where the one-time banner with the key goes. */
  print: (text: string) => void;
  now?: () => Date;
  newId?: () => string;
  generateKey?: () => GeneratedApiKey;
}

export type BootstrapOutcome = 'created' | 'already_done';

const ACTOR = 'system:identity';

/**
 * First start of an installation: creates the platform admin and its API
 * key, writes the key to the data directory and prints it once.
 *
 * Exactly once per installation, however many replicas start together:
 * 1. a later start sees the `platform` stream and does nothing else;
 * 2. otherwise, in one transaction, append `PlatformBootstrapped` to the
 *    `platform` stream expecting `no_stream`. A replica racing us blocks on
 *    that insert until we finish, then loses with a ConcurrencyError and
 *    stands down without touching the key file;
 * 3. in the same transaction, claim the admin's e-mail and append its
 *    `UserRegistered{platformAdmin:true}` and `ApiKeyIssued`;
 * 4. still before committing, write the key file. If it cannot be written the
 *    transaction rolls back and the start fails loudly: an admin whose key
 *    nobody has would lock the operator out. The next start tries again;
 * 5. after the commit, print the banner.
 */
export async function bootstrapPlatform(options: PlatformBootstrapOptions): Promise<BootstrapOutcome> {
  const { em, store, logger, adminEmail, dataDir } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  if ((await store.streamVersion(em.fork(), streams.platform())) > 0) return 'already_done';

  const key = (options.generateKey ?? generateApiKey)();
  const userId = newId();
  const metadata: CommandMetadata = { commandId: newId(), correlationId: newId(), causationId: 'bootstrap', actor: ACTOR, at: now().toISOString() };
  const context = appendContext(metadata);
  let keyFile: string;
  try {
    keyFile = await transaction(em, async (tx) => {
      await store.append(
        tx,
        streams.platform(),
        'no_stream',
        [{ type: 'PlatformBootstrapped', data: { adminUserId: userId, adminKeyId: key.keyId } }],
        context,
      );
      if ((await claimEmail(tx, adminEmail, userId)) !== 'claimed') {
        throw new Error(`Cannot create the platform admin: a user with the e-mail address ${adminEmail} already exists`);
      }
      const user = userDecider.decide(
        { type: 'RegisterUser', data: { userId, email: adminEmail, name: 'Platform admin', platformAdmin: true }, metadata },
        userDecider.initialState(),
      );
      const keyDecider = apiKeyDecider({ now });
      const issued = keyDecider.decide(
        {
          type: 'IssueApiKey',
          data: { keyId: key.keyId, userId, name: 'platform admin (bootstrap)', secretSha256: key.secretSha256, expiresAt: null, scope: null },
          metadata,
        },
        keyDecider.initialState(),
      );
      await store.appendMany(
        tx,
        [
          { streamId: streams.user(userId), expectedVersion: 'no_stream', events: user },
          { streamId: streams.apiKey(key.keyId), expectedVersion: 'no_stream', events: issued },
        ],
        context,
      );
      return writeAdminKeyFile(dataDir, key.key);
    });
  } catch (error) {
    if (error instanceof ConcurrencyError && error.streamId === streams.platform()) {
      logger.info('another replica bootstrapped the platform');
      return 'already_done';
    }
    throw error;
  }
  logger.info({ userId, keyId: key.keyId, keyFile }, 'platform admin created');
  options.print(banner(adminEmail, key.key, keyFile));
  return 'created';
}

function banner(email: string, key: string, keyFile: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    `siteops: platform admin created (${email})`,
    'Its API key is shown this once and saved (mode 0600) to:',
    `  ${keyFile}`,
    '',
    `  ${key}`,
    rule,
    '',
  ].join('\n');
}
