import type { ToolAnnotations } from '../../sdk/index.js';

/**
 * The honest hints of an HTTP method (RFC 9110 semantics): GET, HEAD and OPTIONS only read; PUT and
 * DELETE may change or remove data but are idempotent; POST and PATCH may change anything. Every HTTP
 * API is outside the gateway (openWorldHint).
 *
 * @example methodAnnotations('DELETE') // { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true }
 */
export function methodAnnotations(method: string): ToolAnnotations {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return { readOnlyHint: true, openWorldHint: true };
    case 'PUT':
    case 'DELETE':
      return { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true };
    default:
      return { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
  }
}

/** Hints of a tool that can use any of `methods`: read-only only when every method is. */
export function combinedAnnotations(methods: readonly string[]): ToolAnnotations {
  const hints = methods.map(methodAnnotations);
  if (hints.every((hint) => hint.readOnlyHint)) return { readOnlyHint: true, openWorldHint: true };
  return { readOnlyHint: false, destructiveHint: true, idempotentHint: hints.every((hint) => hint.readOnlyHint || hint.idempotentHint), openWorldHint: true };
}
