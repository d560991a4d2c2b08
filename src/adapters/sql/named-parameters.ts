/**
 * Rewrites the `:name` placeholders of a named query (trusted SQL from config) into the engine's
 * positional placeholders, returning the order in which argument values are bound. Quoted strings,
 * quoted identifiers, comments and `::` casts are left alone. Values are never put into the SQL.
 *
 * @example bindNamed('select * from t where id = :id and x = :id', (i) => `$${i + 1}`)
 *   // { sql: 'select * from t where id = $1 and x = $2', names: ['id', 'id'] }
 */
export function bindNamed(
  sql: string,
  placeholder: (index: number) => string,
  quoting: SqlQuoting = { backslashEscapes: false, dollarQuotes: false },
): { sql: string; names: string[] } {
  const names: string[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    const next = sql[i + 1];
    const dollar = quoting.dollarQuotes && char === '$' ? /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(sql.slice(i)) : null;
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? sql.length : end + dollar[0].length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (char === "'" || char === '"' || char === '`') {
      const end = closing(sql, i, char, quoting.backslashEscapes);
      out += sql.slice(i, end);
      i = end;
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (char === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (char === ':' && next !== undefined && /[A-Za-z_]/.test(next)) {
      let end = i + 1;
      while (end < sql.length && /[A-Za-z0-9_]/.test(sql[end]!)) end++;
      names.push(sql.slice(i + 1, end));
      out += placeholder(names.length - 1);
      i = end;
    } else {
      out += char;
      i++;
    }
  }
  return { sql: out, names };
}

/** How an engine quotes strings: MySQL escapes with backslashes; PostgreSQL has `$tag$…$tag$` strings. */
export interface SqlQuoting {
  readonly backslashEscapes: boolean;
  readonly dollarQuotes: boolean;
}

/** Index just past the quote that closes the one at `start` (doubled quotes escape themselves). */
function closing(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\' && quote !== '`') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return sql.length;
}
