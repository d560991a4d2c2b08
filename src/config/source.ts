import { isCollection, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { interpolate } from './interpolate.js';

/** One problem in a config file, located for the person fixing it. */
export interface ConfigIssue {
  /** Dotted YAML path, e.g. `services.orders_db.pool.max_connections`. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** A config file parsed and interpolated, with a way back from a value's path to its line. */
export interface ConfigSource {
  /** Where it came from: a file path, or `<embedded default>`. */
  readonly origin: string;
  readonly data: unknown;
  readonly issues: readonly ConfigIssue[];
  /** Strings that came from `${…}` references: redacted from logs and output. */
  readonly secrets: readonly string[];
  /**
   * Where the value at `path` is written, or its nearest existing parent. A mapping or list points at its key (the
   * value starts a line below); a scalar at its value, or at its key when `target` is `'key'` (unknown keys).
   */
  locate(path: readonly (string | number)[], target?: 'value' | 'key'): { line: number; column: number } | undefined;
}

/** Formats a path the way YAML users read it: `services.db.tools[0]`. */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/**
 * Parses YAML text and resolves references. Never throws: syntax errors become issues with lines.
 *
 * @example parseConfigSource('services: {}', 'mcpeg.yaml', { env: process.env })
 */
export function parseConfigSource(
  text: string,
  origin: string,
  options: { env: Readonly<Record<string, string | undefined>>; readFile?: (path: string) => string },
): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const keyOf = (path: readonly (string | number)[]) => {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const name = String(path[path.length - 1]);
    const pair = parent.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === name);
    return isNode(pair?.key) ? pair.key : undefined;
  };
  const locate = (path: readonly (string | number)[], target: 'value' | 'key' = 'value') => {
    for (let depth = path.length; depth >= 0; depth--) {
      const at = path.slice(0, depth);
      const node = doc.getIn(at, true);
      if (!isNode(node) || !node.range) continue;
      const key = depth > 0 && (target === 'key' || depth < path.length || isCollection(node)) ? keyOf(at) : undefined;
      const pos = lineCounter.linePos((key?.range ?? node.range)[0]);
      return { line: pos.line, column: pos.col };
    }
    return undefined;
  };
  const issues: ConfigIssue[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    // With prettyErrors off, yaml leaves linePos unset: locate the error from its offset.
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    issues.push({
      path: '(yaml)',
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      message: `YAML syntax: ${error.message.split('\n')[0]}`,
    });
  }
  if (issues.length > 0) return { origin, data: undefined, issues, secrets: [], locate };
  const raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const resolved = interpolate(raw, options);
  for (const issue of resolved.issues) {
    issues.push({ path: formatPath(issue.path), ...locate(issue.path), message: issue.message });
  }
  const secrets = resolved.secretPaths
    .map((path) => readPath(resolved.value, path))
    .filter((value): value is string => typeof value === 'string' && value.length >= 4);
  return { origin, data: resolved.value, issues, secrets, locate };
}

function readPath(value: unknown, path: readonly (string | number)[]): unknown {
  let node = value;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}
