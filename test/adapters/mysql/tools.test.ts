// Every tool of a `mysql` service through the dispatcher (validation, pipeline, error boundary), against
// the machine's MariaDB in a database of this file's own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mysqlType from '../../../src/adapters/mysql/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/index.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { MARIADB, mariadbAvailable, runningStatements, type TestDatabase, testDatabase } from './mariadb-fixture.js';

const available = await mariadbAvailable('the mysql tool tests');
const types = [mysqlType as ServiceType<unknown>];

interface Structured {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}
const structured = (result: unknown) => (result as { structuredContent: Structured }).structuredContent;

describe.skipIf(!available)('mysql tools on MariaDB', () => {
  let db: TestDatabase;
  let gateway: Gateway | undefined;

  beforeAll(async () => {
    db = await testDatabase();
    await db.admin.query(`
      CREATE TABLE customers (
        id INT AUTO_INCREMENT PRIMARY KEY,
        email VARCHAR(100) NOT NULL,
        name VARCHAR(100) NOT NULL,
        created DATETIME NOT NULL DEFAULT '2024-01-01 00:00:00',
        UNIQUE KEY uq_email (email)
      );
      CREATE TABLE orders (
        id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
        customer_id INT NOT NULL,
        total DECIMAL(10,2) NOT NULL,
        note VARCHAR(200) NULL DEFAULT 'none',
        KEY idx_customer_total (customer_id, total),
        CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
      );
      CREATE VIEW big_spenders AS SELECT customer_id, SUM(total) AS spent FROM orders GROUP BY customer_id HAVING spent > 100;
      CREATE TABLE kinds (i INT, d DECIMAL(12,3), v VARCHAR(20), dt DATETIME(3), j JSON, b BLOB, big BIGINT, u INT UNSIGNED, n INT NULL);
      INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob'), ('obrien@example.com', 'O''Brien');
      INSERT INTO orders (customer_id, total) VALUES (1, 99.50), (1, 20.00), (2, 5.25);
      INSERT INTO kinds VALUES (-7, 12345.678, 'héllo', '2024-02-29 13:14:15.161', '{"a":[1,2]}', x'00ff10', 9007199254740993, 4000000000, NULL);
    `);
  });
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  const service = (extra = '', config = '') =>
    gatewayFrom(
      `services:
  shop:
    driver: mysql
    ${extra}
    config:
      host: ${MARIADB.host}
      port: ${MARIADB.port}
      user: ${MARIADB.user}
      password: "${MARIADB.password}"
      database: ${db.name}
      ${config}
      queries:
        customer_by_email:
          description: One customer by e-mail address
          sql: "SELECT id, name FROM customers WHERE email = :email"
          parameters:
            email: { type: string }
        orders_over:
          description: Orders of a customer above an amount
          sql: "SELECT id, total FROM orders WHERE customer_id = :customer AND total > :amount ORDER BY id"
          parameters:
            customer: { type: integer }
            amount: { type: number }
        rename_customer:
          description: Rename a customer
          read_only: false
          sql: "UPDATE customers SET name = :name WHERE id = :id"
          parameters:
            id: { type: integer }
            name: { type: string }
`,
      types,
    );
  const call = (name: string, args: Record<string, unknown> = {}) => gateway!.dispatcher.callTool(`shop__${name}`, args, scope());

  it('lists its tools from config without connecting; execute only with read_only: false', async () => {
    gateway = await service();
    const names = gateway.dispatcher.listTools(undefined).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['shop__query', 'shop__list_tables', 'shop__describe_table', 'shop__explain', 'shop__customer_by_email', 'shop__orders_over', 'shop__rename_customer']),
    );
    expect(names).not.toContain('shop__execute');
    expect(gateway.host('shop')?.phase).toBe('loading');
    await gateway.shutdown(1000);
    gateway = await service('', 'read_only: false');
    const execute = gateway.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'shop__execute');
    expect(execute?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it('query: bound parameters, columns with their types, rows, and a text table', async () => {
    gateway = await service();
    const result = await call('query', { sql: 'SELECT id, email, name FROM customers WHERE id >= ? AND name <> ? ORDER BY id', params: [1, 'Bob'] });
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toEqual({
      columns: [
        { name: 'id', type: 'INT' },
        { name: 'email', type: 'VARCHAR' },
        { name: 'name', type: 'VARCHAR' },
      ],
      rows: [
        [1, 'ada@example.com', 'Ada'],
        [3, 'obrien@example.com', "O'Brien"],
      ],
      rowCount: 2,
      truncated: false,
    });
    expect(text(result)).toContain('id | email | name');
    expect(text(result)).toContain('(2 rows)');
    expect(gateway.host('shop')?.phase).toBe('running');
  });

  it('types: int, decimal, varchar, datetime, json, blob, bigint as a string, unsigned, null', async () => {
    gateway = await service();
    const result = structured(await call('query', { sql: 'SELECT * FROM kinds' }));
    expect(result.columns).toEqual([
      { name: 'i', type: 'INT' },
      { name: 'd', type: 'DECIMAL' },
      { name: 'v', type: 'VARCHAR' },
      { name: 'dt', type: 'DATETIME' },
      { name: 'j', type: 'JSON' },
      { name: 'b', type: 'BLOB' },
      { name: 'big', type: 'BIGINT' },
      { name: 'u', type: 'INT UNSIGNED' },
      { name: 'n', type: 'INT' },
    ]);
    expect(result.rows).toEqual([[-7, '12345.678', 'héllo', '2024-02-29 13:14:15.161', { a: [1, 2] }, Buffer.from([0, 0xff, 0x10]).toString('base64'), '9007199254740993', 4000000000, null]]);
    // The same through a prepared statement (binary protocol): the same values.
    const bound = structured(await call('query', { sql: 'SELECT * FROM kinds WHERE i = ?', params: [-7] }));
    expect(bound.rows).toEqual(result.rows);
  });

  it('truncation: rows past max_rows are cut and flagged, on the server (sql_select_limit) or by stopping the stream', async () => {
    gateway = await service('', 'max_rows: 5');
    const cut = structured(await call('query', { sql: 'SELECT seq FROM seq_1_to_1000000' }));
    // seq is BIGINT UNSIGNED: exact, as strings.
    expect(cut).toMatchObject({ rowCount: 5, truncated: true, rows: [['1'], ['2'], ['3'], ['4'], ['5']] });
    // An explicit LIMIT overrides sql_select_limit: the stream stops and the statement is killed on the server.
    const started = Date.now();
    const limited = structured(await call('query', { sql: 'SELECT seq, REPEAT("x", 100) AS pad FROM seq_1_to_50000000 LIMIT 50000000' }));
    expect(limited).toMatchObject({ rowCount: 5, truncated: true });
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(() => runningStatements(db.admin, 'seq_1_to_50000000'), { timeout: 3000 }).toEqual([]);
    const exact = structured(await call('query', { sql: 'SELECT seq FROM seq_1_to_5' }));
    expect(exact).toMatchObject({ rowCount: 5, truncated: false });
    expect(structured(await call('query', { sql: 'SELECT 1 AS one' })).rows).toEqual([[1]]);
  });

  it('a statement error is the caller\'s: an isError result naming the service, the breaker stays closed', async () => {
    gateway = await service('circuit_breaker: { threshold: 2 }');
    for (let i = 0; i < 3; i++) {
      const result = await call('query', { sql: 'SELEC nonsense' });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/^\[shop\] You have an error in your SQL syntax/);
    }
    expect(gateway.host('shop')?.status().breaker).toBe('closed');
    expect(text(await call('query', { sql: 'SELECT * FROM no_such_table' }))).toContain(`Table '${db.name}.no_such_table' doesn't exist`);
  });

  it('execute: writes in a transaction with affected rows and the insert id; a failed write changes nothing', async () => {
    gateway = await service('', 'read_only: false');
    const inserted = await call('execute', { sql: 'INSERT INTO orders (customer_id, total) VALUES (?, ?)', params: [3, 42.5] });
    expect(structured(inserted)).toMatchObject({ affectedRows: 1, lastInsertId: 4 });
    expect(text(inserted)).toBe('1 row(s) affected, last insert id 4');
    const updated = await call('execute', { sql: 'UPDATE orders SET note = ? WHERE customer_id = ?', params: ['vip', 1] });
    expect(structured(updated)).toMatchObject({ affectedRows: 2 });
    // A foreign key violation: the statement fails, nothing is committed.
    const failed = await call('execute', { sql: 'INSERT INTO orders (customer_id, total) VALUES (999, 1)' });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain('foreign key constraint fails');
    // RETURNING answers with rows; the count is still the affected rows.
    const deleted = await call('execute', { sql: 'DELETE FROM orders WHERE id = ? RETURNING id', params: [4] });
    expect(structured(deleted)).toMatchObject({ affectedRows: 1 });
    const [rows] = await db.admin.query('SELECT id, note FROM orders ORDER BY id');
    expect(rows).toEqual([
      { id: '1', note: 'vip' },
      { id: '2', note: 'vip' },
      { id: '3', note: 'none' },
    ]);
    await db.admin.query("UPDATE orders SET note = 'none'");
  });

  it('list_tables: tables and views of the database', async () => {
    gateway = await service();
    const result = await call('list_tables');
    expect((result.structuredContent as { tables: unknown[] }).tables).toEqual([
      { name: 'big_spenders', type: 'view' },
      { name: 'customers', type: 'table' },
      { name: 'kinds', type: 'table' },
      { name: 'orders', type: 'table' },
    ]);
    expect(text(result)).toContain('big_spenders (view)');
  });

  it('list_tables without a configured database: every schema the account sees, each table with its schema', async () => {
    gateway = await gatewayFrom(`services:\n  server:\n    driver: mysql\n    config: { host: ${MARIADB.host}, user: ${MARIADB.user} }\n`, types);
    const result = await gateway.dispatcher.callTool('server__list_tables', {}, scope());
    const tables = (result.structuredContent as { tables: { schema?: string; name: string }[] }).tables;
    expect(tables).toContainEqual({ schema: db.name, name: 'customers', type: 'table' });
    expect(tables.some((table) => table.schema === 'mysql' || table.schema === 'information_schema')).toBe(false);
    const described = await gateway.dispatcher.callTool('server__describe_table', { table: `${db.name}.orders` }, scope());
    expect(described.structuredContent).toMatchObject({ schema: db.name, name: 'orders', primaryKey: ['id'] });
  });

  it('describe_table: columns with types, nullability and defaults, primary key, foreign keys, indexes with uniqueness', async () => {
    gateway = await service();
    const result = await call('describe_table', { table: 'orders' });
    expect(result.structuredContent).toEqual({
      name: 'orders',
      columns: [
        { name: 'id', type: 'bigint(20) unsigned AUTO_INCREMENT', nullable: false, default: null },
        { name: 'customer_id', type: 'int(11)', nullable: false, default: null },
        { name: 'total', type: 'decimal(10,2)', nullable: false, default: null },
        { name: 'note', type: 'varchar(200)', nullable: true, default: "'none'" },
      ],
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['customer_id'], table: 'customers', references: ['id'] }],
      indexes: [
        { name: 'PRIMARY', columns: ['id'], unique: true },
        { name: 'idx_customer_total', columns: ['customer_id', 'total'], unique: false },
      ],
    });
    const customers = (await call('describe_table', { table: `${db.name}.customers` })).structuredContent as { schema: string; indexes: unknown[] };
    expect(customers.schema).toBe(db.name);
    expect(customers.indexes).toContainEqual({ name: 'uq_email', columns: ['email'], unique: true });
    const missing = await call('describe_table', { table: 'nope' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe('[shop] no table or view named nope — list_tables shows what exists');
  });

  it('explain: the plan, never the effect — EXPLAIN runs in the read-only transaction, so a DELETE is not even planned', async () => {
    gateway = await service('', 'read_only: false');
    const plan = structured(await call('explain', { sql: 'SELECT * FROM orders WHERE customer_id = ?', params: [1] }));
    expect(plan.columns.map((column) => column.name)).toEqual(expect.arrayContaining(['id', 'select_type', 'table', 'type', 'key', 'rows']));
    expect(plan.rows[0]).toContain('orders');
    // MariaDB refuses EXPLAIN of a write inside a read-only transaction (the optimizer may evaluate
    // constant subqueries while planning, so the gateway does not plan writes outside one).
    const deletePlan = await call('explain', { sql: 'DELETE FROM orders WHERE id = (SELECT 1)' });
    expect(deletePlan.isError).toBe(true);
    expect(text(deletePlan)).toBe('[shop] Cannot execute statement in a READ ONLY transaction');
    const [[count]] = (await db.admin.query('SELECT COUNT(*) AS n FROM orders')) as unknown as [[{ n: string }]];
    expect(count.n).toBe('3');
    // `ANALYZE …` would run the statement: it is not something explain sends, and EXPLAIN ANALYZE is not MariaDB syntax.
    const analyze = await call('explain', { sql: 'ANALYZE DELETE FROM orders' });
    expect(analyze.isError).toBe(true);
    expect(((await db.admin.query('SELECT COUNT(*) AS n FROM orders')) as unknown as [[{ n: string }]])[0][0].n).toBe('3');
  });

  it('named queries: typed parameters bound by the server', async () => {
    gateway = await service('', 'read_only: false');
    const tool = gateway.dispatcher.listTools(undefined).tools.find((entry) => entry.name === 'shop__orders_over');
    expect(tool?.inputSchema).toMatchObject({ properties: { customer: { type: 'integer' }, amount: { type: 'number' } }, required: ['customer', 'amount'] });
    expect(structured(await call('orders_over', { customer: 1, amount: 10 })).rows).toEqual([
      ['1', '99.50'],
      ['2', '20.00'],
    ]);
    const bad = await call('orders_over', { customer: 'one', amount: 10 });
    expect(bad.isError).toBe(true);
    expect(bad._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    expect(structured(await call('rename_customer', { id: 2, name: 'Robert' }))).toMatchObject({ affectedRows: 1 });
    expect(structured(await call('customer_by_email', { email: 'bob@example.com' })).rows).toEqual([[2, 'Robert']]);
    await db.admin.query("UPDATE customers SET name = 'Bob' WHERE id = 2");
  });

  it('injection through named-query parameters is impossible: values are data, never SQL', async () => {
    gateway = await service('', 'read_only: false');
    const attempts = [
      "' OR '1'='1",
      "' OR 1=1 -- ",
      "x'; DROP TABLE customers; -- ",
      "ada@example.com' UNION SELECT 1, @@version -- ",
      '\\\' OR 1=1 #',
      "ada@example.com'/*",
    ];
    for (const email of attempts) {
      const result = await call('customer_by_email', { email });
      expect(result.isError, email).toBeFalsy();
      expect(structured(result).rows, email).toEqual([]);
    }
    // A value with a quote matches literally; a write-named query cannot be turned into two statements.
    await db.admin.query("UPDATE customers SET email = 'o''brien@example.com' WHERE id = 3");
    expect(structured(await call('customer_by_email', { email: "o'brien@example.com" })).rows).toEqual([[3, "O'Brien"]]);
    expect(structured(await call('rename_customer', { id: 1, name: "Ada'; DELETE FROM orders; -- " }))).toMatchObject({ affectedRows: 1 });
    const [rows] = await db.admin.query('SELECT name FROM customers WHERE id = 1');
    expect(rows).toEqual([{ name: "Ada'; DELETE FROM orders; -- " }]);
    const [[orders]] = (await db.admin.query('SELECT COUNT(*) AS n FROM orders')) as unknown as [[{ n: string }]];
    expect(orders.n).toBe('3');
    const [tables] = await db.admin.query('SHOW TABLES');
    expect(tables).toHaveLength(4);
    await db.admin.query("UPDATE customers SET name = 'Ada' WHERE id = 1; UPDATE customers SET email = 'obrien@example.com' WHERE id = 3");
  });

  it('resources: a schema per table and a template for them', async () => {
    gateway = await service();
    await call('list_tables');
    const uris = gateway.dispatcher.listResources(undefined).resources.map((resource) => resource.uri);
    expect(uris).toEqual(expect.arrayContaining(['sql://shop/tables/customers', 'sql://shop/tables/orders', 'sql://shop/tables/big_spenders']));
    expect(gateway.dispatcher.listResourceTemplates(undefined).resourceTemplates.map((template) => template.uriTemplate)).toContain('sql://shop/tables/{table}');
    const read = await gateway.dispatcher.readResource('sql://shop/tables/customers', scope());
    const contents = (read as { contents: { text: string }[] }).contents;
    expect(JSON.parse(contents[0]!.text)).toMatchObject({ name: 'customers', primaryKey: ['id'] });
  });
});
