// The sqlite service type's tools through the real call path (gateway.dispatcher: validation, pipeline,
// error boundary) against real SQLite files in a temp dir.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { checksum, cleanup, createDatabase, gateway as startGateway, LIBRARY_SQL, readDirect, tempDir } from './sqlite-fixture.js';

describe('sqlite service type: tools on a real database file', () => {
  let gateway: Gateway;
  let file: string;
  let writableFile: string;
  const call = (tool: string, args: Record<string, unknown> = {}) => gateway.dispatcher.callTool(tool, args, scope());
  const structured = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await call(tool, args);
    if (result.isError) throw new Error(`${tool} failed: ${text(result)}`);
    return (result as { structuredContent: Record<string, any> }).structuredContent;
  };

  beforeAll(async () => {
    const dir = tempDir();
    file = createDatabase(join(dir, 'library.db'), LIBRARY_SQL);
    writableFile = createDatabase(join(dir, 'writable.db'), LIBRARY_SQL);
    gateway = await startGateway(`services:
  lib:
    driver: sqlite
    path: ${file}
    queries:
      books_by_author:
        description: Books of one author, cheaper than a price
        sql: select id, title, price from books where author_id = :author and price < :max_price order by id
        parameters:
          author: { type: integer, minimum: 1 }
          max_price: { type: number }
      find_book:
        description: Books by exact title (a colon in ':title' stays text)
        sql: "select id, title, ':title' as literal from books where title = :title"
        parameters:
          title: { type: string, maxLength: 200 }
      recent_authors:
        description: Authors born after a year, at most a given number of them
        sql: select name from authors where born > coalesce(:after, 0) order by born limit coalesce(:limit, 10)
        parameters:
          after: { type: integer }
          limit: { type: integer, minimum: 1, maximum: 100 }
        required: []
  rw:
    driver: sqlite
    config:
      path: ${writableFile}
      read_only: false
    queries:
      add_author:
        description: Add an author
        sql: insert into authors (name, born) values (:name, :born)
        read_only: false
        parameters:
          name: { type: string, minLength: 1 }
          born: { type: integer }
  small:
    driver: sqlite
    path: ${file}
    max_rows: 2
    max_bytes: 200
`);
  });
  afterAll(cleanup);

  it('declares query, list_tables, describe_table, explain and the named queries; execute only on a writable service', () => {
    const names = gateway.dispatcher.listTools(undefined).tools.map((tool) => tool.name);
    expect(names.filter((name) => name.startsWith('lib__')).sort()).toEqual(
      ['lib__books_by_author', 'lib__describe_table', 'lib__explain', 'lib__find_book', 'lib__list_tables', 'lib__query', 'lib__recent_authors'].sort(),
    );
    expect(names).toContain('rw__execute');
    const execute = gateway.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'rw__execute');
    expect(execute?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    const query = gateway.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'lib__query');
    expect(query?.description).toContain('? placeholders');
  });

  it('query: columns with types, rows, bound parameters, a text table', async () => {
    const result = await call('lib__query', { sql: 'select id, title, price, 1 + ? as n from books where author_id = ? order by id', params: [41, 1] });
    expect(result.isError).toBeFalsy();
    const content = (result as { structuredContent: any }).structuredContent;
    expect(content.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'title', type: 'TEXT' },
      { name: 'price', type: 'REAL' },
      { name: 'n', type: 'INTEGER' },
    ]);
    expect(content.rows).toEqual([
      [1, 'A Wizard of Earthsea', 8.99, 42],
      [2, 'The Dispossessed', 12.5, 42],
    ]);
    expect(content).toMatchObject({ rowCount: 2, truncated: false });
    expect(text(result)).toBe('id | title | price | n\n1 | A Wizard of Earthsea | 8.99 | 42\n2 | The Dispossessed | 12.5 | 42\n(2 rows)');
  });

  it('query: big integers keep every digit, blobs come as base64, booleans bind as 1/0, integers as INTEGER', async () => {
    const content = await structured('lib__query', {
      sql: 'select 9007199254740993 as big, cover, ? as yes, typeof(?) as kind from books where id = 3',
      params: [true, 7],
    });
    expect(content.rows).toEqual([['9007199254740993', Buffer.from([0xca, 0xfe]).toString('base64'), 1, 'integer']]);
    expect(content.columns.map((column: { type: string }) => column.type)).toEqual(['INTEGER', 'BLOB', 'INTEGER', 'TEXT']);
  });

  it('query: more than one statement is refused with a clear message, and nothing runs', async () => {
    const result = await call('lib__query', { sql: 'select 1; select 2' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('[lib] one statement per call: this SQL holds more than one (nothing was run) — send each statement in its own call');
    expect((await structured('lib__query', { sql: 'select 1 as one; -- a trailing comment is fine' })).rows).toEqual([[1]]);
  });

  it('query: an SQL error is a tool error naming the service, and the service stays healthy', async () => {
    const result = await call('lib__query', { sql: 'select * from no_such_table' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('[lib] no such table: no_such_table');
    expect(gateway.host('lib')?.status().breaker).toBe('closed');
    expect((await gateway.host('lib')!.health()).healthy).toBe(true);
  });

  it('list_tables: tables and views, sorted', async () => {
    const content = await structured('lib__list_tables');
    expect(content.tables).toEqual([
      { name: 'authors', type: 'table' },
      { name: 'books', type: 'table' },
      { name: 'cheap_books', type: 'view' },
      { name: 'editions', type: 'table' },
    ]);
  });

  it('describe_table: columns, types, nullability, defaults, primary key, foreign keys, indexes', async () => {
    const books = await structured('lib__describe_table', { table: 'books' });
    expect(books).toEqual({
      name: 'books',
      columns: [
        { name: 'id', type: 'INTEGER', nullable: false, default: null },
        { name: 'author_id', type: 'INTEGER', nullable: false, default: null },
        { name: 'title', type: 'TEXT', nullable: false, default: null },
        { name: 'isbn', type: 'TEXT', nullable: true, default: null },
        { name: 'price', type: 'REAL', nullable: true, default: '9.99' },
        { name: 'cover', type: 'BLOB', nullable: true, default: null },
      ],
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['author_id'], table: 'authors', references: ['id'] }],
      indexes: [
        { name: 'books_author', columns: ['author_id'], unique: false },
        { name: 'sqlite_autoindex_books_1', columns: ['isbn'], unique: true },
      ],
    });
    const editions = await structured('lib__describe_table', { table: 'main.editions' });
    expect(editions.primaryKey).toEqual(['book_id', 'number']);
    expect(editions.foreignKeys).toEqual([{ columns: ['book_id'], table: 'books', references: ['id'] }]);
    const view = await structured('lib__describe_table', { table: 'cheap_books' });
    expect(view.columns.map((column: { name: string }) => column.name)).toEqual(['title', 'price']);
  });

  it('describe_table: an unknown table is a tool error that says where to look; a hostile name is just a name', async () => {
    for (const table of ['nope', "books') --", 'books; drop table books']) {
      const result = await call('lib__describe_table', { table });
      expect(result.isError).toBe(true);
      expect(text(result)).toBe(`[lib] no table or view named ${table} — list_tables shows what exists`);
    }
    expect(readDirect(file, 'select count(*) as n from books')).toEqual([{ n: 4 }]);
  });

  it('explain: the plan, indented, and a write is planned but never run', async () => {
    const plan = await structured('lib__explain', { sql: 'select b.title from books b join authors a on a.id = b.author_id where a.name = ?', params: ['x'] });
    expect(plan.columns.map((column: { name: string }) => column.name)).toEqual(['id', 'parent', 'detail']);
    expect(plan.rows.map((row: unknown[]) => row[2]).join('\n')).toMatch(/SCAN a[\s\S]*SEARCH b USING INDEX books_author/);
    const before = checksum(writableFile);
    const deletion = await structured('rw__explain', { sql: 'delete from books where author_id = 1' });
    expect(deletion.rowCount).toBeGreaterThan(0);
    expect(readDirect(writableFile, 'select count(*) as n from books')).toEqual([{ n: 4 }]);
    expect(checksum(writableFile)).toBe(before);
  });

  it('execute: writes in a transaction, returns affected rows and the new row id; a failure rolls back', async () => {
    const inserted = await structured('rw__execute', { sql: 'insert into authors (name, born) values (?, ?)', params: ['N. K. Jemisin', 1972] });
    expect(inserted).toEqual({ affectedRows: 1, lastInsertId: 4 });
    const updated = await structured('rw__execute', { sql: 'update books set price = price + 1 where author_id = ?', params: [1] });
    expect(updated).toEqual({ affectedRows: 2 });
    // The foreign key is enforced; the failing statement leaves nothing behind.
    const broken = await call('rw__execute', { sql: 'insert into books (author_id, title) values (99, ?)', params: ['Orphan'] });
    expect(broken.isError).toBe(true);
    expect(text(broken)).toBe('[rw] FOREIGN KEY constraint failed');
    const unique = await call('rw__execute', { sql: "update books set isbn = '978-0553383041'" });
    expect(text(unique)).toBe('[rw] UNIQUE constraint failed: books.isbn');
    expect(readDirect(writableFile, "select count(*) as n from books where title = 'Orphan'")).toEqual([{ n: 0 }]);
    expect(readDirect(writableFile, 'select isbn from books order by id').map((row: any) => row.isbn)).toContain('978-0156453806');
    // DDL works, and the new table shows up in list_tables and the resources.
    await structured('rw__execute', { sql: 'create table loans (book_id integer references books (id), due text)' });
    expect((await structured('rw__list_tables')).tables).toContainEqual({ name: 'loans', type: 'table' });
  });

  it('execute: transaction control and several statements are refused with a clear message', async () => {
    const commit = await call('rw__execute', { sql: 'commit' });
    expect(text(commit)).toContain('execute runs each statement in its own transaction');
    const several = await call('rw__execute', { sql: "insert into authors (name) values ('a'); delete from authors" });
    expect(text(several)).toContain('one statement per call');
    expect(readDirect(writableFile, "select count(*) as n from authors where name = 'a'")).toEqual([{ n: 0 }]);
  });

  it('named queries: typed parameters are bound, never interpolated; optional ones default in SQL', async () => {
    const books = await structured('lib__books_by_author', { author: 1, max_price: 10 });
    expect(books.rows).toEqual([[1, 'A Wizard of Earthsea', 8.99]]);
    const found = await structured('lib__find_book', { title: 'Kindred' });
    expect(found.rows).toEqual([[4, 'Kindred', ':title']]);
    expect((await structured('lib__recent_authors', {})).rows).toEqual([['Italo Calvino'], ['Ursula K. Le Guin'], ['Octavia E. Butler']]);
    expect((await structured('lib__recent_authors', { after: 1925, limit: 1 })).rows).toEqual([['Ursula K. Le Guin']]);
    const added = await structured('rw__add_author', { name: 'Stanisław Lem', born: 1921 });
    expect(added.affectedRows).toBe(1);
  });

  it('named queries: wrong types, missing and unknown arguments are tool errors with the failing path', async () => {
    for (const [args, fragment] of [
      [{ author: 'one', max_price: 10 }, 'author'],
      [{ author: 1.5, max_price: 10 }, 'author'],
      [{ author: 0, max_price: 10 }, 'author'],
      [{ author: 1 }, 'max_price'],
      [{ author: 1, max_price: 10, extra: 1 }, 'additional properties'],
    ] as const) {
      const result = await call('lib__books_by_author', args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result)).toContain('invalid arguments for lib__books_by_author');
      expect(text(result)).toContain(fragment);
      expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    }
  });

  it('named queries: injection through a parameter is impossible — the value is data, the table is intact', async () => {
    const attacks = [
      "Kindred'; drop table books; --",
      "' OR 1=1 --",
      "' OR '1'='1",
      '1; DROP TABLE books',
      "Kindred' UNION SELECT id, name, email FROM sqlite_schema --",
      '"; delete from books; --',
      "'); ATTACH DATABASE '/tmp/x.db' AS x; --",
      ':title',
      '?',
      '\\',
    ];
    for (const title of attacks) {
      const result = await structured('lib__find_book', { title });
      expect(result.rows, title).toEqual([]);
    }
    // The value round-trips exactly, as data.
    const echoed = await structured('lib__query', { sql: 'select ? as value', params: [attacks[0]] });
    expect(echoed.rows).toEqual([[attacks[0]]]);
    const added = await structured('rw__add_author', { name: "Robert'); DROP TABLE authors; --", born: 1 });
    expect(added.affectedRows).toBe(1);
    expect(readDirect(writableFile, 'select name from authors where born = 1')).toEqual([{ name: "Robert'); DROP TABLE authors; --" }]);
    expect(readDirect(file, 'select count(*) as n from books')).toEqual([{ n: 4 }]);
    expect((await structured('lib__books_by_author', { author: 1, max_price: 100 })).rowCount).toBe(2);
  });

  it('resources: one schema per table and view, and a template; an unknown table is not found', async () => {
    const resources = gateway.dispatcher.listResources(undefined).resources.filter((resource) => resource.uri.startsWith('sql://lib/'));
    expect(resources.map((resource) => resource.uri)).toEqual([
      'sql://lib/tables/authors',
      'sql://lib/tables/books',
      'sql://lib/tables/cheap_books',
      'sql://lib/tables/editions',
    ]);
    const read = await gateway.dispatcher.readResource('sql://lib/tables/authors', scope());
    const schema = JSON.parse((read as { contents: { text: string }[] }).contents[0]!.text);
    expect(schema).toMatchObject({ name: 'authors', primaryKey: ['id'] });
    expect(schema.columns.map((column: { name: string }) => column.name)).toEqual(['id', 'name', 'born']);
    const templates = gateway.dispatcher.listResourceTemplates(undefined).resourceTemplates.map((template) => template.uriTemplate);
    expect(templates).toContain('sql://lib/tables/{table}');
    await expect(gateway.dispatcher.readResource('sql://lib/tables/nope', scope())).rejects.toThrow(/no table nope/);
  });

  it('truncation: max_rows cuts the rows, max_bytes cuts a large result, and both say truncated: true', async () => {
    const byRows = await structured('small__query', { sql: 'select id from books order by id' });
    expect(byRows).toMatchObject({ rows: [[1], [2]], rowCount: 2, truncated: true });
    const byBytes = await call('small__query', { sql: "select id, 'x' || printf('%.60c', 'y') as padding from books order by id" });
    const content = (byBytes as { structuredContent: any }).structuredContent;
    expect(content.truncated).toBe(true);
    expect(content.rowCount).toBeLessThan(2);
    expect(JSON.stringify(content.rows).length).toBeLessThanOrEqual(200);
    expect(text(byBytes)).toContain('truncated — narrow the query or raise max_rows / max_bytes');
    // A result past max_bytes is cut in the worker too: a million-row query returns at once.
    const huge = await structured('lib__query', {
      sql: "with recursive n(i) as (select 1 union all select i + 1 from n) select i, printf('%.500c', 'z') from n",
    });
    expect(huge.truncated).toBe(true);
    expect(huge.rowCount).toBeLessThanOrEqual(1000);
  });
});
