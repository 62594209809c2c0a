import { query } from '@siteops/event-store';
import { HealthRegistry } from '@siteops/runtime';
import { eventually, testServers, SeededRandom } from '@siteops/testing';
import type { RunningProjector } from './projector.app';
import { lockReadModels } from './read-models/read-models.projection';
import { runTs } from './test/child-process';
import { dumpReadModels, projectorTestEnv, type ProjectorTestEnv } from './test/projector-test-env';
import { sortTables, World } from './test/world';

describe('projector app (standalone)', () => {
  let env: ProjectorTestEnv;
  let app: RunningProjector;
  let world: World;
  const health = new HealthRegistry();

  beforeAll(async () => {
    env = await projectorTestEnv('app');
    world = new World(env.store, env.em, new SeededRandom(11));
    app = await env.start({ maxLagSeconds: 1 }, { standalone: true, health });
  });

  afterAll(async () => {
    await env.cleanup();
  });

  const get = (path: string) => fetch(`http://127.0.0.1:${app.healthPort ?? 0}${path}`);

  async function metricsText(): Promise<string> {
    return (await get('/metrics')).text();
  }

  it('serves readiness and Prometheus metrics for the projection', async () => {
    const alice = await world.registerUser(true);
    await world.createOrganization(alice);
    await env.caughtUp();

    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { 'projector:read-models': { ok: true } } });
    const metrics = await metricsText();
    expect(metrics).toMatch(/^siteops_projector_events_total\{result="applied"\} 3$/m);
    expect(metrics).toMatch(/^siteops_projector_lag_seconds 0$/m);
    expect(metrics).toMatch(/^siteops_projector_leader 1$/m);
  });

  it('runs the relay when standalone, so appended events reach JetStream', async () => {
    const jsm = await env.nc.jetstreamManager();
    await eventually(async () => (await jsm.streams.info(env.names.eventStream)).state.messages >= world.eventCount, {
      message: 'the relay to publish every event',
    });
  });

  it('is not ready while the projection is stalled behind the store, and ready again once it catches up', async () => {
    // A rebuild elsewhere holding the writer lock stalls the live pages.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked: () => void = () => undefined;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = env.em().transactional(async (tx) => {
      await lockReadModels(tx);
      locked();
      await held;
    });
    await lockTaken;
    try {
      await world.registerUser();
      const stalled = await eventually(
        async () => {
          const response = await get('/readyz');
          return response.status === 503 ? ((await response.json()) as { checks: Record<string, { error?: string }> }) : undefined;
        },
        { timeoutMs: 10_000, message: '/readyz to report the stall' },
      );
      expect(stalled.checks['projector:read-models']?.error).toMatch(/behind the event store/);
      expect(Number(/^siteops_projector_lag_seconds (\S+)$/m.exec(await metricsText())?.[1])).toBeGreaterThan(1);
    } finally {
      release();
      await holder;
    }
    await env.caughtUp();
    await eventually(async () => (await get('/readyz')).status === 200, { message: '/readyz to recover' });
  });

  it('`rebuild --verify` in another process rebuilds under the running projector, which then carries on', async () => {
    const alice = [...world.users.keys()][0]!;
    for (let i = 0; i < 30; i++) await world.randomStep();
    await env.caughtUp();
    const childEnv = { DATABASE_URL: env.db.url, NATS_URL: testServers.natsUrl, SITEOPS_NATS_PREFIX: env.names.prefix };

    const ok = await runTs('apps/projector/src/main.ts', ['rebuild', '--verify'], childEnv);
    expect(ok.stderr).toBe('');
    expect(ok.exit).toBe(0);
    expect(ok.stdout).toMatch(/^rm_organizations\s+\d+\s+\d+$/m);
    expect(ok.stdout).toMatch(/^verify: OK/m);
    const hashes = [...ok.stdout.matchAll(/^hash (?:before|after)\s+([0-9a-f]{64})/gm)].map((m) => m[1]);
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toBe(hashes[1]);

    // Damage a row behind the projector's back: verify notices, and the rebuild repairs it.
    const org = [...world.orgs.keys()][0]!;
    await query(env.em(), "UPDATE rm_organizations SET name = 'tampered' WHERE id = ?", [org]);
    const bad = await runTs('apps/projector/src/main.ts', ['rebuild', '--verify'], childEnv);
    expect(bad.exit).toBe(1);
    expect(bad.stdout).toMatch(/^verify: MISMATCH/m);
    const { rows } = await query<{ name: string }>(env.em(), 'SELECT name FROM rm_organizations WHERE id = ?', [org]);
    expect(rows[0]!.name).toBe(world.orgs.get(org)!.name);

    // The in-process projector follows on from the checkpoint the other process wrote.
    await world.renameOrganization(org, alice);
    for (let i = 0; i < 30; i++) await world.randomStep();
    await env.caughtUp();
    expect(sortTables(await dumpReadModels(env.em()))).toEqual(sortTables(world.expected()));
  }, 60_000);

  it('rejects an unknown command with usage', async () => {
    const unknown = await runTs('apps/projector/src/main.ts', ['rebuld']);
    expect(unknown.exit).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command rebuld/);
    expect(unknown.stderr).toMatch(/projector rebuild \[--verify\]/);
  }, 30_000);

  it('closes cleanly: health routes, metrics and the readiness check go away', async () => {
    const port = app.healthPort;
    await app.close();
    await expect(fetch(`http://127.0.0.1:${port ?? 0}/healthz`)).rejects.toThrow();
    expect(health.metrics.getSingleMetric('siteops_projector_events_total')).toBeUndefined();
    expect((await health.readiness()).checks['projector:read-models']).toBeUndefined();
  });
});
