/**
 * Local `$ref` resolution for OpenAPI documents. Only references inside the document (`#/components/…`)
 * are followed: an external one (`other.yaml#/X`, `https://…`) is an {@link UnsupportedReference}
 * naming where it is, because fetching more files would let a document pull arbitrary content in.
 * Chains of references are followed with cycle detection.
 */

/** Why a reference could not be resolved; the message says where in the document. */
export class UnsupportedReference extends Error {
  override readonly name = 'UnsupportedReference';
}

/** Most `$ref` hops followed for one parameter, body or response (a → b → c …). */
const MAX_HOPS = 32;

/** The value a local JSON Pointer (`#/components/schemas/Pet`) names in `document`. */
export function resolvePointer(document: unknown, ref: string, at: string): unknown {
  if (!ref.startsWith('#')) {
    throw new UnsupportedReference(`$ref "${ref}" at ${at} points outside this document; only local references (#/components/…) are supported — bundle the document into one file first (for example with redocly bundle)`);
  }
  if (ref === '#' || ref === '#/') return document;
  if (!ref.startsWith('#/')) throw new UnsupportedReference(`$ref "${ref}" at ${at} is not a JSON Pointer (#/components/…)`);
  let current: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    let step: string;
    try {
      step = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      throw new UnsupportedReference(`$ref "${ref}" at ${at} has a broken %-escape`);
    }
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) {
      throw new UnsupportedReference(`$ref "${ref}" at ${at} points to nothing in the document`);
    }
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/**
 * Follows `$ref` until a value without one (a parameter, request body, response object); a cycle or an
 * endless chain is an error.
 */
export function dereference(document: unknown, value: unknown, at: string): unknown {
  let current = value;
  const seen: string[] = [];
  while (isRecord(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (seen.includes(ref) || seen.length >= MAX_HOPS) {
      throw new UnsupportedReference(`$ref cycle at ${at}: ${[...seen, ref].join(' → ')}`);
    }
    seen.push(ref);
    current = resolvePointer(document, ref, at);
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
