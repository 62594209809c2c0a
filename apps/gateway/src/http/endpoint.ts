import {
  applyDecorators,
  createParamDecorator,
  HttpCode,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { DomainError } from '@siteops/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Caller } from '../auth/caller';
import { parseIfMatch } from './if-match';
import { parseInput } from './validation';

/*
 * Route metadata that serves twice: the param decorators below validate
 * inputs with zod AND record the schema, and `@Endpoint` records the answer;
 * the OpenAPI document is generated from both (openapi/openapi.document.ts),
 * so what is documented is what is enforced.
 */

export const ENDPOINT_METADATA = 'siteops:endpoint';
export const INPUTS_METADATA = 'siteops:inputs';

export interface EndpointSpec {
  summary: string;
  description?: string;
  /** Success status; default 200. */
  status?: number;
  /** Success body; none for 204. */
  response?: z.ZodType;
  /** Problem statuses this route answers besides 400/401/429/500/503, which every route may. */
  errors?: readonly number[];
}

export interface InputSpec {
  in: 'body' | 'query' | 'path' | 'header';
  /** Parameter name (all but the body). */
  name?: string;
  schema: z.core.$ZodType;
  description?: string;
}

export function Endpoint(spec: EndpointSpec): MethodDecorator {
  return applyDecorators(HttpCode(spec.status ?? 200), SetMetadata(ENDPOINT_METADATA, spec));
}

export function recordInputs(
  target: object,
  key: string | symbol | undefined,
  inputs: readonly InputSpec[],
): void {
  if (key === undefined)
    throw new Error('validated inputs are declared on route handler parameters only');
  const existing =
    (Reflect.getMetadata(INPUTS_METADATA, target, key) as InputSpec[] | undefined) ?? [];
  Reflect.defineMetadata(INPUTS_METADATA, [...existing, ...inputs], target, key);
}

export function inputsOf(prototype: object, method: string): readonly InputSpec[] {
  return (Reflect.getMetadata(INPUTS_METADATA, prototype, method) as InputSpec[] | undefined) ?? [];
}

// Nest treats a decorator argument with a `transform` function as a pipe, and
// every zod schema has one: schemas therefore travel wrapped in an object.
interface Wrapped {
  schema: z.ZodType;
  name?: string;
}

const request = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<FastifyRequest>();

const BodyInput = createParamDecorator((data: Wrapped, ctx: ExecutionContext) =>
  parseInput(data.schema, request(ctx).body ?? {}, 'body'),
);
const QueryInput = createParamDecorator((data: Wrapped, ctx: ExecutionContext) =>
  parseInput(data.schema, request(ctx).query, 'query'),
);
const PathInput = createParamDecorator(
  (data: Wrapped & { name: string }, ctx: ExecutionContext) => {
    const params = request(ctx).params as Record<string, string | undefined>;
    return parseInput(data.schema, params[data.name], 'params', data.name);
  },
);

/** The JSON body, validated (400 with field errors otherwise). A missing body is validated as `{}`. */
export function ValidBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    recordInputs(target, key, [{ in: 'body', schema }]);
    BodyInput({ schema })(target, key, index);
  };
}

/** The query string, validated against an object schema (one documented parameter per key). */
export function ValidQuery(schema: z.ZodObject<z.ZodRawShape>): ParameterDecorator {
  return (target, key, index) => {
    recordInputs(
      target,
      key,
      Object.entries(schema.shape).map(([name, field]) => ({ in: 'query', name, schema: field })),
    );
    QueryInput({ schema })(target, key, index);
  };
}

/** One path parameter, validated. A field error names the parameter. */
export function ValidParam(
  name: string,
  schema: z.ZodType,
  description?: string,
): ParameterDecorator {
  return (target, key, index) => {
    recordInputs(target, key, [
      { in: 'path', name, schema, ...(description ? { description } : {}) },
    ]);
    PathInput({ schema, name })(target, key, index);
  };
}

const IfMatchInput = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const header = request(ctx).headers['if-match'];
  return parseIfMatch(Array.isArray(header) ? header.join(',') : header);
});

/** `If-Match` as the command's expected version (undefined: no precondition). */
const ifMatchSchema = z.string().regex(/^("\d+"|\d+|\*)$/);

export function IfMatch(): ParameterDecorator {
  return (target, key, index) => {
    recordInputs(target, key, [
      {
        in: 'header',
        name: 'If-Match',
        schema: ifMatchSchema,
        description:
          'The ETag of the version this change is based on ("3" or 3); a stale one is refused with 412',
      },
    ]);
    IfMatchInput()(target, key, index);
  };
}

/** What a handler needs of the exchange: who calls, the request id, and the reply for headers. */
export interface HttpCall {
  readonly caller: Caller;
  readonly requestId: string;
  readonly reply: FastifyReply;
}

/** The authenticated call (every `/v1` route runs behind the API-key guard). */
export const Call = createParamDecorator((_data: unknown, ctx: ExecutionContext): HttpCall => {
  const http = ctx.switchToHttp();
  const req = http.getRequest<FastifyRequest>();
  if (!req.caller) throw new DomainError('internal', 'route reached without authentication');
  return { caller: req.caller, requestId: req.id, reply: http.getResponse<FastifyReply>() };
});
