import { Counter, Gauge, type Registry } from 'prom-client';
import type { PruneResult } from './change-retention';
import type { PageOutcome } from './read-models.projection';

const EVENTS = 'siteops_projector_events_total';
const LAG = 'siteops_projector_lag_seconds';
const LEADER = 'siteops_projector_leader';
const PRUNED = 'siteops_projector_changes_pruned_total';

/**
 * The projector's Prometheus metrics on the process registry. They are
 * removed on close, so an app restarted in the same process (tests, the
 * all-in-one launcher) can register them again.
 */
export class ProjectorMetrics {
  private readonly events: Counter<'result'>;
  private readonly pruned: Counter;

  constructor(
    private readonly registry: Registry,
    lagSeconds: () => Promise<number>,
    isLeader: () => boolean,
  ) {
    this.events = new Counter({
      name: EVENTS,
      help: 'Events the read-model projection committed, by whether they changed read models or were skipped',
      labelNames: ['result'],
      registers: [registry],
    });
    this.pruned = new Counter({
      name: PRUNED,
      help: 'rm_changes rows this instance deleted as past the retention',
      registers: [registry],
    });
    new Gauge({
      name: LAG,
      help: 'Seconds the oldest event not yet in the read models has been waiting (0 when caught up)',
      registers: [registry],
      async collect() {
        // Unknown (the database did not answer) is NaN rather than a stale number.
        this.set(await lagSeconds().catch(() => Number.NaN));
      },
    });
    new Gauge({
      name: LEADER,
      help: '1 when this instance is the one applying events to the read models',
      registers: [registry],
      collect() {
        this.set(isLeader() ? 1 : 0);
      },
    });
  }

  committed(outcome: PageOutcome): void {
    if (outcome.applied > 0) this.events.inc({ result: 'applied' }, outcome.applied);
    if (outcome.ignored > 0) this.events.inc({ result: 'ignored' }, outcome.ignored);
  }

  changesPruned(result: PruneResult): void {
    this.pruned.inc(result.deleted);
  }

  close(): void {
    for (const name of [EVENTS, PRUNED, LAG, LEADER]) this.registry.removeSingleMetric(name);
  }
}
