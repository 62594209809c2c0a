import fs from 'node:fs';
import path from 'node:path';
import { connectInfrastructure, processHealth, startRelay, type Running, type SiteopsConfig } from '@siteops/runtime';
import { ALL_IN_ONE_APPS, loadApp } from './app-loader';

export interface Platform extends Running {
  /** Where the gateway listens (API, dashboard, docs). */
  readonly url: string;
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
      const running = await app.start(config, { standalone: false, health: processHealth });
      started.push(running);
      const bound = (running as { url?: unknown }).url;
      if (typeof bound === 'string') url = bound;
    }
    return { url, close: closeAll };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

/** What `npm start` prints once everything answers. */
export function banner(config: SiteopsConfig, url: string): string {
  const keyFile = path.resolve(config.dataDir, 'admin-api-key');
  const keyLine = fs.existsSync(keyFile)
    ? `  Admin API key:  in ${keyFile} (mode 0600)`
    : '  Admin API key:  not found (was the data directory removed?)';
  return [
    '',
    'siteops is running',
    `  Dashboard:      ${url}/`,
    `  REST API:       ${url}/v1   (OpenAPI: ${url}/v1/openapi.json, Swagger UI: ${url}/docs)`,
    keyLine,
    `  CLI:            npx sitectl login --api-url ${url}`,
    '',
  ].join('\n');
}
