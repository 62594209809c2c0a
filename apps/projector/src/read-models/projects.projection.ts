import { nameKey, type ProjectCreated, type ProjectDeleted, type ProjectUpdated } from '@siteops/contracts';
import type { ProjectionContext, Recorded } from './projection-context';
import { deleteSubtree } from './resource-deletion';

export async function onProjectCreated(ctx: ProjectionContext, event: Recorded<ProjectCreated>): Promise<void> {
  const { projectId, organizationId, name, description } = event.data;
  const { at } = event.metadata;
  await ctx.sql(
    `INSERT INTO rm_projects (id, organization_id, name, name_key, description, created_at, updated_at, version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       organization_id = excluded.organization_id, name = excluded.name, name_key = excluded.name_key,
       description = excluded.description, created_at = excluded.created_at,
       updated_at = excluded.updated_at, version = excluded.version`,
    [projectId, organizationId, name, nameKey(name), description, at, at, event.streamVersion],
  );
  ctx.changed('project', projectId);
}

/** The event carries the full new state of the mutable fields, so this is a plain overwrite. */
export async function onProjectUpdated(ctx: ProjectionContext, event: Recorded<ProjectUpdated>): Promise<void> {
  const { projectId, name, description } = event.data;
  const result = await ctx.sql(
    'UPDATE rm_projects SET name = ?, name_key = ?, description = ?, updated_at = ?, version = ? WHERE id = ?',
    [name, nameKey(name), description, event.metadata.at, event.streamVersion, projectId],
  );
  if (result.rowCount) ctx.changed('project', projectId);
}

export async function onProjectDeleted(ctx: ProjectionContext, event: Recorded<ProjectDeleted>): Promise<void> {
  await deleteSubtree(ctx, 'project', event.data.projectId);
}
