import { createHash } from 'node:crypto';
import { query, type EntityManager } from '@siteops/event-store';
import { READ_MODEL_TABLES } from './read-model.rows';

/**
 * A sha256 over a canonical dump of every read-model table (rows in key
 * order, as JSON text). Two databases with equal hashes hold the same read
 * models: this is how a rebuild is checked against the live projection.
 */
export async function hashReadModels(em: EntityManager): Promise<{ hash: string; rows: Record<string, number> }> {
  const hash = createHash('sha256');
  const rows: Record<string, number> = {};
  for (const [table, key] of Object.entries(READ_MODEL_TABLES)) {
    const result = await query<{ row: string }>(em, `SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY ${key}`);
    hash.update(`${table}\n`);
    for (const r of result.rows) hash.update(`${r.row}\n`);
    rows[table] = result.rows.length;
  }
  return { hash: hash.digest('hex'), rows };
}
