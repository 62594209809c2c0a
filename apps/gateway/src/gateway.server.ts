import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import {
  NestPinoLogger,
  registerHealthRoutes,
  type HealthRegistry,
  type Logger,
} from '@siteops/runtime';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { CommandBus } from '@siteops/messaging';
import type { AuthFailureThrottle } from './auth/auth-failure.throttle';
import { GatewayModule } from './gateway.module';
import type { ReadModelCache } from './read-models/read-model.cache';
import { API_CONTROLLERS, NATIVE_ROUTES } from './gateway.routes';
import { Authenticator } from './auth/authenticator';
import { registerNativeRoutes } from './http/native-routes';
import { consistentReadHook } from './http/consistency';
import { responseObserver } from './http/http-metrics';
import { requestIdOf } from './http/request-id';
import { RouteIndex } from './http/route-index';
import { buildOpenApiDocument } from './openapi/openapi.document';
import { ProblemFilter } from './problems/problem.filter';
import { invalid } from './problems/problem';
import {
  answerConnect,
  clientErrorHandler,
  frameworkErrorHandler,
} from './problems/protocol-errors';
import './auth/caller';

/** Request bodies above this are refused with 413 (compose documents are at most 256 KiB). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface GatewayServerOptions {
  cache: ReadModelCache;
  bus: CommandBus;
  throttle: AuthFailureThrottle;
  logger: Logger;
  /** In all-in-one mode this registry holds every app's checks: /readyz and /metrics report them all. */
  health: HealthRegistry;
}

export interface GatewayServer {
  readonly app: NestFastifyApplication;
  /** Every route registered, for 405 answers and for checking the OpenAPI document. */
  readonly routes: RouteIndex;
  /** Listens and returns the base URL (port 0 = any free port). */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The HTTP side: NestJS on Fastify, with the request pipeline around the
 * controllers done as Fastify hooks (request id, X-Consistent-Read, metrics,
 * access log) because they run for every request, matched or not.
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const routes = new RouteIndex();
  const adapter = new FastifyAdapter({
    // Fastify's own logger stays off: the one access-log line per request is
    // written in onResponse below, and errors by the problem filter, with pino.
    logger: false,
    genReqId: requestIdOf,
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind the nginx front on the same host, the client address is in X-Forwarded-For.
    trustProxy: 'loopback',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    // What Node's parser or Fastify's router refuse before any hook runs is a problem too.
    clientErrorHandler: clientErrorHandler(options.logger),
    frameworkErrors: frameworkErrorHandler(options.logger),
    // Node would answer a missing Host with an empty 400; the onRequest hook answers it as a problem.
    http: { requireHostHeader: false },
  });
  // The adapter ships its own copy of fastify; its instance is typed here as the
  // workspace's fastify, whose types carry this app's request decorations.
  const fastify = adapter.getInstance<FastifyInstance>();
  fastify.decorateRequest('caller', null);
  // JSON only: a text/plain body is a 415 rather than a string that fails validation oddly.
  fastify.removeContentTypeParser('text/plain');
  // An empty body with a JSON content type is no body (`curl -X DELETE -H
  // 'Content-Type: application/json'`, and HTTP clients that always send the
  // header): Fastify's parser refuses it as invalid JSON. Routes that need a
  // body then refuse the empty one by its missing fields, like any other.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
  fastify.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      routes.add(method, route.url);
  });
  // One hook per phase: every hook is a cost on every request.
  const waitForConsistency = consistentReadHook(options.cache);
  fastify.server.on('connect', answerConnect);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400.
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      done(invalid('Host', 'is required in HTTP/1.1 requests'));
      return;
    }
    waitForConsistency(request, reply, done);
  });
  fastify.addHook('onResponse', responseObserver(options.logger, options.health));

  const authenticator = new Authenticator(options.cache, options.throttle);
  const nestOptions = {
    // Nest's route-mapping chatter stays out of the log; its warnings and errors go to pino.
    logger: new NestPinoLogger(options.logger.child({ component: 'nest' }, { level: 'warn' })),
    abortOnError: false,
    // Fastify's own JSON parser only: Nest would add a form-urlencoded one, and this API speaks JSON.
    bodyParser: false,
  };
  const module = GatewayModule.with({ cache: options.cache, bus: options.bus, authenticator });
  // The rule mistakes Nest's options interface for a class; this literal is the documented way to pass them.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, nestOptions);
  app.useGlobalFilters(new ProblemFilter(options.logger, routes));
  registerHealthRoutes(fastify, options.health);
  registerNativeRoutes(fastify, NATIVE_ROUTES, { authenticator, cache: options.cache });
  SwaggerModule.setup('docs', app, buildOpenApiDocument(API_CONTROLLERS, NATIVE_ROUTES), {
    jsonDocumentUrl: 'v1/openapi.json',
    raw: ['json'],
  });
  await app.init();

  return {
    app,
    routes,
    async listen(host, port) {
      await app.listen(port, host);
      const address = fastify.server.address() as AddressInfo;
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      return `http://${shownHost}:${address.port}`;
    },
    close: () => app.close(),
  };
}
