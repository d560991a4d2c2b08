/**
 * Checks for the names a caller gives git: branch names (git check-ref-format rules), revisions, remote
 * names. Each returns what is wrong, or undefined. A leading `-` is always refused, so no name is ever
 * read as an option, whatever follows it on the command line.
 */

/**
 * Why `name` cannot be a branch name, following `git check-ref-format --branch`, plus: no leading `-`,
 * not `HEAD`, at most 255 characters.
 *
 * @example branchNameProblem('feature/x') // undefined
 * @example branchNameProblem('-D') // 'must not start with "-"'
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 255) return 'is longer than 255 characters';
  if (name.startsWith('-')) return 'must not start with "-"';
  if (name === 'HEAD' || name === '@') return `"${name}" is reserved by git`;
  if (/[\0-\x20\x7f~^:?*[\\]/.test(name)) return 'must not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'must not contain ".."';
  if (name.includes('@{')) return 'must not contain "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'must not start or end with "/" or contain "//"';
  if (name.endsWith('.')) return 'must not end with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'no part between slashes may start with "."';
    if (part.endsWith('.lock')) return 'no part between slashes may end with ".lock"';
  }
  return undefined;
}

/** Revisions: names, hashes and the suffixes ~N, ^N, @{N}, @{upstream} — never ranges, options or `rev:path`. */
const REVISION = /^[A-Za-z0-9@][A-Za-z0-9._/@{}~^+-]*$/;

/**
 * Why `rev` cannot be a revision argument. Ranges are not accepted (tools take `from` and `to` instead),
 * nor `rev:path` (tools take `path`).
 *
 * @example revisionProblem('HEAD~2') // undefined
 * @example revisionProblem('--output=/tmp/x') // 'must not start with "-"'
 */
export function revisionProblem(rev: string): string | undefined {
  if (rev.length === 0) return 'is empty';
  if (rev.length > 255) return 'is longer than 255 characters';
  if (rev.startsWith('-')) return 'must not start with "-"';
  if (rev.includes('..')) return 'must not be a range ("a..b"): give from and to';
  if (!REVISION.test(rev)) return 'may hold only letters, digits and . _ / @ { } ~ ^ + - (a branch, tag, commit hash, or HEAD~2-style suffix)';
  return undefined;
}

/**
 * Why `name` cannot be the name of a configured remote (`origin`, `upstream`, …).
 *
 * @example remoteNameProblem('origin') // undefined
 */
export function remoteNameProblem(name: string): string | undefined {
  if (name.startsWith('-')) return 'must not start with "-"';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) return 'may hold only letters, digits, ".", "_" and "-" (at most 100)';
  return undefined;
}
