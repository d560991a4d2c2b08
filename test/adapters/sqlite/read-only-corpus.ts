// Attempts to modify a SQLite database through a read-only path. Each attempt is one or more statements,
// each sent in its own call; one of them (the last, unless `write` says otherwise) writes, and must fail. Earlier steps may succeed (a
// connection setting such as `PRAGMA query_only = OFF`): what counts is that the write fails.
// `{dir}` stands for the folder of the database file: ATTACH and VACUUM INTO would create files there.

export interface Attempt {
  readonly name: string;
  readonly steps: readonly string[];
  /** The step that writes, and must fail; the last one unless said otherwise. */
  readonly write?: number;
}

/** The table every attempt targets: `items (id, name)` with an index and two rows. */
export const CORPUS_SCHEMA = `
  CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE INDEX items_name ON items (name);
  INSERT INTO items (name) VALUES ('alpha'), ('beta');
`;

const one = (name: string, sql: string): Attempt => ({ name, steps: [sql] });

export const READ_ONLY_CORPUS: readonly Attempt[] = [
  // Plain DML, and its variants
  one('INSERT', "INSERT INTO items (name) VALUES ('x')"),
  one('UPDATE', "UPDATE items SET name = 'x'"),
  one('DELETE', 'DELETE FROM items'),
  one('REPLACE', "REPLACE INTO items (id, name) VALUES (1, 'x')"),
  one('INSERT OR REPLACE', "INSERT OR REPLACE INTO items (id, name) VALUES (1, 'x')"),
  one('UPSERT', "INSERT INTO items (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = 'x'"),
  one('INSERT … SELECT from itself', 'INSERT INTO items (name) SELECT name FROM items'),
  one('UPDATE … RETURNING (a write that returns rows)', 'UPDATE items SET name = upper(name) RETURNING *'),
  one('DELETE … RETURNING', 'DELETE FROM items RETURNING id'),
  // DDL
  one('CREATE TABLE', 'CREATE TABLE evil (a)'),
  one('CREATE TABLE … AS SELECT', 'CREATE TABLE evil AS SELECT * FROM items'),
  one('DROP TABLE', 'DROP TABLE items'),
  one('ALTER TABLE ADD COLUMN', 'ALTER TABLE items ADD COLUMN evil TEXT'),
  one('ALTER TABLE RENAME', 'ALTER TABLE items RENAME TO gone'),
  one('CREATE INDEX', 'CREATE INDEX evil ON items (id, name)'),
  one('DROP INDEX', 'DROP INDEX items_name'),
  one('CREATE VIEW', 'CREATE VIEW evil AS SELECT 1'),
  one('CREATE TRIGGER', "CREATE TRIGGER evil AFTER INSERT ON items BEGIN DELETE FROM items; END"),
  one('CREATE VIRTUAL TABLE (fts5)', 'CREATE VIRTUAL TABLE evil USING fts5 (body)'),
  // Temporary objects live outside the file, but are writes all the same
  one('CREATE TEMP TABLE', 'CREATE TEMP TABLE evil (a)'),
  one('CREATE TEMP VIEW', 'CREATE TEMP VIEW evil AS SELECT 1'),
  one('CREATE TEMP TRIGGER on a main table', "CREATE TEMP TRIGGER evil AFTER UPDATE ON items BEGIN SELECT 1; END"),
  // Other files
  one('ATTACH DATABASE to a new file', "ATTACH DATABASE '{dir}/attached.db' AS evil"),
  { name: 'ATTACH :memory:, then write into it', steps: ["ATTACH DATABASE ':memory:' AS mem", 'CREATE TABLE mem.evil (a)'] },
  one('VACUUM', 'VACUUM'),
  one('VACUUM INTO a new file', "VACUUM INTO '{dir}/copy.db'"),
  one('load_extension', "SELECT load_extension('{dir}/evil.so')"),
  one('writefile (fileio)', "SELECT writefile('{dir}/evil.txt', 'x')"),
  // Writing pragmas
  one('PRAGMA journal_mode = WAL', 'PRAGMA journal_mode = WAL'),
  one('PRAGMA main.journal_mode = WAL (schema-qualified)', 'PRAGMA main.journal_mode = WAL'),
  one('PRAGMA user_version', 'PRAGMA user_version = 42'),
  one('PRAGMA application_id', 'PRAGMA application_id = 7'),
  one('PRAGMA schema_version', 'PRAGMA schema_version = 99'),
  one('PRAGMA incremental_vacuum', 'PRAGMA incremental_vacuum'),
  { name: 'PRAGMA query_only = OFF, then INSERT', steps: ['PRAGMA query_only = OFF', "INSERT INTO items (name) VALUES ('x')"] },
  { name: 'PRAGMA query_only = 0, then DELETE', steps: ['PRAGMA query_only = 0', 'DELETE FROM items'] },
  {
    name: 'PRAGMA writable_schema = ON, then rewrite sqlite_schema',
    steps: ['PRAGMA writable_schema = ON', "UPDATE sqlite_schema SET sql = 'CREATE TABLE items (x)' WHERE name = 'items'"],
  },
  { name: 'PRAGMA foreign_keys = OFF, then DELETE', steps: ['PRAGMA foreign_keys = OFF', 'DELETE FROM items'] },
  { name: 'PRAGMA locking_mode = EXCLUSIVE, then UPDATE', steps: ['PRAGMA locking_mode = EXCLUSIVE', "UPDATE items SET name = 'x'"] },
  { name: 'PRAGMA page_size, then VACUUM', steps: ['PRAGMA page_size = 1024', 'VACUUM'] },
  one('REINDEX', 'REINDEX items_name'),
  one('ANALYZE', 'ANALYZE'),
  // Several statements in one call
  one('SELECT; DELETE', 'SELECT 1; DELETE FROM items'),
  one('BEGIN; DELETE; COMMIT', 'BEGIN; DELETE FROM items; COMMIT'),
  one('harmless; DROP after a comment', 'SELECT * FROM items /* ; */; DROP TABLE items'),
  // Comment and case games
  one('comment, then mixed-case DELETE', '/* just a select */ DeLeTe FROM items'),
  one('line comment, newline, insert', "-- select only\n insert into items (name) values ('x')"),
  one('tabs and newlines', "\tUPDATE\n\titems\nSET\tname='x'"),
  one('quoted identifiers', 'DELETE FROM "items"'),
  one('bracket identifiers', 'DELETE FROM [items]'),
  one('backtick identifiers', 'DELETE FROM `items`'),
  // CTEs with a write at the end
  one('WITH … INSERT', "WITH x AS (SELECT 'x' AS n) INSERT INTO items (name) SELECT n FROM x"),
  one('WITH … DELETE', 'WITH x AS (SELECT 1 AS id) DELETE FROM items WHERE id IN (SELECT id FROM x)'),
  one('WITH RECURSIVE … UPDATE', "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3) UPDATE items SET name = 'x' WHERE id IN (SELECT i FROM c)"),
  // Other dialects' tricks
  one('SELECT … INTO', 'SELECT * INTO copy FROM items'),
  // Transactions
  one('BEGIN IMMEDIATE (takes the write lock)', 'BEGIN IMMEDIATE'),
  one('BEGIN EXCLUSIVE', 'BEGIN EXCLUSIVE'),
  { name: 'BEGIN, then DELETE, then COMMIT', steps: ['BEGIN', 'DELETE FROM items', 'COMMIT'], write: 1 },
  { name: 'SAVEPOINT, then DELETE, then RELEASE', steps: ['SAVEPOINT s', 'DELETE FROM items', 'RELEASE s'], write: 1 },
  { name: 'ROLLBACK first, then INSERT', steps: ['ROLLBACK', "INSERT INTO items (name) VALUES ('x')"] },
];
