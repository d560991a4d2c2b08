import { GatewayError } from '../../sdk/index.js';

/** Longest key, in UTF-16 code units (the JSON Schema `maxLength` of every key argument). */
export const MAX_KEY_LENGTH = 1024;

/** A lone surrogate cannot be stored as UTF-8: it would come back as U+FFFD, a different key. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Refuses a key SQLite could not give back unchanged: NUL characters (SQLite's text functions stop
 * at them) and lone surrogates. Length and type are checked by the tool's JSON Schema before.
 */
export function checkKey(service: string, key: string, what = 'key'): void {
  if (key.includes('\u0000')) {
    throw new GatewayError('INVALID_ARGUMENTS', `the ${what} ${preview(key)} contains a NUL character (\\u0000), which cannot be stored: remove it`, { service });
  }
  if (LONE_SURROGATE.test(key)) {
    throw new GatewayError('INVALID_ARGUMENTS', `the ${what} ${preview(key)} contains a lone UTF-16 surrogate, which is not valid Unicode: fix its encoding`, {
      service,
    });
  }
}

/** A key as it appears in a message: JSON-quoted, cut at 80 characters. */
export function preview(key: string): string {
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
}

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when there is
 * none: keys with the prefix are exactly those in [prefix, upper). SQLite compares text as UTF-8 bytes,
 * which orders like code points, so the last code point is incremented (skipping the surrogate range).
 *
 * @example prefixUpperBound('user:') // 'user;'
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix].map((char) => char.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}
