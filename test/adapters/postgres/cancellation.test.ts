// A statement that runs too long, or whose caller gives up, must stop on the server — not merely be forgotten by
// the gateway while PostgreSQL keeps working. pg_stat_activity is the witness; the pool must stay usable after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from '../../../src/adapters/postgres/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { backendsOf, createTestDatabase, postgresReachable, type TestDatabase } from './test-database.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('postgres: cancellation on the server', () => {
  let db: TestDatabase;
  let gateway: Gateway;

  beforeAll(async () => {
    db = await createTestDatabase('cancel', { ownerRole: true });
    gateway = await gatewayFrom(
      `services:
  slowdb:
    driver: postgres
    dsn: ${db.dsn}
    config: { timeout: 400ms }
    pool: { max_connections: 2, idle_connections: 1 }
  patient:
    driver: postgres
    dsn: ${db.dsn}
    config: { timeout: 60s }
    pool: { max_connections: 1, idle_connections: 1 }
  resets:
    driver: postgres
    dsn: ${db.dsn}
    read_only: false
    statement_timeout: 400ms
    pool: { max_connections: 1, idle_connections: 1 }
  socket:
    driver: postgres
    dsn: postgres:///${db.name}?host=/var/run/postgresql
    user: ${db.user}
    timeout: 300ms
    config: { timeout: 60s }
  impatient:
    driver: postgres
    dsn: ${db.dsn}
    timeout: 300ms
    config: { timeout: 60s }`,
      [postgres as ServiceType<unknown>],
    );
  });

  afterAll(async () => {
    await gateway?.shutdown(2000);
    await db?.drop();
  });

  /** The service's backends that are still running something (pg_sleep or anything else). */
  const busy = async (service: string) => (await backendsOf(db.admin, service)).filter((backend) => backend.state !== 'idle');

  it('a statement past config.timeout is cancelled by the server; the connection goes back to the pool healthy', async () => {
    const first = await gateway.dispatcher.callTool('slowdb__query', { sql: 'select 1 as warm' }, scope());
    expect(first.isError).toBeFalsy();
    const before = (await backendsOf(db.admin, 'slowdb')).map((backend) => backend.pid);

    const started = Date.now();
    const result = await gateway.dispatcher.callTool('slowdb__query', { sql: 'select pg_sleep(30)' }, scope());
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('[slowdb] the statement ran past 400 ms (config.timeout) and was cancelled by the database — narrow the query or raise the timeout');
    // Not a backend failure: the breaker stays closed.
    expect(gateway.host('slowdb')!.status().breaker).toBe('closed');

    expect(await busy('slowdb')).toEqual([]);
    const after = await backendsOf(db.admin, 'slowdb');
    expect(after.map((backend) => backend.pid)).toEqual(before); // the same connection, reused, not replaced
    const next = await gateway.dispatcher.callTool('slowdb__query', { sql: 'select 2 as next' }, scope());
    expect(next.isError).toBeFalsy();
    expect((await backendsOf(db.admin, 'slowdb')).length).toBeLessThanOrEqual(2);
  });

  it('a client that cancels (the scope signal) stops the statement on the server, even with the pool full', async () => {
    await gateway.dispatcher.callTool('patient__query', { sql: 'select 1' }, scope());
    const [backend] = await backendsOf(db.admin, 'patient');
    const controller = new AbortController();
    const pending = gateway.dispatcher.callTool('patient__query', { sql: 'select pg_sleep(60)' }, scope({ signal: controller.signal }));
    // The rows are produced by the FETCH of the cursor the query was opened as.
    await expect.poll(async () => (await busy('patient')).map((row) => [row.state, row.query])).toEqual([['active', 'FETCH FORWARD 200 FROM mcpeg_rows']]);
    // max_connections is 1 and it is busy: the cancel must not need a pooled connection.
    const cancelledAt = Date.now();
    controller.abort(new Error('the user pressed stop'));
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_CANCELLED' });
    await expect.poll(() => busy('patient'), { timeout: 3000 }).toEqual([]);
    expect(Date.now() - cancelledAt).toBeLessThan(3000);
    // The cancel was seen to land (query_canceled): the same connection serves the next call.
    const next = await gateway.dispatcher.callTool('patient__query', { sql: 'select 42 as answer' }, scope());
    expect((next as { structuredContent: { rows: unknown[] } }).structuredContent.rows).toEqual([[42]]);
    expect((await backendsOf(db.admin, 'patient')).map((row) => row.pid)).toEqual([backend!.pid]);
    expect(gateway.host('patient')!.status().breaker).toBe('closed');
  });

  it('the gateway call timeout (service timeout:) cancels on the server too', async () => {
    const result = await gateway.dispatcher.callTool('impatient__query', { sql: 'select pg_sleep(60)' }, scope());
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_TIMEOUT' });
    await expect.poll(() => busy('impatient'), { timeout: 3000 }).toEqual([]);
    const next = await gateway.dispatcher.callTool('impatient__query', { sql: 'select 1 as fine' }, scope());
    expect(next.isError).toBeFalsy();
  });

  it('the statement timeout cannot be switched off from a call: the next call on the same connection still has it', async () => {
    const attempts = [
      ['resets__query', "select set_config('statement_timeout', '0', false)"],
      ['resets__execute', 'set statement_timeout = 0'],
      ['resets__execute', 'alter role current_user set statement_timeout = 0'], // this file's own login role
    ] as const;
    for (const [tool, sql] of attempts) {
      const result = await gateway.dispatcher.callTool(tool, { sql }, scope());
      expect(result.isError, `${sql}: ${text(result)}`).toBeFalsy();
      const slow = await gateway.dispatcher.callTool('resets__query', { sql: 'select pg_sleep(5)' }, scope());
      expect(text(slow), sql).toContain('the statement ran past 400 ms (config.timeout) and was cancelled by the database');
    }
  });

  it('a statement cancelled by someone else (pg_cancel_backend) says so, not "timeout"', async () => {
    const pending = gateway.dispatcher.callTool('patient__query', { sql: 'select pg_sleep(60)' }, scope());
    await expect.poll(async () => (await busy('patient')).length).toBe(1);
    const [victim] = await busy('patient');
    await db.admin.query('select pg_cancel_backend($1)', [victim!.pid]);
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      '[patient] canceling statement due to user request — cancelled on the server (pg_cancel_backend or an administrator), not by the timeout',
    );
  });

  it('over a Unix socket too: the cancel request goes to the socket', async () => {
    const result = await gateway.dispatcher.callTool('socket__query', { sql: 'select pg_sleep(60)' }, scope());
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_TIMEOUT' });
    await expect.poll(() => busy('socket'), { timeout: 3000 }).toEqual([]);
    const where = await gateway.dispatcher.callTool('socket__query', { sql: 'select client_addr is null as local from pg_stat_activity where pid = pg_backend_pid()' }, scope());
    expect((where as { structuredContent: { rows: unknown[] } }).structuredContent.rows).toEqual([[true]]);
  });

  it('a cancelled write rolls back', async () => {
    await db.asOwner('CREATE TABLE ledger (n int)');
    const writer = await gatewayFrom(
      `services:
  writer:
    driver: postgres
    dsn: ${db.dsn}
    read_only: false
    timeout: 300ms
    config: { timeout: 60s }`,
      [postgres as ServiceType<unknown>],
    );
    try {
      const result = await writer.dispatcher.callTool(
        'writer__execute',
        { sql: 'insert into ledger select 1 from pg_sleep(30)' },
        scope(),
      );
      expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_TIMEOUT' });
      await expect.poll(() => busy('writer'), { timeout: 3000 }).toEqual([]);
      expect((await db.admin.query('select count(*)::int as n from ledger')).rows[0].n).toBe(0);
    } finally {
      await writer.shutdown(2000);
    }
  });
});
