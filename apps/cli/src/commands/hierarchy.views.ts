import type { OrganizationDto, ProjectDto, SiteDto } from '@siteops/contracts';
import { formatAge, yesNo, type Column } from '../core/output';

/** A project with its organization's name, which the DTO carries only as an id. */
export interface ProjectRow {
  readonly organization: string;
  readonly project: ProjectDto;
}

/** A site with its ancestors' names. */
export interface SiteRow {
  readonly organization: string;
  readonly project: string;
  readonly site: SiteDto;
}

export function organizationColumns(now: Date): Column<OrganizationDto>[] {
  return [
    { header: 'name', value: (o) => o.name },
    { header: 'id', value: (o) => o.id },
    { header: 'age', value: (o) => formatAge(o.createdAt, now) },
  ];
}

export function projectColumns(now: Date): Column<ProjectRow>[] {
  return [
    { header: 'organization', value: (r) => r.organization },
    { header: 'name', value: (r) => r.project.name },
    { header: 'description', value: (r) => truncate(r.project.description, 50) },
    { header: 'age', value: (r) => formatAge(r.project.createdAt, now) },
  ];
}

export function siteColumns(now: Date): Column<SiteRow>[] {
  return [
    { header: 'organization', value: (r) => r.organization },
    { header: 'project', value: (r) => r.project },
    { header: 'name', value: (r) => r.site.name },
    { header: 'environment', value: (r) => r.site.environment },
    { header: 'auto-deploy', value: (r) => yesNo(r.site.autoDeploy) },
    { header: 'compose', value: (r) => `r${r.site.compose.revision}` },
    { header: 'age', value: (r) => formatAge(r.site.createdAt, now) },
  ];
}

export function siteDetails(row: SiteRow, now: Date): [string, string][] {
  const { site } = row;
  return [
    ['Path', `${row.organization}/${row.project}/${site.name}`],
    ['ID', site.id],
    ['Environment', site.environment],
    ['Auto-deploy', yesNo(site.autoDeploy)],
    ['Compose revision', String(site.compose.revision)],
    ['Compose hash', site.compose.hash],
    ['Version', String(site.version)],
    ['Created', `${site.createdAt} (${formatAge(site.createdAt, now)} ago)`],
    ['Updated', `${site.updatedAt} (${formatAge(site.updatedAt, now)} ago)`],
  ];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
