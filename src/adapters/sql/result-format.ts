import type { QueryOutcome } from './engine.js';

/** JSON-safe cell values: bigint as string, dates as ISO, buffers as base64. */
export function jsonCell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    // Nested values (arrays, json): bigint as string, binary as base64 — like top-level cells.
    return JSON.parse(
      JSON.stringify(value, function replace(this: Record<string, unknown>, key, inner) {
        const original = this[key];
        if (Buffer.isBuffer(original) || original instanceof Uint8Array) return Buffer.from(original).toString('base64');
        return typeof inner === 'bigint' ? inner.toString() : inner;
      }),
    );
  }
  return value;
}

/**
 * The structured result of a query, cut at `maxBytes` of JSON: rows past the cap are dropped and
 * `truncated` is set, so a client never receives a silently partial answer.
 */
export function shapeResult(outcome: QueryOutcome, maxBytes: number) {
  const rows: unknown[][] = [];
  let bytes = JSON.stringify(outcome.columns).length;
  let truncated = outcome.truncated;
  for (const row of outcome.rows) {
    const cells = row.map(jsonCell);
    const size = JSON.stringify(cells).length + 1;
    if (bytes + size > maxBytes) {
      truncated = true;
      break;
    }
    bytes += size;
    rows.push(cells);
  }
  return { columns: outcome.columns.map((column) => ({ name: column.name, type: column.type })), rows, rowCount: rows.length, truncated };
}

/** A compact text table for the model: header, rows, cells cut at 80 characters, and a footer. */
export function textTable(result: ReturnType<typeof shapeResult>): string {
  if (result.columns.length === 0) return '(no columns)';
  const render = (value: unknown) => {
    const text = value === null ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value);
    const flat = text.replace(/\s+/g, ' ');
    return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
  };
  const lines = [result.columns.map((column) => column.name).join(' | ')];
  for (const row of result.rows) lines.push(row.map(render).join(' | '));
  lines.push(`(${result.rowCount} row${result.rowCount === 1 ? '' : 's'}${result.truncated ? ', truncated — narrow the query or raise max_rows / max_bytes' : ''})`);
  return lines.join('\n');
}

/** The outputSchema declared by query-shaped tools. */
export const QUERY_OUTPUT_SCHEMA = {
  type: 'object' as const,
  properties: {
    columns: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } }, required: ['name', 'type'] },
    },
    rows: { type: 'array', items: { type: 'array' } },
    rowCount: { type: 'integer' },
    truncated: { type: 'boolean' },
  },
  required: ['columns', 'rows', 'rowCount', 'truncated'],
};
