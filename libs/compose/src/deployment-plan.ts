import type {
  ContainerCreateOptions,
  MountSettings,
  NetworkCreateOptions,
  PortMap,
  VolumeCreateOptions,
} from 'dockerode';
import type { FieldError, Level } from '@siteops/contracts';
import { canonicalJson, sha256Hex } from '@siteops/effective-config';
import type { ComposeModel, ComposeService, DependencyCondition } from './compose.model';
import {
  COMPOSE_LABELS,
  COMPOSE_VERSION,
  composeProjectName,
  containerName,
  networkName,
  SITEOPS_LABELS,
  volumeName,
} from './compose-project';
import { exposedService, replacementOrder, startConditions, startStages } from './service-graph';

/** An effective secret of the site as the deployer receives it: the value, and which version from which level it is. */
export interface SiteSecret {
  name: string;
  value: string;
  version: number;
  source: { level: Level; id: string };
}

export interface DeploymentInput {
  siteId: string;
  deploymentId: string;
  /** The site's effective secrets, injected into every service's environment (SPEC §5). */
  secrets: readonly SiteSecret[];
  /** Image references resolved by the deployer (a digest, a built tag), by service; default: the service's `image`. */
  images?: Readonly<Record<string, string>>;
  /** Container numbers by service (compose's replica number, part of the name); default 1. */
  containerNumbers?: Readonly<Record<string, number>>;
}

export interface PlannedService {
  name: string;
  /** sha256 hex of the service's effective definition; the same on the container's config-hash labels. */
  configHash: string;
  replacement: 'start-first' | 'stop-first';
  awaits: { service: string; condition: DependencyCondition }[];
  container: ContainerCreateOptions;
}

/** Everything the deployer creates for a site, in the order SPEC §5 gives: network and volumes, then services by stage. */
export interface DeploymentPlan {
  project: string;
  network: NetworkCreateOptions;
  volumes: VolumeCreateOptions[];
  stages: string[][];
  services: Record<string, PlannedService>;
  exposed: { service: string; port: number } | null;
}

export type DeploymentPlanResult =
  { ok: true; plan: DeploymentPlan } | { ok: false; errors: FieldError[] };

/**
 * A secret is injected into every service, so a service may not also set that
 * name in `environment` (SPEC §5: a clash is an error, not a silent winner).
 * Naming it without a value (`- DB_PASSWORD`) is no clash: in compose that
 * means "take it from the environment", and here the secret is that.
 */
export function secretClashes(model: ComposeModel, secretNames: Iterable<string>): FieldError[] {
  const names = new Set(secretNames);
  return Object.values(model.services).flatMap((service) =>
    Object.entries(service.environment)
      .filter(([name, value]) => value !== null && names.has(name))
      .map(([name]) => ({
        field: `services.${service.name}.environment.${name}`,
        message: `is also a secret of this site, which is injected into every service: remove it from environment, or rename the secret`,
      })),
  );
}

/** What the deployer needs to create a site's containers, or the field errors that stop the deployment. */
export function planDeployment(model: ComposeModel, input: DeploymentInput): DeploymentPlanResult {
  const errors = secretClashes(
    model,
    input.secrets.map((s) => s.name),
  );
  if (errors.length > 0) return { ok: false, errors };
  const project = composeProjectName(input.siteId);
  const services: Record<string, PlannedService> = {};
  for (const service of Object.values(model.services)) {
    const definition = containerDefinition(
      project,
      input.siteId,
      service,
      input.images?.[service.name],
    );
    const configHash = hashDefinition(definition, service, input.secrets);
    const number = input.containerNumbers?.[service.name] ?? 1;
    services[service.name] = {
      name: service.name,
      configHash,
      replacement: replacementOrder(service),
      awaits: startConditions(service),
      container: {
        ...definition,
        name: containerName(project, service.name, number),
        Env: [...(definition.Env ?? []), ...input.secrets.map((s) => `${s.name}=${s.value}`)].sort(
          byName,
        ),
        Labels: {
          ...definition.Labels,
          [COMPOSE_LABELS.containerNumber]: String(number),
          [COMPOSE_LABELS.configHash]: configHash,
          [SITEOPS_LABELS.configHash]: configHash,
          [SITEOPS_LABELS.deploymentId]: input.deploymentId,
        },
      },
    };
  }
  return {
    ok: true,
    plan: {
      project,
      network: {
        Name: networkName(project),
        Driver: 'bridge',
        Labels: {
          ...model.network.labels,
          ...projectLabels(project, input.siteId),
          [COMPOSE_LABELS.network]: 'default',
        },
      },
      volumes: Object.entries(model.volumes).map(([name, volume]) => ({
        Name: volumeName(project, name),
        Labels: {
          ...volume.labels,
          ...projectLabels(project, input.siteId),
          [COMPOSE_LABELS.volume]: name,
        },
      })),
      stages: startStages(model),
      services,
      exposed: exposedService(model),
    },
  };
}

