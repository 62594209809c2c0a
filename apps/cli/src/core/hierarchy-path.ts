import type { Level } from '@siteops/contracts';
import type { ApiClient } from './api-client';
import { CliError, UsageError } from './cli-errors';

/**
 * What `GET /v1/resolve?path=` answers. It mirrors the gateway's response
 * (not yet in @siteops/contracts; move it there when the gateway defines it).
 */
export interface ResolvedPathDto {
  level: Level;
  organization: NamedRef;
  project?: NamedRef;
  site?: NamedRef;
}

export interface NamedRef {
  id: string;
  name: string;
}

/** A resolved path with the refs its level guarantees. */
export interface ResolvedTarget {
  readonly level: Level;
  readonly path: string;
  readonly organization: NamedRef;
  readonly project: NamedRef | undefined;
  readonly site: NamedRef | undefined;
  /** The resource the path names (the deepest ref). */
  readonly target: NamedRef;
  /** REST prefix of that resource: `/v1/organizations/{id}`, `/v1/projects/{id}` or `/v1/sites/{id}`. */
  readonly resourcePath: string;
}

const LEVEL_BY_DEPTH: readonly Level[] = ['organization', 'project', 'site'];
const SHAPE: Readonly<Record<Level, string>> = {
  organization: 'ORG',
  project: 'ORG/PROJECT',
  site: 'ORG/PROJECT/SITE',
};
const COLLECTION: Readonly<Record<Level, string>> = {
  organization: 'organizations',
  project: 'projects',
  site: 'sites',
};

/** The REST collection segment of a level: `organizations`, `projects`, `sites`. */
export function collectionOf(level: Level): string {
  return COLLECTION[level];
}

/**
 * Splits a CLI path (`ORG`, `ORG/PROJECT`, `ORG/PROJECT/SITE`) and checks its
 * depth before anything is sent. Names are left for the API to validate: it
 * owns those rules and answers with field errors.
 */
export function parsePath(
  path: string,
  expected?: Level | readonly Level[],
): { level: Level; segments: string[] } {
  const segments = path.split('/');
  const level = LEVEL_BY_DEPTH[segments.length - 1];
  const allowed =
    expected === undefined ? LEVEL_BY_DEPTH : typeof expected === 'string' ? [expected] : expected;
  const shapes = allowed.map((l) => SHAPE[l]).join(' or ');
  if (level === undefined || segments.some((s) => s.trim() === '') || !allowed.includes(level)) {
    throw new UsageError(`"${path}" is not a valid path: expected ${shapes}`);
  }
  return { level, segments };
}

/** Resolves a CLI path to ids with `GET /v1/resolve`; 404 when the caller cannot see it. */
export async function resolvePath(
  client: ApiClient,
  path: string,
  expected?: Level | readonly Level[],
): Promise<ResolvedTarget> {
  parsePath(path, expected);
  const dto = await client.get<ResolvedPathDto>('/v1/resolve', { path });
  const target =
    dto.level === 'site' ? dto.site : dto.level === 'project' ? dto.project : dto.organization;
  if (!target)
    throw new CliError(`the API resolved ${path} to a ${dto.level} without its reference`);
  return {
    level: dto.level,
    path,
    organization: dto.organization,
    project: dto.project,
    site: dto.site,
    target,
    resourcePath: `/v1/${collectionOf(dto.level)}/${encodeURIComponent(target.id)}`,
  };
}

/** The display path of a resource given its ancestors' names. */
export function joinPath(...names: readonly string[]): string {
  return names.join('/');
}
