import type { ExposedPort, PortMapping } from './short-syntax';

export type { ExposedPort, PortMapping, Protocol } from './short-syntax';

/**
 * A compose document after validation: every short syntax expanded, every
 * default applied, so that two texts that mean the same thing give equal
 * models (and equal config hashes). Services keep the document's order.
 */
export interface ComposeModel {
  services: Record<string, ComposeService>;
  /** Named volumes declared at the top level, by their name in the document. */
  volumes: Record<string, ComposeVolume>;
  /** Every site has exactly one network, `default`, which every service joins. */
  network: { labels: Record<string, string> };
}

export interface ComposeService {
  name: string;
  image: string | null;
  build: { context: string; dockerfile: string | null } | null;
  /** Exec form; a string in the document is split like a shell would. null: the image's own. */
  command: string[] | null;
  entrypoint: string[] | null;
  /** null: declared without a value, which compose takes from the environment it runs in; here that is the site's secrets. */
  environment: Record<string, string | null>;
  ports: PortMapping[];
  expose: ExposedPort[];
  volumes: ServiceMount[];
  dependsOn: Record<string, DependencyCondition>;
  healthcheck: Healthcheck | null;
  restart: RestartPolicy;
  labels: Record<string, string>;
  user: string | null;
  workingDir: string | null;
}

export type ServiceMount =
  | { type: 'volume'; source: string; target: string; readOnly: boolean }
  | { type: 'bind'; source: string; target: string; readOnly: boolean };

export const DEPENDENCY_CONDITIONS = [
  'service_started',
  'service_healthy',
  'service_completed_successfully',
] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

/** Durations in nanoseconds, as the Engine takes them; null inherits the image's setting. `test: ['NONE']` disables the image's check. */
export interface Healthcheck {
  test: string[] | null;
  intervalNs: number | null;
  timeoutNs: number | null;
  startPeriodNs: number | null;
  retries: number | null;
}

export const RESTART_POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'] as const;
export interface RestartPolicy {
  name: (typeof RESTART_POLICIES)[number];
  /** Only for on-failure; 0 means no limit. */
  maximumRetryCount: number;
}

export interface ComposeVolume {
  labels: Record<string, string>;
}

/** The label that names the service and port the site's edge proxies to (SPEC §5). */
export const EXPOSE_LABEL = 'io.siteops.expose';
