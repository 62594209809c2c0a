import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_KEY_FILE, connectInfrastructure, processHealth, startRelay, type Running, type SiteopsConfig } from '@siteops/runtime';
import { ALL_IN_ONE_APPS, loadApp } from './app-loader';

export interface Platform extends Running {
  /** Where the gateway listens (API, dashboard, docs). */
  readonly url: string;
  /** The platform admin's API key when this start created it (first start), else undefined. */
  readonly newAdminKey: string | undefined;
}

/**
 * All-in-one mode: every app in this process, sharing one health registry
 * (the gateway serves /readyz and /metrics for all of them) and one relay.
 */
export async function startPlatform(config: SiteopsConfig): Promise<Platform> {
  const started: Running[] = [];
  const closeAll = async () => {
    for (const running of started.reverse()) await running.close();
  };
  const keyFile = adminKeyFile(config);
  const firstStart = !fs.existsSync(keyFile);
  try {
    const relayInfra = await connectInfrastructure(config, { service: 'platform' });
    const relay = await startRelay(relayInfra);
    started.push({
      close: async () => {
        await relay.stop();
        await relayInfra.close();
      },
    });
    let url = '';
    for (const name of ALL_IN_ONE_APPS) {
      const app = await loadApp(name);
      // The new admin key, if any, is shown in the launcher's own banner.
      const running = await app.start(config, { standalone: false, health: processHealth, print: () => undefined });
      started.push(running);
      const bound = (running as { url?: unknown }).url;
      if (typeof bound === 'string') url = bound;
    }
    const newAdminKey = firstStart && fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : undefined;
    return { url, newAdminKey, close: closeAll };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

function adminKeyFile(config: SiteopsConfig): string {
  return path.resolve(config.dataDir, ADMIN_KEY_FILE);
}

/**
 * What `npm start` prints once everything answers. The admin key itself is
 * shown only by the start that created it; later starts point at its file.
 */
export function banner(config: SiteopsConfig, url: string, newAdminKey?: string): string {
  const keyFile = adminKeyFile(config);
  const keyLines =
    newAdminKey !== undefined
      ? [
          `  Admin API key:  ${newAdminKey}`,
          `                  (shown this once; saved with mode 0600 to ${keyFile})`,
        ]
      : fs.existsSync(keyFile)
        ? [`  Admin API key:  in ${keyFile} (mode 0600)`]
        : ['  Admin API key:  not found (was the data directory removed?)'];
  return [
    '',
    'siteops is running',
    `  Gateway:        ${url}/   (the dashboard is served here once it is built)`,
    `  REST API:       ${url}/v1   (OpenAPI: ${url}/v1/openapi.json, Swagger UI: ${url}/docs)`,
    ...keyLines,
    `  CLI:            npx sitectl login --api-url ${url}`,
    '',
  ].join('\n');
}