/**
 * A service's config hash: it changes exactly when the container it would run
 * changes. It covers the container definition as the Engine receives it
 * (after defaults and short syntaxes, so rewriting the YAML differently
 * changes nothing) without the parts that name one deployment, the build
 * (a changed build is a new image), and each injected secret by name, version
 * and source level — a site-level version 3 is not the organization's
 * version 3 — never by value, since the hash is on the container for anyone
 * who can list containers. `depends_on` is not in it: it orders the start and
 * changes nothing in the container.
 */
export function serviceConfigHash(
  model: ComposeModel,
  serviceName: string,
  input: Pick<DeploymentInput, 'siteId' | 'secrets' | 'images'>,
): string {
  const service = model.services[serviceName];
  if (!service) throw new TypeError(`No service ${serviceName} in the model`);
  return hashDefinition(
    containerDefinition(
      composeProjectName(input.siteId),
      input.siteId,
      service,
      input.images?.[serviceName],
    ),
    service,
    input.secrets,
  );
}

function hashDefinition(
  definition: ContainerCreateOptions,
  service: ComposeService,
  secrets: readonly SiteSecret[],
): string {
  const injected = secrets
    .map(({ name, version, source }) => ({ name, version, source }))
    .sort(byName);
  return sha256Hex(
    canonicalJson({ format: 1, container: definition, build: service.build, secrets: injected }),
  );
}

function byName(a: string | { name: string }, b: string | { name: string }): number {
  const [x, y] = [typeof a === 'string' ? a : a.name, typeof b === 'string' ? b : b.name];
  return x < y ? -1 : x > y ? 1 : 0;
}

function projectLabels(project: string, siteId: string): Record<string, string> {
  return {
    [COMPOSE_LABELS.project]: project,
    [COMPOSE_LABELS.version]: COMPOSE_VERSION,
    [SITEOPS_LABELS.siteId]: siteId,
  };
}

/** The image a build is tagged with when the deployer names none: compose v2's `<project>-<service>`. */
function defaultImage(project: string, service: ComposeService): string {
  return service.image ?? `${project}-${service.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** The container as the Engine creates it, minus secrets and the per-deployment name and labels. */
function containerDefinition(
  project: string,
  siteId: string,
  service: ComposeService,
  image: string | undefined,
): ContainerCreateOptions {
  const network = networkName(project);
  const exposed = new Set([
    ...service.expose.map((e) => `${e.port}/${e.protocol}`),
    ...service.ports.map((p) => `${p.target}/${p.protocol}`),
  ]);
  const bindings: PortMap = {};
  for (const port of service.ports) {
    const key = `${port.target}/${port.protocol}`;
    (bindings[key] ??= []).push({ HostIp: port.hostIp ?? '', HostPort: port.published ?? '' });
  }
  const mounts: MountSettings[] = service.volumes.map((mount) => ({
    Type: mount.type,
    Source: mount.type === 'volume' ? volumeName(project, mount.source) : mount.source,
    Target: mount.target,
    ReadOnly: mount.readOnly,
  }));
  const environment = Object.entries(service.environment).flatMap(([name, value]) =>
    value === null ? [] : [`${name}=${value}`],
  );
  const health = service.healthcheck;
  return {
    Image: image ?? defaultImage(project, service),
    Cmd: service.command ?? undefined,
    Entrypoint: service.entrypoint ?? undefined,
    Env: environment.sort(byName),
    User: service.user ?? undefined,
    WorkingDir: service.workingDir ?? undefined,
    ExposedPorts: Object.fromEntries([...exposed].sort().map((port) => [port, {}])),
    Healthcheck: health
      ? {
          Test: health.test ?? undefined,
          Interval: health.intervalNs ?? undefined,
          Timeout: health.timeoutNs ?? undefined,
          StartPeriod: health.startPeriodNs ?? undefined,
          Retries: health.retries ?? undefined,
        }
      : undefined,
    Labels: {
      ...service.labels,
      ...projectLabels(project, siteId),
      [COMPOSE_LABELS.service]: service.name,
      [COMPOSE_LABELS.oneOff]: 'False',
    },
    HostConfig: {
      NetworkMode: network,
      PortBindings: bindings,
      Mounts: mounts,
      RestartPolicy: {
        Name: service.restart.name,
        MaximumRetryCount: service.restart.maximumRetryCount,
      },
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [service.name] } } },
  };
}
