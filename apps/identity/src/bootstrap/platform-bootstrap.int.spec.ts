import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseApiKey, secretMatches } from '@siteops/auth';
import { streams, type ApiKeyIssued, type UserRegistered } from '@siteops/contracts';
import { EventStore, eventStoreMigrations, migrate, openDatabase, query, type EntityManager } from '@siteops/event-store';
import { ADMIN_KEY_FILE, HealthRegistry, createLogger } from '@siteops/runtime';
import { app } from '../identity.app';
import { identityMigrations } from '../identity.migrations';
import { identityFixture, type IdentityFixture } from '../test/identity.fixture';
import { bootstrapPlatform } from './platform-bootstrap';

interface StoredEvent {
  stream_id: string;
  type: string;
  data: unknown;
}

async function eventsOfType(em: EntityManager, type: string): Promise<StoredEvent[]> {
  const { rows } = await query<StoredEvent>(em, 'SELECT stream_id, type, data FROM events WHERE type = ? ORDER BY global_position', [type]);
  return rows;
}

describe('first-start bootstrap', () => {
  const fixtures: IdentityFixture[] = [];
  const fixture = async (label: string) => {
    const f = await identityFixture(label);
    fixtures.push(f);
    return f;
  };

  afterAll(async () => {
    await Promise.all(fixtures.map((f) => f.cleanup()));
  });

  it('creates one platform admin and one key file even when two replicas start together', async () => {
    const f = await fixture('id_boot_race');

    const { printed } = await f.start(2);

    const admins = await eventsOfType(f.em(), 'UserRegistered');
    expect(admins).toHaveLength(1);
    const admin = admins[0]?.data as UserRegistered['data'];
    expect(admin).toMatchObject({ email: 'root@siteops.test', name: 'Platform admin', platformAdmin: true });
    const keys = await eventsOfType(f.em(), 'ApiKeyIssued');
    expect(keys).toHaveLength(1);
    const issued = keys[0]?.data as ApiKeyIssued['data'];
    expect(issued).toMatchObject({ userId: admin.userId, expiresAt: null, scope: null });
    expect(await eventsOfType(f.em(), 'PlatformBootstrapped')).toEqual([
      { stream_id: streams.platform(), type: 'PlatformBootstrapped', data: { adminUserId: admin.userId, adminKeyId: issued.keyId } },
    ]);

    // The file holds the stored key, and the banner showed it exactly once.
    const key = (await readFile(path.join(f.config.dataDir, ADMIN_KEY_FILE), 'utf8')).trim();
    const parsed = parseApiKey(key);
    expect(parsed?.keyId).toBe(issued.keyId);
    expect(secretMatches(parsed?.secret ?? '', issued.secretSha256)).toBe(true);
    expect(printed.split(key)).toHaveLength(2);
  });

  it('lets exactly one of many racing bootstraps create the admin; the others leave the key file alone', async () => {
    const f = await fixture('id_boot_many');
    const orm = await openDatabase({ url: f.db.url, migrations: [...eventStoreMigrations, ...identityMigrations], poolMax: 20 });
    try {
      await migrate(orm);
      const store = new EventStore();
      const logger = createLogger({ logLevel: 'silent' }, 'identity');
      const printed: string[] = [];

      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () =>
          bootstrapPlatform({
            em: orm.em.fork(),
            store,
            logger,
            adminEmail: 'root@siteops.test',
            dataDir: f.config.dataDir,
            print: (text) => printed.push(text),
          }),
        ),
      );

      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(printed).toHaveLength(1);
      const keys = await eventsOfType(orm.em.fork(), 'ApiKeyIssued');
      expect(keys).toHaveLength(1);
      const key = parseApiKey((await readFile(path.join(f.config.dataDir, ADMIN_KEY_FILE), 'utf8')).trim());
      expect(secretMatches(key?.secret ?? '', (keys[0]?.data as ApiKeyIssued['data']).secretSha256)).toBe(true);
    } finally {
      await orm.close(true);
    }
  });

  it('writes the key file readable by its owner only, in a directory it created 0700', async () => {
    const f = await fixture('id_boot_mode');

    await f.start();

    expect((await stat(path.join(f.config.dataDir, ADMIN_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(f.config.dataDir)).mode & 0o777).toBe(0o700);
  });

  it('prints nothing and keeps the key file on later starts', async () => {
    const f = await fixture('id_boot_restart');
    const first = await f.start();
    const keyFile = path.join(f.config.dataDir, ADMIN_KEY_FILE);
    const key = await readFile(keyFile, 'utf8');
    await Promise.all(first.running.map((r) => r.close()));

    const second = await f.start();

    expect(first.printed).toContain(key.trim());
    expect(second.printed).toBe('');
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    expect(await eventsOfType(f.em(), 'UserRegistered')).toHaveLength(1);
  });

  it('fails the start and stores no admin when the key file cannot be written', async () => {
    const f = await fixture('id_boot_unwritable');
    // The data dir's parent is a regular file: the directory cannot be created.
    const blocker = path.dirname(f.config.dataDir);
    await writeFile(path.join(blocker, 'not-a-dir'), 'x');
    const broken = { ...f.config, dataDir: path.join(blocker, 'not-a-dir', 'data') };

    await expect(app.start(broken, { standalone: false, health: new HealthRegistry() })).rejects.toThrow(/ENOTDIR/);

    // Nothing of the half-done bootstrap survived; a start that can write the file then succeeds.
    const { printed } = await f.start();
    expect(await eventsOfType(f.em(), 'UserRegistered')).toHaveLength(1);
    expect(printed).toContain('siteops_');
  });
});
