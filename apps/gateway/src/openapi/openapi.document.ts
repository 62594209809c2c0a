import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ResponseObject,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ENDPOINT_METADATA, inputsOf, type EndpointSpec, type InputSpec } from '../http/endpoint';
import type { NativeRoute } from '../http/native-routes';
import { problemType, statusOf, type ProblemCode } from '../problems/problem';
import { problemDto } from './dto.schemas';
import { jsonSchema } from './json-schema';

/** One route of the API as Nest declares it. */
export interface ApiRoute {
  /** Upper-case HTTP method. */
  method: string;
  /** OpenAPI form: `/v1/organizations/{orgId}`. */
  path: string;
  operationId: string;
  tag: string;
  spec: EndpointSpec;
  inputs: readonly InputSpec[];
}

/** The route table: every handler of the given controllers, with its path(s), method and metadata. */
export function apiRoutes(controllers: readonly Type[]): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const controller of controllers) {
    const bases = asList(Reflect.getMetadata(PATH_METADATA, controller));
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const subPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (method === undefined || subPaths === undefined) continue;
      const spec = Reflect.getMetadata(ENDPOINT_METADATA, handler) as EndpointSpec | undefined;
      if (!spec)
        throw new Error(`${controller.name}.${name} has no @Endpoint: every route is documented`);
      const tag = controller.name.replace(/Controller$/, '');
      const paths = bases.flatMap((base) => asList(subPaths).map((sub) => openApiPath(base, sub)));
      paths.forEach((path, i) => {
        routes.push({
          method: RequestMethod[method],
          path,
          operationId: `${tag}_${name}${paths.length > 1 ? `_${i + 1}` : ''}`,
          tag,
          spec,
          inputs: inputsOf(prototype, name),
        });
      });
    }
  }
  return routes;
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : ''];
}

