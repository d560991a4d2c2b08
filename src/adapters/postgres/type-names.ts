import type { FieldDef } from 'pg';
import type { SqlColumn } from '../sql/engine.js';
import type { Lease } from './lease.js';

/** OIDs below this are built into PostgreSQL (FirstNormalObjectId): the same in every database. */
const FIRST_USER_OID = 16_384;

/**
 * Names of PostgreSQL types by OID, as `format_type` writes them (`integer`, `numeric`,
 * `timestamp with time zone`, `text[]`). The built-in types are loaded once when the service
 * connects; user types (enums, domains) are looked up the first time a result has one.
 *
 * @example await names.columns(lease, result.fields) // [{ name: 'id', type: 'integer' }, …]
 */
export class TypeNames {
  readonly #names = new Map<number, string>();

  /** Loads the built-in types (about 600 rows, once per service). */
  async preload(lease: Lease): Promise<void> {
    const result = await lease.run({
      text: 'SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_catalog.pg_type WHERE oid < $1',
      values: [FIRST_USER_OID],
    });
    for (const row of result.rows as { oid: number; name: string }[]) this.#names.set(row.oid, row.name);
  }

  /** The columns of a result, each with its type name; unknown OIDs are fetched in the same transaction. */
  async columns(lease: Lease, fields: readonly FieldDef[]): Promise<SqlColumn[]> {
    const missing = [...new Set(fields.map((field) => field.dataTypeID).filter((oid) => !this.#names.has(oid)))];
    if (missing.length > 0) {
      const result = await lease.run({
        text: 'SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])',
        values: [missing],
      });
      for (const row of result.rows as { oid: number; name: string }[]) this.#names.set(row.oid, row.name);
    }
    return fields.map((field) => ({ name: field.name, type: this.#names.get(field.dataTypeID) ?? `oid ${field.dataTypeID}` }));
  }
}
