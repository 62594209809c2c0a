import { isAncestorOrSelf, roleRank, type Principal } from '@siteops/auth';
import { DomainError, type ApiBody, type CommandInput } from '@siteops/contracts';
import type { Caller } from '../auth/caller';
import { invalid } from '../problems/problem';
import type { ApiKeyEntry, ReadModelState, UserEntry } from '../read-models/read-model.state';
import { resolvePath } from '../resolve/path.resolver';

type IssueScope = NonNullable<CommandInput<'IssueApiKey'>['scope']>;

export interface ApiKeyTerms {
  expiresAt: string | null;
  scope: IssueScope | null;
}

/**
 * Checks and settles what a new key for `owner` may be (SPEC §3):
 * - `expiresAt` must lie in the future;
 * - `scope.path` is resolved to ids now, against what the key's user may see
 *   (invisible → 404, as everywhere);
 * - a caller authenticated by a scoped key cannot issue anything wider than
 *   that key: the new key must be scoped inside the caller's scope, with no
 *   higher role, and must not outlive the caller's key.
 */
export function settleApiKeyTerms(
  state: ReadModelState,
  caller: Caller,
  owner: UserEntry,
  body: ApiBody<'createApiKey'>,
  now: number,
): ApiKeyTerms {
  let expiresAt: string | null = null;
  if (body.expiresAt !== undefined) {
    const at = Date.parse(body.expiresAt);
    if (at <= now) throw invalid('expiresAt', 'must be in the future');
    expiresAt = new Date(at).toISOString();
  }

  let scope: IssueScope | null = null;
  if (body.scope) {
    const ownerPrincipal: Principal = {
      platformAdmin: owner.platformAdmin,
      grants: state.pathGrantsOf(owner.id),
      scope: null,
    };
    const resolved = resolvePath(state, ownerPrincipal, body.scope.path);
    const target = resolved.site ?? resolved.project ?? resolved.organization;
    const path = [resolved.organization, resolved.project, resolved.site]
      .flatMap((r) => (r ? [r.name] : []))
      .join('/');
    scope = { path, level: resolved.level, resourceId: target.id, maxRole: body.scope.maxRole };
  }

  if (caller.key.scope) assertNotWider(state, caller.key, scope, expiresAt);
  return { expiresAt, scope };
}

function assertNotWider(
  state: ReadModelState,
  callerKey: ApiKeyEntry,
  scope: IssueScope | null,
  expiresAt: string | null,
): void {
  const callerScope = state.scopeOf(callerKey);
  const wider = (reason: string) =>
    new DomainError(
      'forbidden',
      `A scoped API key cannot issue a key wider than itself: ${reason}`,
    );
  if (!callerScope) return;
  if (!scope) throw wider('the new key must be scoped too');
  const node = state.node(scope.level, scope.resourceId);
  if (!node || !isAncestorOrSelf(callerScope.path, node.path))
    throw wider(`${scope.path} is outside ${callerKey.scope?.path ?? 'its scope'}`);
  if (roleRank(scope.maxRole) > roleRank(callerScope.maxRole))
    throw wider(`its role is at most ${callerScope.maxRole}`);
  if (
    callerKey.expiresAtMs !== null &&
    (expiresAt === null || Date.parse(expiresAt) > callerKey.expiresAtMs)
  ) {
    throw wider('the new key may not outlive it');
  }
}

/** May this caller revoke that key? Their own keys (a scoped key: only those inside its scope), or any key as platform admin. */
export function mayRevoke(
  state: ReadModelState,
  caller: Caller,
  key: ApiKeyEntry,
  asAdmin: boolean,
): boolean {
  if (asAdmin) return true;
  if (key.userId !== caller.user.id) return false;
  const callerScope = state.scopeOf(caller.key);
  if (!callerScope || key.id === caller.key.id) return true;
  const keyScope = state.scopeOf(key);
  return (
    keyScope !== null &&
    isAncestorOrSelf(callerScope.path, keyScope.path) &&
    roleRank(keyScope.maxRole) <= roleRank(callerScope.maxRole)
  );
}
