// A database stopped mid-load: a MariaDB of the test's own is killed (SIGKILL) while calls run against
// it. Calls fail fast with a clear error, the breaker opens, a service on the machine's MariaDB is
// unaffected, and after a restart calls succeed again.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysqlType from '../../../src/adapters/mysql/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/index.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { MARIADB, mariadbAvailable, type TestDatabase, testDatabase } from './mariadb-fixture.js';
import { THROWAWAY_BINARIES, type ThrowawayMariadb, throwawayMariadb } from './throwaway-mariadb.js';

const available = await mariadbAvailable('the mysql outage test');
const binaries = THROWAWAY_BINARIES.install !== undefined && THROWAWAY_BINARIES.server !== undefined;
if (!binaries) {
  const reason = 'mariadb-install-db / mariadbd are not installed, so no throwaway MariaDB can be started';
  if (process.env.CI === 'true') throw new Error(`${reason} — CI needs them (apt-get install mariadb-server)`);
  console.warn(`SKIPPING the mysql outage test: ${reason}`);
}
const types = [mysqlType as ServiceType<unknown>];

interface Outcome {
  readonly ok: boolean;
  readonly code: string | undefined;
  readonly text: string;
  readonly ms: number;
}

describe.skipIf(!available || !binaries)('a MariaDB stopped mid-load', () => {
  let server: ThrowawayMariadb;
  let steadyDb: TestDatabase;
  let gateway: Gateway;

  beforeAll(async () => {
    server = await throwawayMariadb();
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
    await admin.query('CREATE DATABASE shop; USE shop; CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t SELECT seq FROM seq_1_to_100');
    await admin.end();
    steadyDb = await testDatabase();
    gateway = await gatewayFrom(
      `services:
  flaky:
    driver: mysql
    circuit_breaker: { threshold: 3, timeout: 500ms }
    config: { dsn: "root@tcp(127.0.0.1:${server.port})/shop", connect_timeout: 1s, timeout: 5s, pool: { max_connections: 8 } }
  steady:
    driver: mysql
    config: { host: ${MARIADB.host}, port: ${MARIADB.port}, user: ${MARIADB.user}, password: "${MARIADB.password}", database: ${steadyDb.name} }
`,
      types,
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.shutdown(1000);
    await server?.dispose();
    await steadyDb?.drop();
  });

  const query = async (service: string, sql: string): Promise<Outcome> => {
    const started = Date.now();
    const result = await gateway.dispatcher.callTool(`${service}__query`, { sql }, scope());
    const code = (result._meta?.['dev.mcpeg/error'] as { code?: string } | undefined)?.code;
    return { ok: !result.isError, code, text: text(result), ms: Date.now() - started };
  };

  it('fails fast with a clear error, opens the breaker, spares the other service, and recovers after a restart', async () => {
    // Load: eight workers querying in a loop.
    let stop = false;
    const outcomes: Outcome[] = [];
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const outcome = await query('flaky', 'SELECT COUNT(*) AS n, SLEEP(0.05) AS s FROM t');
        outcomes.push(outcome);
        if (!outcome.ok) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await expect.poll(() => outcomes.filter((outcome) => outcome.ok).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(16);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);

    const before = outcomes.length;
    await server.kill();
    await expect.poll(() => gateway.host('flaky')?.status().breaker, { timeout: 5000 }).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const during = outcomes.slice(before);
    const failures = during.filter((outcome) => !outcome.ok);
    expect(failures.length).toBeGreaterThan(0);
    // Fast: no call hangs until a timeout — the in-flight ones see the connection drop, the next are refused.
    expect(Math.max(...failures.map((outcome) => outcome.ms))).toBeLessThan(2000);
    // Clear: the service, the address and what happened; then the open circuit.
    const unreachable = failures.filter((outcome) => outcome.code === 'BACKEND_UNREACHABLE');
    expect(unreachable.length).toBeGreaterThanOrEqual(3);
    for (const outcome of unreachable) expect(outcome.text).toMatch(new RegExp(`^\\[flaky\\] cannot reach the database at mysql://root@127\\.0\\.0\\.1:${server.port}/shop: `));
    expect(failures.some((outcome) => outcome.code === 'CIRCUIT_OPEN')).toBe(true);
    expect(new Set(failures.map((outcome) => outcome.code))).toEqual(new Set(['BACKEND_UNREACHABLE', 'CIRCUIT_OPEN']));

    // The other service does not notice.
    const steady = await query('steady', 'SELECT 1 AS one');
    expect(steady).toMatchObject({ ok: true });
    expect(steady.ms).toBeLessThan(1000);
    expect(gateway.host('steady')?.status().breaker).toBe('closed');

    // Restart: within a few half-open probes the calls succeed again and the breaker closes.
    await server.start();
    const restarted = outcomes.length;
    await expect.poll(() => outcomes.slice(restarted).filter((outcome) => outcome.ok).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(8);
    expect(gateway.host('flaky')?.status().breaker).toBe('closed');
    stop = true;
    await Promise.all(workers);
    const final = await query('flaky', 'SELECT COUNT(*) AS n FROM t');
    expect(final.text).toContain('n\n100');
  }, 60_000);
});
