import type { ServiceName } from '@siteops/contracts';
import type { SiteopsConfig } from './config';
import type { HealthRegistry } from './health';
import type { Running } from './run-main';

export interface AppStartOptions {
  /**
   * True when the app runs as its own process: it then serves /healthz,
   * /readyz and /metrics on `PORT` itself and runs an event relay. In
   * all-in-one mode the gateway serves those for every app of the process
   * and the launcher runs one relay.
   */
  standalone: boolean;
  health: HealthRegistry;
  /**
   * Where one-time notices for the operator go (the new admin key). Defaults
   * to stdout; the all-in-one launcher folds them into its own banner.
   */
  print?: (text: string) => void;
}

/**
 * What every `apps/<name>/src/<name>.app.ts` exports as `app`, so that
 * `main.ts` can run it alone and the all-in-one launcher can run them together.
 */
export interface SiteopsApp {
  readonly name: ServiceName;
  start(config: SiteopsConfig, options: AppStartOptions): Promise<Running>;
}
