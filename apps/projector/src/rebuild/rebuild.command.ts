import { ConfigError, connectInfrastructure, describeStartError, loadConfig, type SiteopsConfig } from '@siteops/runtime';
import { readModelMigrations } from '@siteops/read-models';
import { projectionChangedPublisher } from '../projector.app';
import { rebuildReadModels } from '../read-models/read-models.rebuild';
import { formatRebuildReport, parseRebuildArgs, REBUILD_USAGE, rebuildMatchesLive, UsageError } from './rebuild-report';

/**
 * `projector rebuild [--verify]`: runs against the configured database while
 * the service may be running elsewhere (the writer lock keeps them apart).
 * Resolves with the process exit code: 0 done, 1 failed or not verified, 2 usage.
 */
export async function runRebuildCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let parsed;
  let config: SiteopsConfig;
  try {
    parsed = parseRebuildArgs(args);
    // The report goes to stdout; keep routine JSON log lines out of it unless asked for.
    config = loadConfig({ LOG_LEVEL: 'warn', ...env });
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`${error.message}\n${REBUILD_USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (parsed.help) {
    out.write(REBUILD_USAGE);
    return 0;
  }
  try {
    const infra = await connectInfrastructure(config, { service: 'projector', migrations: readModelMigrations });
    try {
      const result = await rebuildReadModels({
        em: infra.em,
        store: infra.store,
        publish: projectionChangedPublisher(infra),
        hash: true,
        ...(parsed.batchSize ? { batchSize: parsed.batchSize } : {}),
      });
      out.write(formatRebuildReport(result, parsed.verify));
      return parsed.verify && !rebuildMatchesLive(result) ? 1 : 0;
    } finally {
      await infra.close();
    }
  } catch (error) {
    err.write(`rebuild failed: ${describeStartError(error)}\n`);
    return 1;
  }
}
