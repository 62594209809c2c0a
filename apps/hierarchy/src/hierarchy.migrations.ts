import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/** The unique indexes that carry the naming rules of SPEC §1. */
export const NAME_UNIQUENESS = {
  organization: 'hierarchy_nodes_organization_name',
  child: 'hierarchy_nodes_child_name',
} as const;

class HierarchyNodes extends Migration {
  override up(): void {
    // The write-side index of the hierarchy service: one row per live
    // organization, project and site. It carries the rules no single stream
    // can enforce — unique names, parent existence, no orphans — and is
    // maintained in the transaction of the append, so it always agrees with
    // the store. Rows of deleted resources are removed, freeing their names.
    this.addSql(`
      CREATE TABLE hierarchy_nodes (
        id uuid PRIMARY KEY,
        level text NOT NULL CHECK (level IN ('organization', 'project', 'site')),
        parent_id uuid REFERENCES hierarchy_nodes (id),
        organization_id uuid NOT NULL,
        name text NOT NULL,
        name_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((level = 'organization') = (parent_id IS NULL))
      )`);
    // Organization names are unique platform-wide; project and site names
    // within their parent (a project's parent is an organization, a site's a
    // project, so one index covers both). name_key is the lower-cased name.
    this.addSql(`CREATE UNIQUE INDEX ${NAME_UNIQUENESS.organization} ON hierarchy_nodes (name_key) WHERE level = 'organization'`);
    this.addSql(`CREATE UNIQUE INDEX ${NAME_UNIQUENESS.child} ON hierarchy_nodes (parent_id, name_key) WHERE parent_id IS NOT NULL`);
    this.addSql('CREATE INDEX hierarchy_nodes_organization ON hierarchy_nodes (organization_id)');
  }

  override down(): void {
    this.addSql('DROP TABLE hierarchy_nodes');
  }
}

/** The hierarchy service's own tables; the event store's migrations run first. */
export const hierarchyMigrations: MigrationObject[] = [{ name: '0200-hierarchy-nodes', class: HierarchyNodes }];
