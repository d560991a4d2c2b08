// Timeouts and cancellation stop the statement on the server — the process list proves it — and the
// pool keeps working; connection failures name the service and the address.
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mysqlType from '../../../src/adapters/mysql/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/index.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { MARIADB, mariadbAvailable, runningStatements, type TestDatabase, testDatabase, uniqueName } from './mariadb-fixture.js';

const available = await mariadbAvailable('the mysql cancellation tests');
const types = [mysqlType as ServiceType<unknown>];

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!available)('mysql timeouts and cancellation on MariaDB', () => {
  let db: TestDatabase;
  let gateway: Gateway | undefined;

  beforeAll(async () => {
    db = await testDatabase();
    await db.admin.query('CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)');
  });
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  const service = (service: string, config: string) =>
    gatewayFrom(
      `services:
  slow:
    driver: mysql
    ${service}
    pool: { max_connections: 1, idle_connections: 1 }
    config:
      dsn: "${MARIADB.user}:${MARIADB.password}@tcp(${MARIADB.host}:${MARIADB.port})/${db.name}"
      ${config}
`,
      types,
    );
  const healthy = async () => {
    for (let i = 0; i < 5; i++) {
      const result = await gateway!.dispatcher.callTool('slow__query', { sql: 'SELECT COUNT(*) AS n FROM t' }, scope());
      expect(text(result)).toContain('n\n3');
    }
  };

  it('a query past config.timeout is cancelled by the server (max_statement_time); the pool stays healthy', async () => {
    gateway = await service('', 'timeout: 400ms');
    const marker = uniqueName('mcpeg_timeout');
    const started = Date.now();
    const result = await gateway.dispatcher.callTool('slow__query', { sql: `SELECT SLEEP(20) AS ${marker}` }, scope());
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('[slow] the statement ran past 400 ms (config.timeout) and was cancelled by the database — narrow the query or raise the timeout');
    expect(await runningStatements(db.admin, marker)).toEqual([]);
    expect(gateway.host('slow')?.status().breaker).toBe('closed');
    await healthy();
  });

  it('a query that switches off its own max_statement_time is killed by the gateway shortly after config.timeout', async () => {
    gateway = await service('', 'timeout: 300ms');
    const marker = uniqueName('mcpeg_override');
    const started = Date.now();
    const result = await gateway.dispatcher.callTool('slow__query', { sql: `SET STATEMENT max_statement_time = 0 FOR SELECT SLEEP(20) AS ${marker}` }, scope());
    expect(Date.now() - started).toBeLessThan(4000);
    expect(text(result)).toContain('ran past 300 ms (config.timeout) and was cancelled');
    expect(await runningStatements(db.admin, marker)).toEqual([]);
    await healthy();
  });

  it('the call timeout (service timeout:) aborts the call and kills the statement on the server', async () => {
    gateway = await service('timeout: 400ms', 'timeout: 30s');
    const marker = uniqueName('mcpeg_call_timeout');
    const result = await gateway.dispatcher.callTool('slow__query', { sql: `SELECT SLEEP(20) AS ${marker}` }, scope());
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_TIMEOUT' });
    await expect.poll(() => runningStatements(db.admin, marker), { timeout: 2000 }).toEqual([]);
    await healthy();
  });

  it('client cancellation (the scope\'s AbortController) kills the statement on the server; the pool stays healthy', async () => {
    gateway = await service('', 'timeout: 30s');
    const marker = uniqueName('mcpeg_cancel');
    const controller = new AbortController();
    const pending = gateway.dispatcher.callTool('slow__query', { sql: `SELECT SLEEP(20) AS ${marker}` }, scope({ signal: controller.signal }));
    await expect.poll(() => runningStatements(db.admin, marker), { timeout: 5000 }).toHaveLength(1);
    const started = Date.now();
    controller.abort();
    const result = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_CANCELLED' });
    await expect.poll(() => runningStatements(db.admin, marker), { timeout: 2000 }).toEqual([]);
    expect(gateway.host('slow')?.status().breaker).toBe('closed');
    await healthy();
  });

  it('a cancelled write is rolled back: nothing of it is committed', async () => {
    gateway = await service('', 'timeout: 30s\n      read_only: false');
    const marker = uniqueName('mcpeg_cancel_write');
    const controller = new AbortController();
    const pending = gateway.dispatcher.callTool(
      'slow__execute',
      { sql: `UPDATE t SET id = id + 100 WHERE SLEEP(1) = 0 OR '${marker}' = ''` },
      scope({ signal: controller.signal }),
    );
    await expect.poll(() => runningStatements(db.admin, marker), { timeout: 5000 }).toHaveLength(1);
    controller.abort();
    expect((await pending)._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_CANCELLED' });
    await expect.poll(() => runningStatements(db.admin, marker), { timeout: 3000 }).toEqual([]);
    const [rows] = await db.admin.query('SELECT id FROM t ORDER BY id');
    expect(rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('a closed port: BACKEND_UNREACHABLE naming the service and 127.0.0.1:<port>, never the password', async () => {
    const port = await closedPort();
    gateway = await gatewayFrom(
      `services:
  dead:
    driver: mysql
    config: { dsn: "app:Sup3rS3cret@tcp(127.0.0.1:${port})/shop", connect_timeout: 2s }
`,
      types,
    );
    const result = await gateway.dispatcher.callTool('dead__query', { sql: 'SELECT 1' }, scope());
    expect(result.isError).toBe(true);
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    expect(text(result)).toMatch(new RegExp(`^\\[dead\\] cannot reach the database at mysql://app@127\\.0\\.0\\.1:${port}/shop: .*ECONNREFUSED`));
    expect(text(result)).not.toContain('Sup3rS3cret');
  });

  it('a socket that does not exist and a wrong password are connection failures too', async () => {
    gateway = await gatewayFrom(
      `services:
  nosock:
    driver: mysql
    config: { socket_path: /nonexistent/mysqld.sock, user: root }
  badpw:
    driver: mysql
    config: { host: 127.0.0.1, user: root, password: definitely-wrong }
`,
      types,
    );
    const nosock = await gateway.dispatcher.callTool('nosock__query', { sql: 'SELECT 1' }, scope());
    expect(nosock._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    expect(text(nosock)).toContain('mysql://root@localhost/?socket=/nonexistent/mysqld.sock');
    const badpw = await gateway.dispatcher.callTool('badpw__query', { sql: 'SELECT 1' }, scope());
    expect(badpw._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    expect(text(badpw)).toContain("Access denied for user 'root'");
    expect(text(badpw)).not.toContain('definitely-wrong');
  });

  it('the machine socket works like TCP', async () => {
    const [[row]] = (await db.admin.query('SELECT @@socket AS socket')) as unknown as [[{ socket: string }]];
    gateway = await gatewayFrom(
      `services:
  local:
    driver: mysql
    config: { dsn: "root@unix(${row.socket})/${db.name}" }
`,
      types,
    );
    const result = await gateway.dispatcher.callTool('local__query', { sql: 'SELECT COUNT(*) AS n FROM t' }, scope());
    expect(text(result)).toContain('n\n3');
  });
});
