import { describe, expect, it } from 'vitest';
import { bindNamed } from '../../src/adapters/sql/named-parameters.js';

const dollar = (index: number) => `$${index + 1}`;

describe('named-query placeholders', () => {
  it('rewrites :name to bound placeholders in order, repeating a name binds it again', () => {
    expect(bindNamed('select * from t where a = :a and b = :b or a = :a', dollar)).toEqual({
      sql: 'select * from t where a = $1 and b = $2 or a = $3',
      names: ['a', 'b', 'a'],
    });
  });

  it('leaves casts, quoted strings, identifiers and comments alone', () => {
    const sql = `select x::text, ':no', ":no", \`:no\` from t -- :no\n/* :no */ where id = :id`;
    expect(bindNamed(sql, () => '?')).toEqual({ sql: sql.replace(':id', '?'), names: ['id'] });
  });

  it('PostgreSQL: $$-quoted strings are skipped and a backslash is an ordinary character', () => {
    const quoting = { backslashEscapes: false, dollarQuotes: true };
    expect(bindNamed("select $$ :no $$, $tag$ :no $tag$, 'a\\' || :id", dollar, quoting)).toEqual({
      sql: "select $$ :no $$, $tag$ :no $tag$, 'a\\' || $1",
      names: ['id'],
    });
  });

  it('MySQL: a backslash escapes the next character inside a string', () => {
    const quoting = { backslashEscapes: true, dollarQuotes: false };
    expect(bindNamed("select 'it\\'s :no' , :id", () => '?', quoting)).toEqual({ sql: "select 'it\\'s :no' , ?", names: ['id'] });
  });
});
