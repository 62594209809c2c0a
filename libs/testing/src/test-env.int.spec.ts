import { Client } from 'pg';
import { createTestDatabase, eventually, uniqueName } from './test-env';

describe('uniqueName', () => {
  it('gives a different name each time, safe as a database name and NATS/Redis prefix', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueName('Event Store: spec')));
    expect(names.size).toBe(200);
    for (const name of names) expect(name).toMatch(/^t_event_store_spec_[0-9a-f]{10}$/);
  });
});

describe('eventually', () => {
  it('resolves with the first value that is neither undefined nor false', async () => {
    let calls = 0;
    const value = await eventually(() => (++calls >= 3 ? `after ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe('after 3');
  });

  it('fails after the timeout, naming what it waited for and the last error', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 50, intervalMs: 5, message: 'the answer' },
      ),
    ).rejects.toThrow(/Timed out after 50 ms waiting for the answer: not yet/);
  });
});

describe('createTestDatabase', () => {
  it('creates an empty database of its own that drop() removes, even with a connection open', async () => {
    const db = await createTestDatabase('testing-lib');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    client.on('error', () => undefined); // drop() terminates this connection
    const tables = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.rows[0]?.n).toBe('0');

    await db.drop();
    await client.end().catch(() => undefined);
    const check = new Client({ connectionString: db.url });
    await expect(check.connect()).rejects.toThrow(/does not exist/);
    await check.end().catch(() => undefined);
  });
});
