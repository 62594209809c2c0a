import path from 'node:path';
import type { SiteopsApp } from '@siteops/runtime';

/** The apps of one all-in-one process, in start order: readers first, the gateway last. */
export const ALL_IN_ONE_APPS = ['projector', 'identity', 'hierarchy', 'gateway'] as const;

const appsDir = path.resolve(__dirname, '..', '..');

/**
 * Loads `apps/<name>/src/<name>.app` at run time. The launcher is a process
 * supervisor, not a consumer of the apps' code: it only needs the `app`
 * object each exports, so apps stay free of imports between each other.
 */
export async function loadApp(name: string): Promise<SiteopsApp> {
  const modulePath = path.join(appsDir, name, 'src', `${name}.app`);
  const loaded: unknown = await import(modulePath);
  const candidate = (loaded as { app?: unknown }).app;
  if (!isSiteopsApp(candidate)) throw new Error(`${modulePath} does not export an app`);
  return candidate;
}

function isSiteopsApp(value: unknown): value is SiteopsApp {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { start?: unknown }).start === 'function'
  );
}
