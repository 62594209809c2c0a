import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Level } from '@siteops/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordInputs } from './endpoint';
import { parseInput } from './validation';

/**
 * Ids in paths are UUIDs; a malformed one is a 400 with a field error naming
 * the parameter (not a 404: the request is wrong, not the resource missing).
 */
export const uuidParam = z.uuid({ error: 'must be a UUID' });

/** `?cascade=true` on deletes of parents (owner only, like any delete). */
export const cascadeQuery = z.object({
  cascade: z
    .stringbool({ error: 'must be true or false' })
    .default(false)
    .describe('Also delete every child (children first)'),
});

/** Path prefixes of `{scope}` routes (SPEC §4), with the parameter naming the resource. */
export const SCOPES = [
  { level: 'organization', prefix: 'v1/organizations/:orgId', param: 'orgId' },
  { level: 'project', prefix: 'v1/projects/:projectId', param: 'projectId' },
  { level: 'site', prefix: 'v1/sites/:siteId', param: 'siteId' },
] as const satisfies readonly { level: Level; prefix: string; param: string }[];

/** The paths of one `{scope}` route, e.g. `scopedPaths('members')`. */
export function scopedPaths(suffix: string): string[] {
  return SCOPES.map((s) => `${s.prefix}/${suffix}`);
}

export interface ScopeRef {
  level: Level;
  id: string;
}

const ScopeInput = createParamDecorator((_data: unknown, ctx: ExecutionContext): ScopeRef => {
  const params = ctx.switchToHttp().getRequest<FastifyRequest>().params as Record<
    string,
    string | undefined
  >;
  for (const scope of SCOPES) {
    const value = params[scope.param];
    if (value !== undefined)
      return { level: scope.level, id: parseInput(uuidParam, value, 'params', scope.param) };
  }
  throw new Error('a scoped route without a scope parameter');
});

/** The `{scope}` a route was called on: its level and validated id. */
export function ScopeParam(): ParameterDecorator {
  return (target, key, index) => {
    recordInputs(
      target,
      key,
      SCOPES.map((s) => ({ in: 'path', name: s.param, schema: uuidParam })),
    );
    ScopeInput()(target, key, index);
  };
}