/** `v1/organizations` + `:orgId` → `/v1/organizations/{orgId}` */
export function openApiPath(base: string, sub: string): string {
  const joined = `/${[base, sub].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const PROBLEM_STATUSES: Readonly<Record<number, { code: ProblemCode; description: string }>> = {
  400: { code: 'validation_failed', description: 'Invalid input; `errors` lists each field' },
  401: {
    code: 'unauthenticated',
    description: 'Missing, malformed, unknown, expired or revoked API key',
  },
  403: {
    code: 'forbidden',
    description: 'The caller can see the resource but lacks the role (or the key scope forbids it)',
  },
  404: { code: 'not_found', description: 'No such resource, or the caller may not know it exists' },
  409: {
    code: 'conflict',
    description: 'Conflict: already exists, has children, last owner, concurrent change',
  },
  412: {
    code: 'precondition_failed',
    description: 'If-Match names a version that is no longer current',
  },
  429: {
    code: 'rate_limited',
    description: 'Too many failed authentications from this address; see Retry-After',
  },
  500: {
    code: 'internal',
    description: 'Unexpected failure; the correlationId identifies it in the logs',
  },
  503: { code: 'unavailable', description: 'A platform service did not answer' },
};

const ALWAYS = [400, 401, 429, 500, 503];

const consistentRead: ParameterObject = {
  name: 'X-Consistent-Read',
  in: 'header',
  required: false,
  description:
    'A position a write returned: the request waits (at most 5 s) until this gateway has applied the read models up to it. ' +
    'If they have not got there in 5 s it is served anyway with the header X-Consistency: stale. An invalid token is a 400.',
  schema: { type: 'string' },
};

const requestId: ParameterObject = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description:
    'Echoed back and used as the correlationId (one is generated when absent or malformed)',
  schema: { type: 'string', maxLength: 128 },
};

function parameters(route: ApiRoute): ParameterObject[] {
  const params: ParameterObject[] = [];
  const inPath = new Set([...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
  for (const input of route.inputs) {
    if (input.in === 'path' && input.name && inPath.has(input.name)) {
      params.push({
        name: input.name,
        in: 'path',
        required: true,
        schema: jsonSchema(input.schema, 'input'),
        ...describe(input),
      });
    } else if (input.in === 'header' && input.name) {
      params.push({
        name: input.name,
        in: 'header',
        required: false,
        schema: jsonSchema(input.schema, 'input'),
        ...describe(input),
      });
    } else if (input.in === 'query' && input.name) {
      const description = z.globalRegistry.get(input.schema)?.description;
      params.push({
        name: input.name,
        in: 'query',
        required: !z.safeParse(input.schema, undefined).success,
        schema: jsonSchema(input.schema, 'input'),
        ...describe({ description }),
      });
    }
  }
  return [...params, consistentRead, requestId];
}

function describe(input: { description?: string | undefined }): { description?: string } {
  return input.description ? { description: input.description } : {};
}

function operation(route: ApiRoute): OperationObject {
  const status = route.spec.status ?? 200;
  const body = route.inputs.find((i) => i.in === 'body');
  const success: ResponseObject = { description: route.spec.summary };
  if (route.spec.response)
    success.content = { 'application/json': { schema: jsonSchema(route.spec.response, 'output') } };
  if (route.method !== 'GET') {
    success.headers = {
      'X-Position': {
        description: 'The event-store position of the write',
        schema: { type: 'string' },
      },
      'X-Consistency': {
        description: '`stale` when this gateway had not applied the write within 5 s',
        schema: { type: 'string' },
      },
    };
  }
  const responses: OperationObject['responses'] = { [status]: success };
  for (const code of new Set([...ALWAYS, ...(route.spec.errors ?? [])])) {
    responses[code] = { $ref: `#/components/responses/Problem${code}` };
  }
  return {
    operationId: route.operationId,
    summary: route.spec.summary,
    ...(route.spec.description ? { description: route.spec.description } : {}),
    tags: [route.tag],
    security: [{ bearer: [] }],
    parameters: parameters(route),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(body.schema, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** Routes served outside the API-key guard, documented by hand as they have no controller. */
const OPERATIONAL: readonly { path: string; summary: string; contentType: string }[] = [
  { path: '/healthz', summary: 'Liveness: the process is up', contentType: 'application/json' },
  {
    path: '/readyz',
    summary: 'Readiness: every dependency of every app in this process answers (503 otherwise)',
    contentType: 'application/json',
  },
  { path: '/metrics', summary: 'Prometheus metrics', contentType: 'text/plain' },
  { path: '/v1/openapi.json', summary: 'This document', contentType: 'application/json' },
  { path: '/docs', summary: 'Swagger UI', contentType: 'text/html' },
];

/** Native Fastify routes in the same shape. */
export function nativeApiRoutes(routes: readonly NativeRoute[]): ApiRoute[] {
  return routes.map((r) => ({
    method: r.method,
    path: openApiPath('', r.url),
    operationId: `${r.tag}_${r.name}`,
    tag: r.tag,
    spec: r.spec,
    inputs: r.inputs,
  }));
}

/** The OpenAPI 3.1 document, generated from the route table and the zod schemas the routes validate with. */
export function buildOpenApiDocument(
  controllers: readonly Type[],
  nativeRoutes: readonly NativeRoute[],
): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const route of [...apiRoutes(controllers), ...nativeApiRoutes(nativeRoutes)]) {
    const item = (paths[route.path] ??= {});
    const key = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    item[key] = operation(route);
  }
  for (const op of OPERATIONAL) {
    paths[op.path] = {
      get: {
        operationId: `operational_${op.path.replace(/[^a-z0-9]+/gi, '_')}`,
        summary: op.summary,
        tags: ['Operations'],
        security: [],
        responses: { 200: { description: op.summary, content: { [op.contentType]: {} } } },
      },
    };
  }
  const problemResponses: Record<string, ResponseObject> = {};
  for (const [status, { code, description }] of Object.entries(PROBLEM_STATUSES)) {
    const response: ResponseObject = {
      description: `${description} (type ${problemType(code)}, status ${statusOf(code)})`,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    if (status === '401')
      response.headers = {
        'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer' },
      };
    if (status === '429')
      response.headers = {
        'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' },
      };
    problemResponses[`Problem${status}`] = response;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'siteops API',
      version: '1',
      description:
        'REST API of the siteops control plane (SPEC §4). Authenticate with `Authorization: Bearer siteops_<keyId>_<secret>`. ' +
        'Errors are RFC 9457 problem details. See docs/api.md for the conventions.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key: siteops_<keyId>_<secret>',
        },
      },
      schemas: { Problem: jsonSchema(problemDto, 'output') },
      responses: problemResponses,
    },
  };
}
