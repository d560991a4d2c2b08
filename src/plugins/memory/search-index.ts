import type BetterSqlite3 from 'better-sqlite3';

/** Between the lower-cased fields of one entity: a needle holding it is searched in SQLite instead. */
export const FIELD_SEPARATOR = '\u0000';

/** Above this many characters of text the graph is searched in SQLite only (the index would cost too much memory). */
export const MAX_INDEX_CHARS = 32 * 1024 * 1024;

/**
 * Every entity's name, type and observations, lower-cased as JavaScript does (what `search_nodes`
 * matches against), in id order: a substring search is then one scan of in-memory strings instead of
 * a scan of three tables with a function call per row. Built from one consistent read; the graph store
 * decides when it is stale.
 */
export class SearchIndex {
  readonly #ids: readonly number[];
  readonly #texts: readonly string[];

  private constructor(ids: number[], texts: string[]) {
    this.#ids = ids;
    this.#texts = texts;
  }

  /** Reads the graph (call inside a transaction); undefined when its text is over {@link MAX_INDEX_CHARS}. */
  static build(db: BetterSqlite3.Database): SearchIndex | undefined {
    const fields = new Map<number, string[]>();
    let chars = 0;
    for (const row of db.prepare<[], { id: number; name: string; type: string }>('SELECT id, name, entity_type AS type FROM entities ORDER BY id').iterate()) {
      chars += row.name.length + row.type.length;
      if (chars > MAX_INDEX_CHARS) return undefined;
      fields.set(row.id, [row.name.toLowerCase(), row.type.toLowerCase()]);
    }
    for (const row of db.prepare<[], { id: number; content: string }>('SELECT entity_id AS id, content FROM observations ORDER BY entity_id, id').iterate()) {
      chars += row.content.length;
      if (chars > MAX_INDEX_CHARS) return undefined;
      fields.get(row.id)?.push(row.content.toLowerCase());
    }
    const ids: number[] = [];
    const texts: string[] = [];
    for (const [id, parts] of fields) {
      ids.push(id);
      texts.push(parts.join(FIELD_SEPARATOR));
    }
    return new SearchIndex(ids, texts);
  }

  /** Ids (ascending) of the entities one of whose fields contains `needle` (already lower-cased, no separator). */
  search(needle: string): number[] {
    const found: number[] = [];
    const texts = this.#texts;
    for (let index = 0; index < texts.length; index++) if (texts[index]!.includes(needle)) found.push(this.#ids[index]!);
    return found;
  }
}
