import { posix } from 'node:path';
import { GatewayError } from '../../sdk/index.js';

/** Longest path a tool takes, in characters (Linux's PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;
/** Longest single name, in UTF-8 bytes (NAME_MAX of common file systems). */
const MAX_NAME_BYTES = 255;

/**
 * Characters refused anywhere in a path: C0/C1 controls (NUL included) and the Unicode direction
 * controls (U+200E/F, U+061C, U+202A–U+202E, U+2066–U+2069) that make a name read differently from
 * what it is — `invoice\u202Egpj.exe` shows as `invoiceexe.jpg`.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Where a path argument points, before the file system is asked anything. */
export interface PathRequest {
  /** Absolute after lexical clean-up (`..` folded), or relative to the default workspace. */
  readonly absolute: boolean;
  /** `posix.normalize`d path: for a relative one, never starting with `..`. */
  readonly normalized: string;
}

/**
 * Checks a path argument and folds `.` and `..` lexically, as `path.resolve` does (Go's
 * `filepath.Clean`, `securejoin`): `a/../b` is `b` whatever `a` is. Nothing is decoded: `%2e%2e`,
 * `．．` (fullwidth dots) and `a\..\b` are ordinary names on Linux. Throws INVALID_ARGUMENTS.
 *
 * @example parsePathArgument('docs/../README.md', 'path', 'ed') // { absolute: false, normalized: 'README.md' }
 */
export function parsePathArgument(value: unknown, argument: string, service: string): PathRequest {
  const refuse = (why: string) =>
    new GatewayError('INVALID_ARGUMENTS', `${argument} ${why}`, { service, data: { argument, reason: 'bad_path' } });
  if (typeof value !== 'string') throw refuse('must be a string');
  if (value.length === 0) throw refuse('is empty: give a path relative to the workspace, like notes/todo.md (or . for the workspace itself)');
  if (value.length > MAX_PATH_LENGTH) throw refuse(`is ${value.length} characters long; the limit is ${MAX_PATH_LENGTH}`);
  const bad = FORBIDDEN.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw refuse(`contains the control character U+${code} (at index ${bad.index}); file names with control or text-direction characters are refused`);
  }
  for (const name of value.split('/')) {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw refuse(`has a name longer than ${MAX_NAME_BYTES} bytes: "${name.slice(0, 40)}…"`);
  }
  const normalized = posix.normalize(value);
  return { absolute: posix.isAbsolute(normalized), normalized };
}

/** True when `path` is `root` or inside it (both absolute and normalized). */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}

/** The names of a relative normalized path (`''` and `.` dropped). */
export function segmentsOf(relative: string): string[] {
  return relative.split('/').filter((name) => name !== '' && name !== '.');
}
