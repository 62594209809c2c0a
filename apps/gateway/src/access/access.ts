import { accessTo, decide, REQUIRED_ROLE, type Action } from '@siteops/auth';
import { DomainError, type Level } from '@siteops/contracts';
import type { Caller } from '../auth/caller';
import type { TreeEntry } from '../read-models/read-model.state';

/**
 * RBAC at the edge, all through libs/auth (SPEC §3): 404 when the caller may
 * not know the resource exists (or it does not), 403 when they may see it but
 * their effective role is below what the action needs. Platform admins hold
 * owner everywhere (`accessTo`), within the limits of their key's scope.
 */
export function authorize<T extends TreeEntry>(
  caller: Caller,
  level: Level,
  id: string,
  node: T | undefined,
  action: Action,
): T {
  if (node === undefined) throw notVisible(level, id);
  const access = accessTo(caller.principal, node.path);
  const required = REQUIRED_ROLE[action];
  switch (decide(access, required)) {
    case 'allow':
      return node;
    case 'not_found':
      throw notVisible(level, id);
    case 'forbidden': {
      const held = access.role === null ? 'no role' : `the ${access.role} role`;
      const scoped = caller.key.scope
        ? ` (this API key is limited to ${caller.key.scope.path} with at most ${caller.key.scope.maxRole})`
        : '';
      throw new DomainError(
        'forbidden',
        `This needs the ${required} role on ${level} "${node.name}"; you have ${held} there${scoped}`,
      );
    }
  }
}

/** The resource, if the caller may see it at all (by name at least); 404 otherwise. */
export function requireVisible<T extends TreeEntry>(
  caller: Caller,
  level: Level,
  id: string,
  node: T | undefined,
): T {
  if (node === undefined || !accessTo(caller.principal, node.path).visible)
    throw notVisible(level, id);
  return node;
}

/** The same answer for "does not exist" and "you may not know it exists". */
export function notVisible(level: Level, id: string): DomainError {
  return new DomainError('not_found', `No ${level} with id ${id}`);
}

/**
 * Users, mirrors and platform settings: platform admins only, and only
 * through an unscoped key (a scoped key acts on its subtree and nothing else).
 */
export function requirePlatformAdmin(caller: Caller): void {
  if (!caller.user.platformAdmin)
    throw new DomainError('forbidden', 'Only platform admins may do this');
  if (caller.key.scope)
    throw new DomainError(
      'forbidden',
      'A scoped API key cannot act as platform admin; use an unscoped key',
    );
}

/** The effective admin power of this key: an admin user presenting an unscoped key. */
export function actsAsPlatformAdmin(caller: Caller): boolean {
  return caller.user.platformAdmin && caller.key.scope === null;
}
