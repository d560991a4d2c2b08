/**
 * The JSON export of a memory store: JSON Lines, one object per line, in the format of
 * `@modelcontextprotocol/server-memory` (`{"type":"entity",…}` and `{"type":"relation",…}` lines) plus a
 * header line and one `{"type":"kv",…}` line per key–value entry. server-memory skips lines of other
 * types, so an export can be handed back to it (MEMORY_FILE_PATH) with the graph intact.
 *
 * @example
 * {"type":"mcpeg-memory","version":1,"exportedAt":"2026-11-22T03:00:00.000Z"}
 * {"type":"entity","name":"Ada","entityType":"person","observations":["wrote the first program"]}
 * {"type":"relation","from":"Ada","to":"Analytical Engine","relationType":"programmed"}
 * {"type":"kv","namespace":"default","key":"theme","value":"dark","createdAt":1763780400000,"updatedAt":1763780400000,"expiresAt":null}
 */
export const EXPORT_HEADER_TYPE = 'mcpeg-memory';
export const EXPORT_VERSION = 1;

export interface Entity {
  name: string;
  entityType: string;
  observations: string[];
}

export interface Relation {
  from: string;
  to: string;
  relationType: string;
}

export interface KvRecord {
  namespace: string;
  key: string;
  /** The value's JSON text, as stored. */
  json: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
}

export interface MemoryDump {
  entities: Entity[];
  relations: Relation[];
  kv: KvRecord[];
  /** Lines whose `type` this format does not know (skipped, as server-memory skips them). */
  skipped: number;
}

/** A line of an export that cannot be read: which line, and why. */
export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';

  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(line > 0 ? `line ${line}: ${problem}` : problem);
  }
}

/** Serializes a dump as export lines (header first, then entities, relations and entries). */
export function* exportLines(dump: Omit<MemoryDump, 'skipped'>, exportedAt: Date): Generator<string> {
  yield JSON.stringify({ type: EXPORT_HEADER_TYPE, version: EXPORT_VERSION, exportedAt: exportedAt.toISOString() });
  for (const entity of dump.entities) {
    yield JSON.stringify({ type: 'entity', name: entity.name, entityType: entity.entityType, observations: entity.observations });
  }
  for (const relation of dump.relations) {
    yield JSON.stringify({ type: 'relation', from: relation.from, to: relation.to, relationType: relation.relationType });
  }
  for (const entry of dump.kv) {
    // The value is already JSON text: spliced in as is, never parsed and re-encoded.
    const head = JSON.stringify({ type: 'kv', namespace: entry.namespace, key: entry.key }).slice(0, -1);
    yield `${head},"value":${entry.json},"createdAt":${entry.createdAt},"updatedAt":${entry.updatedAt},"expiresAt":${entry.expiresAt ?? 'null'}}`;
  }
}

/**
 * Reads an export, a server-memory JSONL file (`memory.jsonl`, or its older `memory.json`, which is
 * JSON Lines too), or one JSON document `{ "entities": [...], "relations": [...], "kv": [...] }` such
 * as `read_graph` returns. Throws {@link ExportFormatError} naming the line at fault.
 */
export function parseExport(text: string): MemoryDump {
  const dump: MemoryDump = { entities: [], relations: [], kv: [], skipped: 0 };
  const trimmed = text.trim();
  if (trimmed === '') return dump;
  if (trimmed.startsWith('{')) {
    let whole: unknown;
    try {
      whole = JSON.parse(trimmed);
    } catch {
      whole = undefined; // several lines: JSON Lines
    }
    if (isRecord(whole) && typeof whole.type !== 'string') return parseDocument(whole);
  }
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (error) {
      throw new ExportFormatError(index + 1, `not JSON (${(error as Error).message})`);
    }
    readItem(item, index + 1, dump);
  }
  return dump;
}

function parseDocument(document: Record<string, unknown>): MemoryDump {
  const dump: MemoryDump = { entities: [], relations: [], kv: [], skipped: 0 };
  for (const key of Object.keys(document)) {
    if (!['entities', 'relations', 'kv'].includes(key)) {
      throw new ExportFormatError(0, `a JSON document export has "entities", "relations" and "kv" lists; "${key}" is not one of them`);
    }
  }
  const list = (key: string): unknown[] => {
    const value = document[key] ?? [];
    if (!Array.isArray(value)) throw new ExportFormatError(0, `"${key}" must be a list`);
    return value;
  };
  for (const [type, key] of [['entity', 'entities'], ['relation', 'relations'], ['kv', 'kv']] as const) {
    list(key).forEach((item, index) => {
      if (!isRecord(item)) throw new ExportFormatError(0, `${key}[${index}] must be an object`);
      readItem({ ...item, type }, 0, dump, `${key}[${index}]`);
    });
  }
  return dump;
}

function readItem(item: unknown, line: number, dump: MemoryDump, where = 'this line'): void {
  if (!isRecord(item)) throw new ExportFormatError(line, `${where} must be a JSON object`);
  const fail = (problem: string): never => {
    throw new ExportFormatError(line, `${where} (${String(item.type)}): ${problem}`);
  };
  const text = (key: string): string => (typeof item[key] === 'string' ? (item[key] as string) : fail(`"${key}" must be a string`));
  switch (item.type) {
    case 'entity': {
      const observations = item.observations;
      if (!Array.isArray(observations) || !observations.every((value) => typeof value === 'string')) fail('"observations" must be a list of strings');
      dump.entities.push({ name: text('name'), entityType: text('entityType'), observations: observations as string[] });
      return;
    }
    case 'relation':
      dump.relations.push({ from: text('from'), to: text('to'), relationType: text('relationType') });
      return;
    case 'kv': {
      if (!('value' in item) || item.value === undefined) fail('"value" is missing');
      const time = (key: string, fallback: number | null): number | null => {
        const value = item[key];
        if (value === undefined || value === null) return fallback;
        return typeof value === 'number' && Number.isSafeInteger(value) ? value : fail(`"${key}" must be a time in milliseconds since 1970, or null`);
      };
      const now = Date.now();
      dump.kv.push({
        namespace: text('namespace'),
        key: text('key'),
        json: JSON.stringify(item.value),
        createdAt: time('createdAt', now)!,
        updatedAt: time('updatedAt', now)!,
        expiresAt: time('expiresAt', null),
      });
      return;
    }
    case EXPORT_HEADER_TYPE:
      if (typeof item.version === 'number' && item.version > EXPORT_VERSION) {
        fail(`written by a newer MCPEG (export version ${item.version}; this one reads up to ${EXPORT_VERSION})`);
      }
      return;
    default:
      dump.skipped++;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
