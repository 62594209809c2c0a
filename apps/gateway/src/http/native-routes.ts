import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator';
import type { Caller } from '../auth/caller';
import { jsonSchema } from '../openapi/json-schema';
import type { ReadModelCache } from '../read-models/read-model.cache';
import type { EndpointSpec, InputSpec } from './endpoint';
import { parseInput } from './validation';

export interface NativeRouteContext {
  readonly caller: Caller;
  /** Path parameters, validated against the route's inputs. */
  readonly params: Readonly<Record<string, string>>;
  readonly cache: ReadModelCache;
  readonly reply: FastifyReply;
}

/**
 * A route served by Fastify directly instead of through Nest's pipeline
 * (guards, param decorators and async layers cost about a quarter of a hot
 * read). Reserved for the hottest authenticated reads, which are pure memory
 * lookups; they share everything else with the controllers: the same
 * authentication, `authorize`, validation, problem filter (Nest's error
 * handler covers every Fastify route), hooks, and OpenAPI generation.
 */
export interface NativeRoute {
  readonly method: 'GET';
  /** Fastify form: `/v1/organizations/:orgId`. */
  readonly url: string;
  /** Tag and operation name in the OpenAPI document. */
  readonly tag: string;
  readonly name: string;
  readonly spec: EndpointSpec;
  /** Path parameters only. */
  readonly inputs: readonly InputSpec[];
  readonly handle: (context: NativeRouteContext) => unknown;
}

export function registerNativeRoutes(
  fastify: FastifyInstance,
  routes: readonly NativeRoute[],
  deps: { authenticator: Authenticator; cache: ReadModelCache },
): void {
  for (const route of routes) {
    const status = route.spec.status ?? 200;
    const serve = (request: FastifyRequest, reply: FastifyReply, caller: Caller): unknown => {
      const raw = request.params as Record<string, string | undefined>;
      const params: Record<string, string> = {};
      for (const input of route.inputs) {
        if (input.in === 'path' && input.name)
          params[input.name] = parseInput(
            input.schema,
            raw[input.name],
            'params',
            input.name,
          ) as string;
      }
      return route.handle({ caller, params, cache: deps.cache, reply });
    };
    fastify.route({
      method: route.method,
      url: route.url,
      ...(route.spec.response
        ? { schema: { response: { [status]: jsonSchema(route.spec.response, 'output') } } }
        : {}),
      handler: (request, reply) => {
        const caller = deps.authenticator.authenticate(request);
        return caller instanceof Promise
          ? caller.then((c) => serve(request, reply, c))
          : serve(request, reply, caller);
      },
    });
  }
}
