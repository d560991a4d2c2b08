/**
 * Compiles a name glob (`*` any run, `?` one character) to a matcher. Matching is exact and
 * case-sensitive, so `read_*` never matches `Read_x` or `read-x`.
 *
 * @example globMatcher(['list_*', 'describe_table'])('list_tables') // true
 */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const regexes = patterns.map(
    (pattern) =>
      new RegExp(
        `^${pattern
          .split('')
          .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
          .join('')}$`,
        'su',
      ),
  );
  return (name) => regexes.some((regex) => regex.test(name));
}

/** Include/exclude filter: included when no include list or it matches, and no exclude matches. */
export function nameFilter(filter: { include?: readonly string[]; exclude?: readonly string[] }): (name: string) => boolean {
  const include = filter.include?.length ? globMatcher(filter.include) : () => true;
  const exclude = filter.exclude?.length ? globMatcher(filter.exclude) : () => false;
  return (name) => include(name) && !exclude(name);
}
