import type { Level, MemberRoleGranted, MemberRoleRevoked } from '@siteops/contracts';
import { grantChangeId, type ProjectionContext, type Recorded } from './projection-context';

/**
 * Where the path of a granted resource comes from: the resource's own row.
 * Selecting from it also drops a grant on a resource that no longer exists
 * (a grant racing a delete), which would otherwise linger with no owner row.
 */
export const GRANT_PATH_SOURCES = {
  organization: { table: 'rm_organizations', organizationId: 'r.id', projectId: 'NULL::uuid', siteId: 'NULL::uuid' },
  project: { table: 'rm_projects', organizationId: 'r.organization_id', projectId: 'r.id', siteId: 'NULL::uuid' },
  site: { table: 'rm_sites', organizationId: 'r.organization_id', projectId: 'r.project_id', siteId: 'r.id' },
} as const satisfies Record<Level, { table: string; organizationId: string; projectId: string; siteId: string }>;

/** Direct grants only: inheritance down the path is computed by libs/auth when a request is checked. */
export async function onMemberRoleGranted(ctx: ProjectionContext, event: Recorded<MemberRoleGranted>): Promise<void> {
  const { resource, userId, role } = event.data;
  const source = GRANT_PATH_SOURCES[resource.level];
  const result = await ctx.sql(
    `INSERT INTO rm_grants (resource_level, resource_id, user_id, role, organization_id, project_id, site_id, granted_at)
     SELECT ?, r.id, ?::uuid, ?, ${source.organizationId}, ${source.projectId}, ${source.siteId}, ?::timestamptz
       FROM ${source.table} r WHERE r.id = ?::uuid
     ON CONFLICT (resource_id, user_id) DO UPDATE SET
       resource_level = excluded.resource_level, role = excluded.role, organization_id = excluded.organization_id,
       project_id = excluded.project_id, site_id = excluded.site_id, granted_at = excluded.granted_at`,
    [resource.level, userId, role, event.metadata.at, resource.id],
  );
  if (result.rowCount) ctx.changed('grant', grantChangeId(resource.id, userId));
}

export async function onMemberRoleRevoked(ctx: ProjectionContext, event: Recorded<MemberRoleRevoked>): Promise<void> {
  const { resource, userId } = event.data;
  const result = await ctx.sql('DELETE FROM rm_grants WHERE resource_id = ? AND user_id = ?', [resource.id, userId]);
  if (result.rowCount) ctx.changed('grant', grantChangeId(resource.id, userId));
}
