import type { HealthRegistry, Logger } from '@siteops/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

const NAME = 'siteops_http_request_duration_seconds';

function histogram(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  // One registry may outlive a gateway (tests start several in one process): reuse the metric.
  const existing = registry.getSingleMetric(NAME);
  if (existing instanceof Histogram) return existing;
  return new Histogram({
    name: NAME,
    help: 'Duration of HTTP requests served by the gateway, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

/**
 * After each response: the duration histogram (labelled by route pattern,
 * never by concrete URL, which would explode cardinality) and the access log.
 * Writes and failures are logged at info; successful reads, the hot path that
 * the nginx front logs anyway, at debug, so a busy read load does not turn
 * into a log write per request.
 */
export function responseObserver(logger: Logger, health: HealthRegistry) {
  const metric = histogram(health.metrics);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const ms = reply.elapsedTime;
    const status = reply.statusCode;
    metric.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(status),
      },
      ms / 1000,
    );
    const level =
      status >= 400 || (request.method !== 'GET' && request.method !== 'HEAD') ? 'info' : 'debug';
    if (logger.isLevelEnabled(level)) {
      logger[level](
        {
          requestId: request.id,
          method: request.method,
          url: request.url,
          status,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    }
    done();
  };
}
