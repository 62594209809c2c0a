import { accessTo, type Principal } from '@siteops/auth';
import { sortByKey } from '../http/pagination';
import {
  organizationKey,
  type OrganizationEntry,
  type ReadModelState,
  type TreeEntry,
} from '../read-models/read-model.state';

/**
 * What lists show: every resource the caller may see, which includes the
 * ancestors of anything they hold a role on (by name: SPEC §3, "any access
 * to a child grants read-only visibility of its ancestors' names").
 */
export function visibleOrganizations(
  state: ReadModelState,
  principal: Principal,
): readonly OrganizationEntry[] {
  if (principal.platformAdmin && principal.scope === null) return state.sortedOrganizations();
  // Only the organizations the caller's grants (or key scope) lie in can be
  // visible, so those are the candidates rather than the whole platform.
  const candidates = new Set<string>();
  if (principal.scope) candidates.add(principal.scope.path.organizationId);
  else for (const grant of principal.grants) candidates.add(grant.path.organizationId);
  const visible: OrganizationEntry[] = [];
  for (const id of candidates) {
    const org = state.organization(id);
    if (org && accessTo(principal, org.path).visible) visible.push(org);
  }
  return sortByKey(visible, organizationKey);
}

/** Children (projects of an organization, sites of a project) the caller may see, in list order. */
export function visibleChildren<T extends TreeEntry>(
  children: readonly T[],
  principal: Principal,
): T[] {
  return children.filter((child) => accessTo(principal, child.path).visible);
}
