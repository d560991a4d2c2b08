import { isAbsolute } from 'node:path';

/**
 * Why `path` cannot be a path relative to a workspace or repository: empty, too long, control characters
 * (newlines, NUL), absolute, or a `..` part. Symlinks are the caller's check (real paths).
 *
 * @example relativePathProblem('src/app.ts') // undefined
 * @example relativePathProblem('../etc/passwd') // 'must not contain a ".." part'
 */
export function relativePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > 4096) return 'is longer than 4096 characters';
  if (hasControlCharacters(path)) return 'must not contain control characters (newlines, NUL, …)';
  if (isAbsolute(path) || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return 'must be relative (no leading / or drive letter)';
  if (path.split(/[/\\]/).includes('..')) return 'must not contain a ".." part';
  return undefined;
}

/**
 * True when `value` holds a control character (NUL, a newline, a tab, DEL, …). A loop rather than a
 * regular expression, which the linter rightly distrusts for control characters.
 *
 * @example hasControlCharacters('a\nb') // true
 */
export function hasControlCharacters(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
