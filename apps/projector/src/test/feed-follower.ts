import { query, type EntityManager } from '@siteops/event-store';
import { changesSince, plain } from './projector-test-env';

type Row = Record<string, unknown>;

/** Where a gateway reloads a row named by `rm_changes(kind, id)`. */
const SOURCES = {
  user: { table: 'rm_users', where: 'id = ?', bind: (id: string) => [id] },
  apiKey: { table: 'rm_api_keys', where: 'id = ?', bind: (id: string) => [id] },
  organization: { table: 'rm_organizations', where: 'id = ?', bind: (id: string) => [id] },
  project: { table: 'rm_projects', where: 'id = ?', bind: (id: string) => [id] },
  site: { table: 'rm_sites', where: 'id = ?', bind: (id: string) => [id] },
  grant: { table: 'rm_grants', where: 'resource_id = ? AND user_id = ?', bind: (id: string) => id.split(':') },
} as const;

type Kind = keyof typeof SOURCES;

function isKind(kind: string): kind is Kind {
  return kind in SOURCES;
}

/**
 * What a gateway does with the change feed: keep a copy of the rows, reload
 * exactly the rows each change names, reload everything on `reset`. If the
 * projector names every row it touches, the copy ends equal to the tables.
 */
export class FeedFollower {
  private seq = '0';
  private readonly cache = new Map<string, { table: string; row: Row }>();

  constructor(private readonly em: () => EntityManager) {}

  async catchUp(): Promise<string> {
    for (const change of await changesSince(this.em(), this.seq)) {
      if (change.kind === 'reset') await this.reloadAll();
      else if (isKind(change.kind)) await this.reload(change.kind, change.id);
      else throw new Error(`unknown change kind ${change.kind}`);
      this.seq = change.seq;
    }
    return this.seq;
  }

  /** The copy, table by table, in the shape `dumpReadModels` returns (without rm_site_compose, which no kind names). */
  tables(): Record<string, Row[]> {
    const tables: Record<string, Row[]> = Object.fromEntries(Object.values(SOURCES).map((s) => [s.table, []]));
    for (const { table, row } of this.cache.values()) tables[table]?.push(row);
    return tables;
  }

  private async reload(kind: Kind, id: string): Promise<void> {
    const source = SOURCES[kind];
    const { rows } = await query<Row>(this.em(), `SELECT * FROM ${source.table} WHERE ${source.where}`, source.bind(id));
    const row = rows[0];
    if (row) this.cache.set(`${kind} ${id}`, { table: source.table, row: plain(row) });
    else this.cache.delete(`${kind} ${id}`);
  }

  private async reloadAll(): Promise<void> {
    this.cache.clear();
    for (const [kind, source] of Object.entries(SOURCES)) {
      const { rows } = await query<Row>(this.em(), `SELECT * FROM ${source.table}`);
      for (const row of rows) {
        const id = kind === 'grant' ? `${String(row['resource_id'])}:${String(row['user_id'])}` : String(row['id']);
        this.cache.set(`${kind} ${id}`, { table: source.table, row: plain(row) });
      }
    }
  }
}
