import { createHash } from 'node:crypto';

/** Argument names whose values are treated as secrets: never written, and replaced before hashing. */
const SECRET_FIELD = /pass(word|wd|phrase)?|secret|token|api[-_]?key|apikey|private[-_]?key|credential|auth|cookie|session|dsn|^key$|_key$/i;
const REDACTED = '[REDACTED]';

/**
 * The audit view of a tool's arguments: secret-looking fields (`password`, `token`, `api_key`, …, at any
 * depth) replaced, and the SHA-256 of the result's canonical JSON (object keys sorted), so two calls with
 * the same arguments have the same digest whatever the key order, and a secret never reaches the file.
 *
 * @example argumentDigest({ sql: 'select 1', password: 'x' }) // { digest: 'sha256:…', redacted: ['password'] }
 */
export function argumentDigest(args: unknown): { digest: string; redacted: string[] } {
  const redacted: string[] = [];
  const clean = redact(args, '', redacted, 0);
  return { digest: `sha256:${createHash('sha256').update(canonicalJson(clean)).digest('hex')}`, redacted };
}

function redact(value: unknown, path: string, found: string[], depth: number): unknown {
  if (depth > 64) return '[TOO DEEP]';
  if (Array.isArray(value)) return value.map((item, index) => redact(item, `${path}[${index}]`, found, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (SECRET_FIELD.test(key) && child !== null && typeof child !== 'object') {
      out[key] = REDACTED;
      found.push(at);
    } else out[key] = redact(child, at, found, depth + 1);
  }
  return out;
}

/** JSON with object keys sorted at every level (RFC 8785 in spirit, for plain JSON values). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
