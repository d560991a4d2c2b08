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
  /** Every entity's lower-cased fields, one after the other, each entity followed by a separator. */
  readonly #text: string;
  /** Where each entity's text starts in #text, ascending, and its id. */
  readonly #starts: Int32Array;
  readonly #ids: Float64Array;

  private constructor(text: string, starts: Int32Array, ids: Float64Array) {
    this.#text = text;
    this.#starts = starts;
    this.#ids = ids;
  }

  /** Reads the graph (call inside a transaction); undefined when its text is over {@link MAX_INDEX_CHARS}. */
  static build(db: BetterSqlite3.Database): SearchIndex | undefined {
    const fields = new Map<number, string[]>();
    let chars = 0;
    for (const row of db.prepare<[], { id: number; name: string; type: string }>('SELECT id, name, entity_type AS type FROM entities ORDER BY id').iterate()) {
      chars += row.name.length + row.type.length + 2;
      if (chars > MAX_INDEX_CHARS) return undefined;
      fields.set(row.id, [row.name.toLowerCase(), row.type.toLowerCase()]);
    }
    for (const row of db.prepare<[], { id: number; content: string }>('SELECT entity_id AS id, content FROM observations ORDER BY entity_id, id').iterate()) {
      chars += row.content.length + 1;
      if (chars > MAX_INDEX_CHARS) return undefined;
      fields.get(row.id)?.push(row.content.toLowerCase());
    }
    const starts = new Int32Array(fields.size);
    const ids = new Float64Array(fields.size);
    const parts: string[] = [];
    let offset = 0;
    let index = 0;
    for (const [id, entity] of fields) {
      const text = entity.join(FIELD_SEPARATOR) + FIELD_SEPARATOR;
      starts[index] = offset;
      ids[index] = id;
      parts.push(text);
      offset += text.length;
      index++;
    }
    return new SearchIndex(parts.join(''), starts, ids);
  }

  /**
   * Ids (ascending) of the entities one of whose fields contains `needle` (already lower-cased, no
   * separator): one `indexOf` walk over the whole text, each hit mapped to its entity by binary search,
   * then resumed at the next entity.
   */
  search(needle: string): number[] {
    const found: number[] = [];
    const text = this.#text;
    const starts = this.#starts;
    const count = starts.length;
    if (needle.length === 0) return Array.from(this.#ids);
    let from = 0;
    for (;;) {
      const at = text.indexOf(needle, from);
      if (at < 0) break;
      // The entity whose text holds `at`: the last start at or before it.
      let low = 0;
      let high = count - 1;
      while (low < high) {
        const middle = (low + high + 1) >>> 1;
        if (starts[middle]! <= at) low = middle;
        else high = middle - 1;
      }
      found.push(this.#ids[low]!);
      if (low + 1 >= count) break;
      from = starts[low + 1]!;
    }
    return found;
  }
}
