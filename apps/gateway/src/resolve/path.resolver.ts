import { accessTo, type Principal } from '@siteops/auth';
import { DomainError, type ResolvedPathDto } from '@siteops/contracts';
import { invalid } from '../problems/problem';
import type { ReadModelState, TreeEntry } from '../read-models/read-model.state';

/**
 * Resolves a CLI path `ORG[/PROJECT[/SITE]]` to ids (SPEC §1). Organization
 * and project names match case-insensitively, as their uniqueness is
 * case-insensitive; site names are slugs and match exactly. A path the caller
 * may not see answers exactly like one that does not exist.
 */
export function resolvePath(
  state: ReadModelState,
  principal: Principal,
  path: string,
): ResolvedPathDto {
  const segments = path.split('/');
  if (segments.length > 3 || segments.some((s) => s.length === 0)) {
    throw invalid('path', 'must be ORG, ORG/PROJECT or ORG/PROJECT/SITE');
  }
  const [orgName, projectName, siteName] = segments as [
    string,
    string | undefined,
    string | undefined,
  ];
  const missing = () => new DomainError('not_found', `Nothing at "${path}" that you can see`);

  const organization = state.organizationByName(orgName);
  if (!organization) throw missing();
  const project =
    projectName === undefined ? undefined : state.projectByName(organization.id, projectName);
  if (projectName !== undefined && !project) throw missing();
  const site =
    siteName === undefined || !project ? undefined : state.siteByName(project.id, siteName);
  if (siteName !== undefined && !site) throw missing();

  // Seeing the deepest resource implies seeing its ancestors' names.
  const target: TreeEntry = site ?? project ?? organization;
  if (!accessTo(principal, target.path).visible) throw missing();

  const dto: ResolvedPathDto = {
    level: target.level,
    organization: { id: organization.id, name: organization.name },
  };
  if (project) dto.project = { id: project.id, name: project.name };
  if (site) dto.site = { id: site.id, name: site.name };
  return dto;
}
