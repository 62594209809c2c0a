import { DomainError, nameKey, type Level } from '@siteops/contracts';
import { query, type EntityManager } from '@siteops/event-store';

/** A live resource as the `hierarchy_nodes` table knows it. */
export interface HierarchyNode {
  id: string;
  level: Level;
  parent_id: string | null;
  organization_id: string;
  name: string;
}

/**
 * Row locks, strongest last:
 * - `key share` — held while creating a child, so the parent cannot be
 *   deleted under it, while other children, renames and updates go on;
 * - `no key update` — serialises the updates of one resource;
 * - `update` — held while deleting, so no child can be created meanwhile
 *   and a child being created is waited for (and then seen).
 */
export type NodeLock = 'key share' | 'no key update' | 'update';

const COLUMNS = 'id, level, parent_id, organization_id, name';

/** Every create and update runs these: planned once per connection (`QueryOptions.prepare`). */
const PREPARED = { prepare: true } as const;

/** The live node, locked for the rest of the transaction; undefined when it does not exist (or was deleted). */
export async function lockNode(tx: EntityManager, level: Level, id: string, lock: NodeLock): Promise<HierarchyNode | undefined> {
  const { rows } = await query<HierarchyNode>(tx, `SELECT ${COLUMNS} FROM hierarchy_nodes WHERE id = ? AND level = ? FOR ${lock.toUpperCase()}`, [
    id,
    level,
  ], PREPARED);
  return rows[0];
}

export type NodeInsert = 'inserted' | 'name_taken' | 'id_taken';

/**
 * Adds a node. A concurrent insert of the same name waits for the other
 * transaction and then sees its row; `ON CONFLICT DO NOTHING` turns that into
 * an answer instead of an error that would abort our transaction.
 */
export async function insertNode(
  tx: EntityManager,
  node: { id: string; level: Level; parentId: string | null; organizationId: string; name: string },
): Promise<NodeInsert> {
  const { rowCount } = await query(
    tx,
    `INSERT INTO hierarchy_nodes (id, level, parent_id, organization_id, name, name_key)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [node.id, node.level, node.parentId, node.organizationId, node.name, nameKey(node.name)],
    PREPARED,
  );
  if (rowCount === 1) return 'inserted';
  const { rows } = await query(tx, 'SELECT 1 FROM hierarchy_nodes WHERE id = ?', [node.id]);
  return rows.length > 0 ? 'id_taken' : 'name_taken';
}

/** Whether another node of the same level and parent already uses the name (case-insensitively). */
export async function nameTaken(tx: EntityManager, node: HierarchyNode, name: string): Promise<boolean> {
  const { rows } = await query(
    tx,
    'SELECT 1 FROM hierarchy_nodes WHERE level = ? AND parent_id IS NOT DISTINCT FROM ? AND name_key = ? AND id <> ?',
    [node.level, node.parent_id, nameKey(name), node.id],
  );
  return rows.length > 0;
}

/** Renames a node; a concurrent claim of the name trips the unique index (see CommandRunner). */
export async function renameNode(tx: EntityManager, id: string, name: string): Promise<void> {
  await query(tx, 'UPDATE hierarchy_nodes SET name = ?, name_key = ? WHERE id = ?', [name, nameKey(name), id]);
}

/**
 * Every descendant of a node, locked against updates and new children:
 * projects first, then sites, each ordered by name, so a cascade reads
 * (and deletes) them in a stable order.
 */
export async function lockDescendants(tx: EntityManager, node: HierarchyNode): Promise<{ projects: HierarchyNode[]; sites: HierarchyNode[] }> {
  if (node.level === 'site') return { projects: [], sites: [] };
  if (node.level === 'project') {
    const sites = await query<HierarchyNode>(tx, `SELECT ${COLUMNS} FROM hierarchy_nodes WHERE parent_id = ? ORDER BY name_key FOR UPDATE`, [node.id]);
    return { projects: [], sites: sites.rows };
  }
  const projects = await query<HierarchyNode>(
    tx,
    `SELECT ${COLUMNS} FROM hierarchy_nodes WHERE parent_id = ? AND level = 'project' ORDER BY name_key FOR UPDATE`,
    [node.id],
  );
  const sites = await query<HierarchyNode>(
    tx,
    `SELECT s.id, s.level, s.parent_id, s.organization_id, s.name
       FROM hierarchy_nodes s JOIN hierarchy_nodes p ON p.id = s.parent_id
      WHERE s.organization_id = ? AND s.level = 'site'
      ORDER BY p.name_key, s.name_key
      FOR UPDATE OF s`,
    [node.id],
  );
  return { projects: projects.rows, sites: sites.rows };
}

/** Removes nodes, freeing their names; the foreign key refuses to leave a child without its parent. */
export async function deleteNodes(tx: EntityManager, ids: readonly string[]): Promise<void> {
  await query(tx, 'DELETE FROM hierarchy_nodes WHERE id = ANY(?::uuid[])', [ids]);
}

const WHERE_UNIQUE: Record<Level, string> = { organization: '', project: ' in this organization', site: ' in this project' };

/** The 409 for a name that is taken where it must be unique. */
export function nameTakenError(level: Level, name: string): DomainError {
  const article = level === 'organization' ? 'An' : 'A';
  return new DomainError('already_exists', `${article} ${level} named "${name}" already exists${WHERE_UNIQUE[level]}`, [
    { field: 'name', message: 'is taken (names are compared case-insensitively)' },
  ]);
}

export function notFoundError(level: Level, id: string): DomainError {
  return new DomainError('not_found', `${level.charAt(0).toUpperCase()}${level.slice(1)} ${id} does not exist`);
}
