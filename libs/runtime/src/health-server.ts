import Fastify, { type FastifyInstance } from 'fastify';
import type { HealthRegistry } from './health';

/**
 * Registers /healthz (the process is up), /readyz (its dependencies answer)
 * and /metrics (Prometheus text) on a Fastify instance.
 */
export function registerHealthRoutes(app: FastifyInstance, health: HealthRegistry): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await health.readiness();
    return reply.code(readiness.ok ? 200 : 503).send({ status: readiness.ok ? 'ready' : 'not ready', checks: readiness.checks });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', health.metrics.contentType).send(await health.metrics.metrics()),
  );
}

/** For a service run on its own: a small HTTP server with only the health routes. */
export async function startHealthServer(health: HealthRegistry, host: string, port: number): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerHealthRoutes(app, health);
  await app.listen({ host, port });
  return app;
}
