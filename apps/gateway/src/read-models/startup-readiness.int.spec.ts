import { Client } from 'pg';
import { READ_MODELS_CHECKPOINT } from '@siteops/contracts';
import { EventStore, Position } from '@siteops/event-store';
import { HealthRegistry } from '@siteops/runtime';
import { eventually } from '@siteops/testing';
import { app, type GatewayRunning } from '../gateway.app';
import { startGateway, type GatewayFixture } from '../test/gateway.fixture';

/**
 * A gateway that starts while the projector is behind the event store is not
 * ready until its read models hold everything stored before it started: on a
 * first start the admin key is issued a moment before the gateway loads, and
 * a ready gateway must not refuse it as unknown.
 */
describe('gateway readiness at start', () => {
  let f: GatewayFixture;
  let replica: GatewayRunning | undefined;

  beforeAll(async () => {
    f = await startGateway('gw_startup_ready');
  });

  afterAll(async () => {
    await replica?.close();
    await f.close();
  });

  it('waits for the projection to cover what was committed before it started, and says why in /readyz', async () => {
    // Another transaction still running on the server (any database, as when
    // spec files or installations share one) holds readers below it; the
    // event committed after it must count all the same.
    const other = new Client({ connectionString: f.db.url });
    await other.connect();
    await other.query('BEGIN');
    await other.query('SELECT pg_current_xact_id()');
    const context = { correlationId: 'c', causationId: 'c', actor: 'test' };
    const stored = await new EventStore().append(f.orm.em.fork(), 'readiness-probe', 'no_stream', [{ type: 'Probed', data: {} }], context);
    const head = Position.parse(stored.position);
    if (!head) throw new Error('append returned no position');

    const health = new HealthRegistry();
    let started = false;
    const starting = app.start(f.config, { standalone: false, health }).then((running) => {
      started = true;
      replica = running;
      return running;
    });

    const behind = await eventually(async () => {
      const readiness = await health.readiness();
      return readiness.checks['gateway:caught-up'] ? readiness : undefined;
    });
    expect(behind.ok).toBe(false);
    expect(behind.checks['gateway:caught-up']?.error).toMatch(/behind the event store/);
    expect(started).toBe(false);
    await other.query('ROLLBACK');
    await other.end();

    // The projector reaches the head: the checkpoint moves there and gateways are woken.
    await f.seed.sql(
      `INSERT INTO event_checkpoints (name, tx_id, global_position) VALUES (?, ?::xid8, ?)
       ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, global_position = excluded.global_position`,
      [READ_MODELS_CHECKPOINT, head.txId.toString(), head.globalPosition.toString()],
    );
    f.nc.publish(f.names.projectionChanged, JSON.stringify({ seq: '0', position: head.toString() }));

    await starting;
    expect((await health.readiness()).ok).toBe(true);
  });
});
