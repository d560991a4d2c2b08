import { GatewayError } from '../sdk/errors.js';

/**
 * Opaque pagination cursors: base64url of `{ list, offset }`. A cursor from another list, a
 * tampered one, or one past the end is `INVALID_CURSOR` (a JSON-RPC -32602 to the client).
 */
export function encodeCursor(list: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: list, o: offset })).toString('base64url');
}

export function decodeCursor(list: string, cursor: string | undefined, total: number): number {
  if (cursor === undefined) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { l, o } = (parsed ?? {}) as { l?: unknown; o?: unknown };
  if (l !== list || typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > total) {
    throw new GatewayError('INVALID_CURSOR', `invalid cursor for ${list}: pass back exactly the nextCursor of the previous page`);
  }
  return o;
}

/** One page of `items` from `cursor`, with the next cursor when more remain. */
export function page<T>(list: string, items: readonly T[], cursor: string | undefined, size: number) {
  const offset = decodeCursor(list, cursor, items.length);
  const end = Math.min(items.length, offset + size);
  return { items: items.slice(offset, end), nextCursor: end < items.length ? encodeCursor(list, end) : undefined };
}
