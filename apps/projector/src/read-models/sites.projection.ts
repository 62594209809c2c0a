import type { SiteComposeRevised, SiteCreated, SiteDeleted, SiteUpdated } from '@siteops/contracts';
import type { ProjectionContext, Recorded } from './projection-context';
import { deleteSubtree } from './resource-deletion';

/**
 * A site starts at compose revision 0 with no hash: the hierarchy service
 * appends its first `SiteComposeRevised` right after `SiteCreated`, in the
 * same append.
 */
export async function onSiteCreated(ctx: ProjectionContext, event: Recorded<SiteCreated>): Promise<void> {
  const { siteId, projectId, organizationId, name, environment, autoDeploy } = event.data;
  const { at } = event.metadata;
  await ctx.sql(
    `INSERT INTO rm_sites (id, organization_id, project_id, name, environment, auto_deploy,
                           compose_revision, compose_hash, created_at, updated_at, version)
     VALUES (?, ?, ?, ?, ?, ?, 0, '', ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       organization_id = excluded.organization_id, project_id = excluded.project_id, name = excluded.name,
       environment = excluded.environment, auto_deploy = excluded.auto_deploy,
       compose_revision = excluded.compose_revision, compose_hash = excluded.compose_hash,
       created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version`,
    [siteId, organizationId, projectId, name, environment, autoDeploy, at, at, event.streamVersion],
  );
  ctx.changed('site', siteId);
}

export async function onSiteUpdated(ctx: ProjectionContext, event: Recorded<SiteUpdated>): Promise<void> {
  const { siteId, name, environment, autoDeploy } = event.data;
  const result = await ctx.sql(
    'UPDATE rm_sites SET name = ?, environment = ?, auto_deploy = ?, updated_at = ?, version = ? WHERE id = ?',
    [name, environment, autoDeploy, event.metadata.at, event.streamVersion, siteId],
  );
  if (result.rowCount) ctx.changed('site', siteId);
}

/**
 * Keeps every revision (rollback and history read them) and points the site
 * at the new one. A revision is an event of the site's stream, so it moves
 * the site's version too. Revisions of a site that is gone are dropped.
 */
export async function onSiteComposeRevised(ctx: ProjectionContext, event: Recorded<SiteComposeRevised>): Promise<void> {
  const { siteId, revision, compose, hash } = event.data;
  const { at, actor } = event.metadata;
  const site = await ctx.sql(
    'UPDATE rm_sites SET compose_revision = ?, compose_hash = ?, updated_at = ?, version = ? WHERE id = ?',
    [revision, hash, at, event.streamVersion, siteId],
  );
  if (!site.rowCount) return;
  await ctx.sql(
    `INSERT INTO rm_site_compose (site_id, revision, hash, document, created_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (site_id, revision) DO UPDATE SET
       hash = excluded.hash, document = excluded.document,
       created_at = excluded.created_at, created_by = excluded.created_by`,
    [siteId, revision, hash, compose, at, actor],
  );
  ctx.changed('site', siteId);
}

export async function onSiteDeleted(ctx: ProjectionContext, event: Recorded<SiteDeleted>): Promise<void> {
  await deleteSubtree(ctx, 'site', event.data.siteId);
}
