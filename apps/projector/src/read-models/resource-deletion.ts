import type { Level } from '@siteops/contracts';
import { grantChangeId, type ProjectionContext } from './projection-context';

/**
 * Which column of each table places a row under a resource of `level`.
 * rm_grants stores the full path of the granted resource, so one column
 * finds every grant on the resource and below it.
 */
export const SUBTREE_COLUMNS = {
  organization: { grants: 'organization_id', sites: 'organization_id', projects: 'organization_id', organizations: 'id' },
  project: { grants: 'project_id', sites: 'project_id', projects: 'id', organizations: null },
  site: { grants: 'site_id', sites: 'id', projects: null, organizations: null },
} as const satisfies Record<
  Level,
  { grants: string; sites: string; projects: string | null; organizations: string | null }
>;

/**
 * Removes a deleted resource with everything hanging off it: its compose
 * revisions, every grant on it, and — should a child's own deletion event
 * be missing — its children. The hierarchy service deletes children first
 * (one event each), so normally only the resource's own rows remain here.
 */
export async function deleteSubtree(ctx: ProjectionContext, level: Level, id: string): Promise<void> {
  const columns = SUBTREE_COLUMNS[level];
  // 1. Compose revisions hang off sites, so they go while rm_sites still names them.
  await ctx.sql(
    `DELETE FROM rm_site_compose c USING rm_sites s WHERE c.site_id = s.id AND s.${columns.sites} = ?`,
    [id],
  );
  // 2. Grants on the resource and below it.
  const grants = await ctx.sql<{ resource_id: string; user_id: string }>(
    `DELETE FROM rm_grants WHERE ${columns.grants} = ? RETURNING resource_id, user_id`,
    [id],
  );
  for (const g of sortBy(grants.rows, (r) => grantChangeId(r.resource_id, r.user_id))) {
    ctx.changed('grant', grantChangeId(g.resource_id, g.user_id));
  }
  // 3. The resources themselves, lowest level first.
  await deleteRows(ctx, 'rm_sites', columns.sites, id, 'site');
  if (columns.projects) await deleteRows(ctx, 'rm_projects', columns.projects, id, 'project');
  if (columns.organizations) await deleteRows(ctx, 'rm_organizations', columns.organizations, id, 'organization');
}

async function deleteRows(
  ctx: ProjectionContext,
  table: string,
  column: string,
  id: string,
  kind: 'site' | 'project' | 'organization',
): Promise<void> {
  const { rows } = await ctx.sql<{ id: string }>(`DELETE FROM ${table} WHERE ${column} = ? RETURNING id`, [id]);
  // RETURNING follows the physical order; sorting keeps the feed reproducible.
  for (const row of sortBy(rows, (r) => r.id)) ctx.changed(kind, row.id);
}

function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
