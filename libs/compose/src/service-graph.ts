import {
  EXPOSE_LABEL,
  type ComposeModel,
  type ComposeService,
  type DependencyCondition,
} from './compose.model';

/**
 * Start stages from `depends_on`: every service starts after all the services
 * it depends on, so stage n holds the services whose longest dependency chain
 * is n long, and the services of one stage may start together. Within a stage
 * the document's order is kept. The model is validated, so the graph has no
 * cycle and no unknown service.
 */
export function startStages(model: ComposeModel): string[][] {
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const dependencies = Object.keys(model.services[name]?.dependsOn ?? {});
    const value = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(depthOf));
    depth.set(name, value);
    return value;
  };
  const stages: string[][] = [];
  for (const name of Object.keys(model.services)) {
    const stage = depthOf(name);
    while (stages.length <= stage) stages.push([]);
    stages[stage]?.push(name);
  }
  return stages;
}

/** The services in an order in which each comes after everything it depends on. */
export function startOrder(model: ComposeModel): string[] {
  return startStages(model).flat();
}

/** What a service waits for before it starts: each dependency with the state it must reach. */
export function startConditions(
  service: ComposeService,
): { service: string; condition: DependencyCondition }[] {
  return Object.entries(service.dependsOn).map(([name, condition]) => ({
    service: name,
    condition,
  }));
}

/** The services another one waits to be healthy for (`condition: service_healthy`), in start order. */
export function healthGatedServices(model: ComposeModel): string[] {
  const gated = new Set(
    Object.values(model.services).flatMap((service) =>
      startConditions(service)
        .filter((c) => c.condition === 'service_healthy')
        .map((c) => c.service),
    ),
  );
  return startOrder(model).filter((name) => gated.has(name));
}

/**
 * How a running service is replaced (SPEC §5): a service with its own
 * healthcheck and no fixed host port starts its new container first and stops
 * the old one once the new one is healthy, so it never stops answering; a
 * fixed host port can only be held by one container, so such a service (and
 * one without a healthcheck to tell when the new one is ready) stops first.
 * Ports published on a host port Docker chooses do not collide.
 */
export function replacementOrder(service: ComposeService): 'start-first' | 'stop-first' {
  const test = service.healthcheck?.test;
  const checked = test !== null && test !== undefined && test[0] !== 'NONE';
  const fixedHostPort = service.ports.some((port) => port.published !== null);
  return checked && !fixedHostPort ? 'start-first' : 'stop-first';
}

/**
 * The service and container port the site's edge proxies to (SPEC §5): the
 * service labelled `io.siteops.expose: "<port>"`, else the service named
 * `web` with its first `expose` port, else its first `ports` container port.
 * null when there is none: the site has no web entry point.
 */
export function exposedService(model: ComposeModel): { service: string; port: number } | null {
  const services = Object.values(model.services);
  const labelled = services.find((service) => service.labels[EXPOSE_LABEL] !== undefined);
  if (labelled) return { service: labelled.name, port: Number(labelled.labels[EXPOSE_LABEL]) };
  const web = model.services['web'];
  const port = web?.expose[0]?.port ?? web?.ports[0]?.target;
  return web && port !== undefined ? { service: web.name, port } : null;
}
