/**
 * Child process for the crash spec: the real projector, killed with SIGKILL
 * on its Nth page after the page's rows and change feed are written but
 * before the transaction commits.
 */
import { HealthRegistry, loadConfig } from '@siteops/runtime';
import { startProjector } from '../projector.app';

async function main(): Promise<void> {
  const [databaseUrl, natsUrl, prefix, killAt] = process.argv.slice(2);
  if (!databaseUrl || !natsUrl || !prefix || !killAt) throw new Error('usage: projector-crash.fixture <db> <nats> <prefix> <page>');
  const config = loadConfig({ DATABASE_URL: databaseUrl, NATS_URL: natsUrl, SITEOPS_NATS_PREFIX: prefix, LOG_LEVEL: 'silent' });
  let pages = 0;
  await startProjector(
    config,
    { standalone: false, health: new HealthRegistry() },
    {
      batchSize: 50,
      beforeCheckpoint: () => {
        pages += 1;
        if (pages === Number(killAt)) process.kill(process.pid, 'SIGKILL');
        return Promise.resolve();
      },
    },
  );
}

void main();
