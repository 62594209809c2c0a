import type { Level, Role } from '@siteops/contracts';
import { atLeast, higherRole, lowerRole } from './roles';

/** Where a resource sits: its organization, and its project and site when it is below. */
export interface ResourcePath {
  organizationId: string;
  projectId?: string | undefined;
  siteId?: string | undefined;
}

/** A role granted at one resource. */
export interface PathGrant {
  path: ResourcePath;
  role: Role;
}

/** An API key's scope, resolved to a path when the key was issued. */
export interface PathScope {
  path: ResourcePath;
  maxRole: Role;
}

export interface Principal {
  platformAdmin: boolean;
  /** Every grant the user holds, anywhere. */
  grants: readonly PathGrant[];
  scope: PathScope | null;
}

export interface Access {
  /** May the caller know the resource exists? (false → 404) */
  visible: boolean;
  /** Effective role on the resource; null when it is only visible by name. */
  role: Role | null;
}

export function levelOf(path: ResourcePath): Level {
  if (path.siteId) return 'site';
  if (path.projectId) return 'project';
  return 'organization';
}

function ids(path: ResourcePath): string[] {
  return [path.organizationId, path.projectId, path.siteId].filter((id): id is string => id !== undefined);
}

/** True when `ancestor` is `path` itself or above it. */
export function isAncestorOrSelf(ancestor: ResourcePath, path: ResourcePath): boolean {
  const a = ids(ancestor);
  const p = ids(path);
  return a.length <= p.length && a.every((id, i) => p[i] === id);
}

/**
 * The access of a caller to one resource (SPEC §3):
 * 1. the role is the highest grant on the resource or any ancestor — a lower
 *    grant never narrows an inherited one; platform admins hold owner everywhere;
 * 2. a grant anywhere below makes the resource visible by name only;
 * 3. a key scope cuts everything outside its subtree (its ancestors stay
 *    visible by name) and caps the role at `maxRole`.
 */
export function accessTo(principal: Principal, target: ResourcePath): Access {
  const { scope } = principal;
  if (scope && !isAncestorOrSelf(scope.path, target)) {
    if (!isAncestorOrSelf(target, scope.path)) return { visible: false, role: null };
    // An ancestor of the key's scope: visible by name if the scope itself is visible.
    return { visible: accessUnscoped(principal, scope.path).visible, role: null };
  }
  const access = accessUnscoped(principal, target);
  if (!scope || access.role === null) return access;
  return { visible: access.visible, role: lowerRole(access.role, scope.maxRole) };
}

function accessUnscoped(principal: Principal, target: ResourcePath): Access {
  if (principal.platformAdmin) return { visible: true, role: 'owner' };
  let role: Role | null = null;
  let below = false;
  for (const grant of principal.grants) {
    if (isAncestorOrSelf(grant.path, target)) role = higherRole(role, grant.role);
    else if (isAncestorOrSelf(target, grant.path)) below = true;
  }
  return { visible: role !== null || below, role };
}

export type Decision = 'allow' | 'forbidden' | 'not_found';

/** 404 when the caller may not know the resource, 403 when the role is too low. */
export function decide(access: Access, required: Role): Decision {
  if (!access.visible) return 'not_found';
  return atLeast(access.role, required) ? 'allow' : 'forbidden';
}
