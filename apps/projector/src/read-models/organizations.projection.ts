import { nameKey, type OrganizationCreated, type OrganizationDeleted, type OrganizationRenamed } from '@siteops/contracts';
import type { ProjectionContext, Recorded } from './projection-context';
import { deleteSubtree } from './resource-deletion';

/** `created_by` is the founding user named by the event (the actor may be a service acting for them). */
export async function onOrganizationCreated(ctx: ProjectionContext, event: Recorded<OrganizationCreated>): Promise<void> {
  const { organizationId, name, createdBy } = event.data;
  const { at } = event.metadata;
  await ctx.sql(
    `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       name = excluded.name, name_key = excluded.name_key, created_by = excluded.created_by,
       created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version`,
    [organizationId, name, nameKey(name), createdBy, at, at, event.streamVersion],
  );
  ctx.changed('organization', organizationId);
}

export async function onOrganizationRenamed(ctx: ProjectionContext, event: Recorded<OrganizationRenamed>): Promise<void> {
  const { organizationId, name } = event.data;
  const result = await ctx.sql(
    'UPDATE rm_organizations SET name = ?, name_key = ?, updated_at = ?, version = ? WHERE id = ?',
    [name, nameKey(name), event.metadata.at, event.streamVersion, organizationId],
  );
  if (result.rowCount) ctx.changed('organization', organizationId);
}

export async function onOrganizationDeleted(ctx: ProjectionContext, event: Recorded<OrganizationDeleted>): Promise<void> {
  await deleteSubtree(ctx, 'organization', event.data.organizationId);
}
