// The postgres service type's tools through the real call path (gateway.dispatcher: validation, pipeline, error
// boundary) against the machine's PostgreSQL, in a database of this file's own.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from '../../../src/adapters/postgres/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { seed } from './seed.js';
import { backendsOf, createTestDatabase, postgresReachable, type TestDatabase } from './test-database.js';

const reachable = await postgresReachable();
const types = [postgres as ServiceType<unknown>];

/** A TCP port on loopback that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!reachable)('postgres service type: tools against a real server', () => {
  let db: TestDatabase;
  let gateway: Gateway;
  const call = (tool: string, args: Record<string, unknown> = {}) => gateway.dispatcher.callTool(tool, args, scope());
  const structured = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await call(tool, args);
    if (result.isError) throw new Error(`${tool} failed: ${text(result)}`);
    return (result as { structuredContent: Record<string, any> }).structuredContent;
  };

  beforeAll(async () => {
    db = await createTestDatabase('tools', { ownerRole: true });
    await seed(db);
    gateway = await gatewayFrom(
      `services:
  pg:
    driver: postgres
    dsn: ${db.dsn}
    pool: { max_connections: 3, idle_connections: 2 }
    queries:
      customer_orders:
        description: Orders of one customer above a minimum total
        sql: select id, total from orders where customer_id = :customer and total >= :minimum order by id
        parameters:
          customer: { type: integer, minimum: 1 }
          minimum: { type: number }
      find_customer:
        description: Customers by exact name
        sql: select id, name from customers where name = :name
        parameters:
          name: { type: string, maxLength: 200 }
  rw:
    driver: postgres
    config:
      dsn: ${db.dsn}
      read_only: false
  onefold:
    driver: postgres
    dsn: ${db.dsn}
    read_only: false
    search_path: [sales, public]
    pool: { max_connections: 1, idle_connections: 1 }
  warm:
    driver: postgres
    dsn: ${db.dsn}
    pool: { max_connections: 4, idle_connections: 2 }
  small:
    driver: postgres
    dsn: ${db.dsn}
    max_rows: 10
    max_bytes: 2KB`,
      types,
    );
  });

  afterAll(async () => {
    await gateway?.shutdown(2000);
    await db?.drop();
  });

  it('reports its pool for /metrics: connections open and idle, calls waiting, the configured maximum', async () => {
    await structured('pg__query', { sql: 'select 1' });
    const pool = gateway.host('pg')!.instance.stats?.().pool;
    expect(pool).toMatchObject({ max: 3, waiting: 0 });
    expect(pool!.size).toBeGreaterThanOrEqual(1);
    expect(pool!.idle).toBeLessThanOrEqual(pool!.size);
  });

  it('lists tables and views of the user schemas, not the system catalogs', async () => {
    const { tables } = await structured('pg__list_tables');
    expect(tables).toEqual(
      expect.arrayContaining([
        { schema: 'public', name: 'customers', type: 'table' },
        { schema: 'public', name: 'big_spenders', type: 'view' },
        { schema: 'sales', name: 'OrderLines', type: 'table' },
      ]),
    );
    expect(tables.some((table: { schema: string }) => ['pg_catalog', 'information_schema'].includes(table.schema))).toBe(false);
  });

  it('describes a table: columns with types, nullability and defaults; primary key; foreign keys; indexes', async () => {
    const orders = await structured('pg__describe_table', { table: 'orders' });
    expect(orders).toMatchObject({ schema: 'public', name: 'orders', primaryKey: ['id'] });
    expect(orders.columns).toEqual([
      { name: 'id', type: 'bigint', nullable: false, default: "nextval('orders_id_seq'::regclass)" },
      { name: 'customer_id', type: 'integer', nullable: false, default: null },
      { name: 'total', type: 'numeric(10,2)', nullable: false, default: null },
      { name: 'placed_on', type: 'date', nullable: false, default: null },
      { name: 'note', type: 'text', nullable: true, default: null },
    ]);
    expect(orders.foreignKeys).toEqual([{ columns: ['customer_id'], table: 'public.customers', references: ['id'] }]);
    expect(orders.indexes).toEqual([
      { name: 'orders_customer_placed', columns: ['customer_id', 'placed_on'], unique: false },
      { name: 'orders_lower_note', columns: ['lower(note)'], unique: false },
      { name: 'orders_pkey', columns: ['id'], unique: true },
    ]);
    const customers = await structured('pg__describe_table', { table: 'public.customers' });
    expect(customers.indexes).toContainEqual({ name: 'customers_email_key', columns: ['email'], unique: true });
  });

  it('finds a table as listed (mixed case, schema-qualified) and as PostgreSQL parses names; says when there is none', async () => {
    const lines = await structured('pg__describe_table', { table: 'sales.OrderLines' });
    expect(lines).toMatchObject({ schema: 'sales', name: 'OrderLines', primaryKey: ['order_id', 'line'] });
    expect(lines.foreignKeys).toEqual([{ columns: ['order_id'], table: 'public.orders', references: ['id'] }]);
    expect((await structured('pg__describe_table', { table: '"sales"."OrderLines"' })).name).toBe('OrderLines');
    expect((await structured('pg__describe_table', { table: 'CUSTOMERS' })).name).toBe('customers');
    for (const missing of ['nope', 'a.b.c.d', '"unclosed', 'pg_catalog.nope']) {
      const result = await call('pg__describe_table', { table: missing });
      expect(result.isError, missing).toBe(true);
      expect(text(result)).toContain(`[pg] no table or view named ${missing}`);
    }
  });

  it('serves each table schema as a resource, and a template for any table', async () => {
    await call('pg__list_tables');
    const resources = gateway.dispatcher.listResources(undefined).resources.map((resource) => resource.uri);
    expect(resources).toContain('sql://pg/tables/public.customers');
    expect(resources).toContain('sql://pg/tables/sales.OrderLines');
    const read = await gateway.dispatcher.readResource('sql://pg/tables/public.orders', scope());
    const contents = (read as { contents: { text: string }[] }).contents;
    expect(JSON.parse(contents[0]!.text)).toMatchObject({ name: 'orders', primaryKey: ['id'] });
  });

  it('returns values with their types: integers, exact numerics and bigints as text, ISO times, JSON, base64 bytes, arrays, null', async () => {
    const result = await structured('pg__query', { sql: 'select * from samples' });
    expect(result.columns).toEqual([
      { name: 'i', type: 'integer' },
      { name: 'n', type: 'numeric' },
      { name: 't', type: 'text' },
      { name: 'ts', type: 'timestamp with time zone' },
      { name: 'j', type: 'json' },
      { name: 'jb', type: 'jsonb' },
      { name: 'b', type: 'bytea' },
      { name: 'arr', type: 'integer[]' },
      { name: 'big', type: 'bigint' },
      { name: 'd', type: 'date' },
      { name: 'nothing', type: 'text' },
    ]);
    expect(result.rows).toEqual([
      [
        42,
        '12345678901234567890.123456789',
        'héllo',
        '2024-05-06T07:08:09.123Z',
        { a: [1, 2] },
        { b: true },
        Buffer.from('deadbeef', 'hex').toString('base64'),
        [1, 2, 3],
        '9007199254740993',
        '2024-02-29',
        null,
      ],
    ]);
    expect(result).toMatchObject({ rowCount: 1, truncated: false });
    const edges = await structured('pg__query', {
      sql: "select 'infinity'::timestamptz, '-infinity'::timestamptz, '1 day 02:00'::interval, '{1.10,2.20}'::numeric[], '2024-01-01 10:00'::timestamp, true, 1.5::float8",
    });
    expect(edges.rows).toEqual([['infinity', '-infinity', '1 day 02:00:00', ['1.10', '2.20'], '2024-01-01 10:00:00', true, 1.5]]);
  });

  it('binds parameters ($1, $2), keeps duplicate column names, and renders a text table', async () => {
    const result = await call('pg__query', {
      sql: 'select c.name, o.total, c.id, o.id from customers c join orders o on o.customer_id = c.id where c.name = $1 and o.total > $2 order by o.id',
      params: ['Ada', 10],
    });
    expect(result.isError).toBeFalsy();
    const { columns, rows } = (result as { structuredContent: Record<string, any> }).structuredContent;
    expect(columns.map((column: { name: string }) => column.name)).toEqual(['name', 'total', 'id', 'id']);
    expect(rows).toEqual([
      ['Ada', '12.50', 1, '1'],
      ['Ada', '99.99', 1, '2'],
    ]);
    expect(text(result)).toBe('name | total | id | id\nAda | 12.50 | 1 | 1\nAda | 99.99 | 1 | 2\n(2 rows)');
  });

  it('a trailing semicolon and comments are fine; a second statement is refused by the server', async () => {
    expect((await structured('pg__query', { sql: '/* hi */ -- there\n select 1 as one;' })).rows).toEqual([[1]]);
    const two = await call('pg__query', { sql: 'select 1; select 2' });
    expect(two.isError).toBe(true);
    expect(text(two)).toContain('[pg] cannot insert multiple commands into a prepared statement — send one statement per call');
  });

  it('says what query runs when given something that is not a query', async () => {
    for (const sql of ['show search_path', '  -- note\n /* a /* nested */ comment */ INSERT INTO numbers VALUES (0, $$x$$)', 'explain select 1']) {
      const result = await call('pg__query', { sql });
      expect(result.isError, sql).toBe(true);
      expect(text(result)).toMatch(/^\[pg\] query runs one read-only SELECT, VALUES, TABLE or WITH … SELECT statement; (SHOW|INSERT|EXPLAIN) is not one/);
    }
    const syntax = await call('pg__query', { sql: 'select * fron customers' });
    expect(text(syntax)).toBe('[pg] syntax error at or near "fron"');
  });

  it('explains a plan without running the statement, even a DELETE', async () => {
    const plan = await structured('pg__explain', { sql: 'select * from orders where customer_id = $1', params: [1] });
    expect(plan.columns).toEqual([{ name: 'QUERY PLAN', type: 'text' }]);
    expect(plan.rows.flat().join('\n')).toMatch(/Scan/);
    const deletePlan = await structured('pg__explain', { sql: 'delete from orders' });
    expect(deletePlan.rows.flat().join('\n')).toContain('Delete on orders');
    expect((await db.admin.query('select count(*)::int as n from orders')).rows[0].n).toBe(3);
  });

  it('execute exists only with read_only: false, runs in a transaction and reports affected rows', async () => {
    const tools = gateway.dispatcher.listTools(undefined).tools.map((tool) => tool.name);
    expect(tools).toContain('rw__execute');
    expect(tools).not.toContain('pg__execute');
    const execute = tools.includes('rw__execute') ? await call('rw__execute', { sql: 'update numbers set label = $1 where n <= $2', params: ['changed', 3] }) : undefined;
    expect(execute?.structuredContent).toEqual({ affectedRows: 3 });
    expect(text(execute)).toBe('3 row(s) affected');
    const failed = await call('rw__execute', { sql: 'insert into numbers values (1, $1)', params: ['duplicate'] });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain('duplicate key value violates unique constraint "numbers_pkey"');
    const ddl = await call('rw__execute', { sql: 'create table scratch (x int)' });
    expect(ddl.isError).toBeFalsy();
    expect((await structured('rw__list_tables')).tables).toContainEqual({ schema: 'public', name: 'scratch', type: 'table' });
  });

  it('starts sessions with search_path; whatever a write leaves in the session is gone before the next call', async () => {
    const path = async () => (await structured('onefold__query', { sql: "select current_setting('search_path') as path" })).rows[0][0];
    expect(await path()).toBe('sales,public');
    expect((await structured('onefold__query', { sql: 'select count(*)::int from "OrderLines"' })).rows).toEqual([[0]]);
    // One pooled connection: each of these would meet the next call if it stayed in the session.
    for (const sql of ['set search_path = pg_catalog', 'create temp table customers (id int)', 'prepare leftover as select 1', 'listen somewhere', 'select pg_advisory_lock(99)']) {
      const result = await call('onefold__execute', { sql });
      expect(result.isError, `${sql}: ${text(result)}`).toBeFalsy();
    }
    expect(await path()).toBe('sales,public');
    expect((await structured('onefold__query', { sql: 'select count(*)::int from customers' })).rows).toEqual([[3]]);
    const leftovers = await structured('onefold__query', {
      sql: "select (select count(*)::int from pg_prepared_statements), (select count(*)::int from pg_listening_channels()), (select count(*)::int from pg_locks where locktype = 'advisory')",
    });
    expect(leftovers.rows).toEqual([[0, 0, 0]]);
  });

  it('named queries bind typed parameters; a hostile value stays data and the table stays intact', async () => {
    const orders = await structured('pg__customer_orders', { customer: 1, minimum: 50 });
    expect(orders.rows).toEqual([['2', '99.99']]);
    const wrongType = await call('pg__customer_orders', { customer: '1 or 1=1', minimum: 0 });
    expect(wrongType.isError).toBe(true);
    expect(wrongType._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    for (const hostile of ["x' OR '1'='1", "Ada'; DROP TABLE customers; --", "Ada' UNION SELECT 1, current_user --", '$1', ':name', "Ada\\'; delete from customers; --"]) {
      const result = await structured('pg__find_customer', { name: hostile });
      expect(result.rows, hostile).toEqual([]);
    }
    expect((await structured('pg__find_customer', { name: 'Ada' })).rows).toEqual([[1, 'Ada']]);
    expect((await db.admin.query('select count(*)::int as n from customers')).rows[0].n).toBe(3);
  });

  it('cuts results at max_rows and at max_bytes, saying so', async () => {
    const rows = await structured('small__query', { sql: 'select n from numbers order by n' });
    expect(rows).toMatchObject({ rowCount: 10, truncated: true });
    expect(rows.rows.at(-1)).toEqual([10]);
    expect(text(await call('small__query', { sql: 'select n from numbers order by n' }))).toContain('(10 rows, truncated — narrow the query or raise max_rows / max_bytes)');
    const exact = await structured('small__query', { sql: 'select n from numbers where n <= 10' });
    expect(exact).toMatchObject({ rowCount: 10, truncated: false });
    const wide = await structured('small__query', { sql: "select repeat('y', 500) as wide from numbers where n <= 8" });
    expect(wide.truncated).toBe(true);
    expect(wide.rowCount).toBeLessThan(8);
    expect(JSON.stringify(wide).length).toBeLessThan(2100);
  });

  it('fetches only what it returns from a large result (a cursor, not the whole table)', async () => {
    // 25 million rows if read to the end; the cursor stops after max_rows + 1.
    const started = Date.now();
    const big = await structured('pg__query', { sql: 'select a.n * 10000 + b.n from numbers a cross join numbers b' });
    expect(big).toMatchObject({ rowCount: 1000, truncated: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('names its sessions mcpeg/<service> and keeps idle_connections warm', async () => {
    expect(await backendsOf(db.admin, 'warm')).toEqual([]); // lazy: nothing before the first call
    await call('warm__query', { sql: 'select 1' });
    await expect.poll(async () => (await backendsOf(db.admin, 'warm')).length).toBe(2);
    expect((await backendsOf(db.admin, 'warm')).every((backend) => backend.state === 'idle')).toBe(true);
  });
});

describe.skipIf(!reachable)('postgres service type: unreachable databases', () => {
  it('a closed port is BACKEND_UNREACHABLE naming the service and the address, never the password', async () => {
    const port = await closedPort();
    const gateway = await gatewayFrom(
      `services:
  gone:
    driver: postgres
    dsn: postgres://app:s3cret-pw@127.0.0.1:${port}/orders`,
      types,
    );
    try {
      const result = await gateway.dispatcher.callTool('gone__query', { sql: 'select 1' }, scope());
      expect(result.isError).toBe(true);
      expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
      expect(text(result)).toBe(
        `[gone] cannot reach the database at postgres://127.0.0.1:${port}/orders: connection refused at 127.0.0.1:${port} — is PostgreSQL running and listening there?`,
      );
      expect(JSON.stringify(gateway.health())).not.toContain('s3cret-pw');
    } finally {
      await gateway.shutdown(1000);
    }
  });

  it('a database that does not exist and an unknown host say so', async () => {
    const gateway = await gatewayFrom(
      `services:
  nodb:
    driver: postgres
    host: 127.0.0.1
    user: postgres
    database: mcpeg_no_such_database
  nohost:
    driver: postgres
    host: no-such-host.invalid`,
      types,
    );
    try {
      const nodb = await gateway.dispatcher.callTool('nodb__query', { sql: 'select 1' }, scope());
      expect(text(nodb)).toContain('database "mcpeg_no_such_database" does not exist at 127.0.0.1:5432 — create it, or fix database: / the DSN');
      const nohost = await gateway.dispatcher.callTool('nohost__query', { sql: 'select 1' }, scope());
      expect(text(nohost)).toContain('host "no-such-host.invalid" not found (DNS lookup failed)');
    } finally {
      await gateway.shutdown(1000);
    }
  });
});
