import type { MikroORM } from '@mikro-orm/postgresql';
import { eventStoreMigrations, migrate, openDatabase, query } from '@siteops/event-store';
import { createTestDatabase, type TestDatabase } from '@siteops/testing';
import { hashReadModels } from './read-models.hash';
import { readModelMigrations } from './read-models.migrations';

describe('read-model schema and hash', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase('read_models');
    orm = await openDatabase({ url: db.url, migrations: [...eventStoreMigrations, ...readModelMigrations] });
    await migrate(orm);
  });

  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  const insertOrg = (id: string, name: string) =>
    query(
      orm.em.fork(),
      `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version)
       VALUES (?, ?, lower(?), 'u', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1)`,
      [id, name, name],
    );

  it('is independent of insertion order and ignores the change feed', async () => {
    await insertOrg('00000000-0000-4000-8000-000000000002', 'B');
    await insertOrg('00000000-0000-4000-8000-000000000001', 'A');
    const first = await hashReadModels(orm.em.fork());
    expect(first.rows.rm_organizations).toBe(2);

    await query(orm.em.fork(), 'DELETE FROM rm_organizations');
    await insertOrg('00000000-0000-4000-8000-000000000001', 'A');
    await insertOrg('00000000-0000-4000-8000-000000000002', 'B');
    await query(orm.em.fork(), "INSERT INTO rm_changes (kind, id) VALUES ('organization', 'x')");
    expect((await hashReadModels(orm.em.fork())).hash).toBe(first.hash);
  });

  it('changes when any row changes', async () => {
    const before = await hashReadModels(orm.em.fork());
    await query(orm.em.fork(), "UPDATE rm_organizations SET name = 'A2' WHERE name = 'A'");
    expect((await hashReadModels(orm.em.fork())).hash).not.toBe(before.hash);
  });
});
