/**
 * Names and labels through which Docker tooling recognises a site as a
 * compose project. docker-compose (1.29, Debian's) lists a project's
 * containers by the labels `com.docker.compose.project=<name>` and
 * `com.docker.compose.oneoff=False`, keeps those whose
 * `com.docker.compose.service` is a service of the file, and reads
 * `com.docker.compose.container-number` as an integer; it parses
 * `com.docker.compose.version` to tell pre-1.21 project names apart.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The compose project of a site: `siteops-<site id>`. It derives from the id,
 * not the names, so renaming a site, its project or its organization never
 * orphans containers, volumes or the network; the full id cannot collide
 * between sites, and it is already in the form compose requires (lower case,
 * `[a-z0-9_-]`), so `docker-compose -p <it>` finds exactly the site's containers.
 */
export function composeProjectName(siteId: string): string {
  if (!UUID.test(siteId)) throw new TypeError('A site id is a UUID');
  return `siteops-${siteId.toLowerCase()}`;
}

/** Container names follow compose v2's `<project>-<service>-<number>`. */
export function containerName(project: string, service: string, number: number): string {
  return `${project}-${service}-${number}`;
}

/** Compose names the project's networks and volumes `<project>_<name>`. */
export function networkName(project: string): string {
  return `${project}_default`;
}

export function volumeName(project: string, volume: string): string {
  return `${project}_${volume}`;
}

export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneOff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

export const SITEOPS_LABELS = {
  siteId: 'io.siteops.site-id',
  deploymentId: 'io.siteops.deployment-id',
  configHash: 'io.siteops.config-hash',
} as const;

/**
 * The docker-compose release whose labels these are. Compose compares it
 * only against 1.21.0 (the project-name change), so any later version reads
 * the project as current; there is no siteops version to put here that
 * compose would understand.
 */
export const COMPOSE_VERSION = '1.29.2';
