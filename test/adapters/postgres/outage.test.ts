// A database that goes away under load and comes back: a throwaway PostgreSQL this test starts itself (never the
// machine's service). While it is down, calls fail fast with a message naming the service and the address, the
// circuit breaker opens, and another service on the machine's server carries on; after a restart the service
// recovers by itself once the breaker's open period has passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from '../../../src/adapters/postgres/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from './test-database.js';
import { startThrowawayPostgres, type ThrowawayPostgres, throwawayUnavailable } from './throwaway-postgres.js';

const reachable = await postgresReachable();
const unavailable = throwawayUnavailable();
if (unavailable) {
  const reason = `a throwaway PostgreSQL cannot be started: ${unavailable}`;
  if (!['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase())) throw new Error(`${reason} (CI runs this test)`);
  console.warn(`\n*** SKIPPING the postgres outage test: ${reason}. It fails under CI=true. ***\n`);
}

interface Outcome {
  readonly ok: boolean;
  readonly ms: number;
  readonly code: string | undefined;
  readonly text: string;
}

describe.skipIf(!reachable || unavailable !== undefined)('postgres: a database stopped mid-load', () => {
  let server: ThrowawayPostgres;
  let steadyDb: TestDatabase;
  let gateway: Gateway;

  beforeAll(async () => {
    server = await startThrowawayPostgres();
    steadyDb = await createTestDatabase('steady');
    gateway = await gatewayFrom(
      `services:
  flaky:
    driver: postgres
    dsn: ${server.dsn}
    circuit_breaker: { threshold: 3, timeout: 500ms }
    config: { timeout: 5s }
    pool: { max_connections: 4, idle_connections: 2 }
  steady:
    driver: postgres
    dsn: ${steadyDb.dsn}`,
      [postgres as ServiceType<unknown>],
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.shutdown(2000);
    await server?.destroy();
    await steadyDb?.drop();
  });

  async function callFlaky(): Promise<Outcome> {
    const started = Date.now();
    const result = await gateway.dispatcher.callTool('flaky__query', { sql: 'select count(*) from pg_class, pg_sleep(0.02)' }, scope());
    const code = (result._meta?.['dev.mcpeg/error'] as { code?: string } | undefined)?.code;
    return { ok: !result.isError, ms: Date.now() - started, code, text: text(result) };
  }

  /** Four callers in a loop until `until()` says stop; every outcome, in order. */
  async function load(until: () => boolean): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!until()) {
          outcomes.push(await callFlaky());
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    return outcomes;
  }

  it('fails fast and clearly while down, opens the breaker, spares other services, and recovers after a restart', async () => {
    // Healthy load first.
    let phase: 'up' | 'down' | 'done' = 'up';
    const running = load(() => phase === 'done');
    await expect.poll(() => gateway.host('flaky')!.status().phase).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Stop it mid-load.
    const stoppedAt = Date.now();
    await server.stop('fast');
    phase = 'down';
    await expect.poll(() => gateway.host('flaky')!.status().breaker, { timeout: 5000 }).toBe('open');
    const openedAfter = Date.now() - stoppedAt;

    // Another service on another server is unaffected.
    const steadyStarted = Date.now();
    const steady = await gateway.dispatcher.callTool('steady__query', { sql: 'select 1 as fine' }, scope());
    expect(steady.isError).toBeFalsy();
    expect(Date.now() - steadyStarted).toBeLessThan(1000);

    // Keep the load on through a few open periods, then restart the server.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await server.start();
    const restartedAt = Date.now();
    await expect.poll(async () => (await callFlaky()).ok, { timeout: 10_000, interval: 100 }).toBe(true);
    const recoveredAfter = Date.now() - restartedAt;
    await new Promise((resolve) => setTimeout(resolve, 300));
    phase = 'done';
    const outcomes = await running;

    const failures = outcomes.filter((outcome) => !outcome.ok);
    expect(outcomes.filter((outcome) => outcome.ok).length).toBeGreaterThan(10);
    expect(failures.length).toBeGreaterThan(3);
    // Fail fast: no call waits on a dead server.
    expect(Math.max(...failures.map((failure) => failure.ms))).toBeLessThan(2000);
    // Clear: each failure names the service, and either the address or the open circuit.
    for (const failure of failures) {
      expect(failure.text.startsWith('[flaky] '), failure.text).toBe(true);
      expect(['BACKEND_UNREACHABLE', 'CIRCUIT_OPEN'], failure.text).toContain(failure.code);
      if (failure.code === 'BACKEND_UNREACHABLE') expect(failure.text).toContain(`cannot reach the database at postgres://127.0.0.1:${server.port}/postgres`);
    }
    expect(failures.some((failure) => failure.text.includes(`connection refused at 127.0.0.1:${server.port}`))).toBe(true);
    expect(failures.some((failure) => failure.code === 'CIRCUIT_OPEN')).toBe(true);
    expect(openedAfter).toBeLessThan(5000);
    expect(recoveredAfter).toBeLessThan(5000);

    // Recovered: the breaker closed, calls succeed, the service never had to restart.
    expect(gateway.host('flaky')!.status()).toMatchObject({ breaker: 'closed', phase: 'running' });
    const after = await gateway.dispatcher.callTool('flaky__query', { sql: 'select 1 as back' }, scope());
    expect((after as { structuredContent: { rows: unknown[] } }).structuredContent.rows).toEqual([[1]]);
  }, 60_000);

  it('a statement running when the server shuts down fails as unreachable, not as bad SQL', async () => {
    const pending = gateway.dispatcher.callTool('flaky__query', { sql: 'select pg_sleep(20)' }, scope());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.stop('fast');
    try {
      const result = await pending;
      expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
      expect(text(result)).toContain(`[flaky] cannot reach the database at postgres://127.0.0.1:${server.port}/postgres`);
      expect(text(result)).toContain('terminating connection due to administrator command');
    } finally {
      await server.start();
    }
  }, 30_000);
});
