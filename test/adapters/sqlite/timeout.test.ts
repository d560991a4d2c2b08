// A runaway statement is stopped — by its timeout or by cancellation — by killing the worker process
// that runs it (a statement inside SQLite cannot be interrupted any other way); the service stays
// healthy and the next statement runs in a fresh worker. The gateway's event loop never waits on SQLite.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerScript } from '../../../src/adapters/sqlite/worker-script.js';
import type { Gateway } from '../../../src/core/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { alive, cleanup, createDatabase, gateway as startGateway, readDirect, tempDir, workerPids } from './sqlite-fixture.js';

/** Counts forever: one sqlite3_step that never returns. */
const RUNAWAY = 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c';
const STATEMENT_TIMEOUT_MS = 600;

describe('sqlite service type: timeouts and cancellation', () => {
  let gateway: Gateway;
  let file: string;
  const call = (tool: string, args: Record<string, unknown>, signal?: AbortSignal) =>
    gateway.dispatcher.callTool(tool, args, scope(signal ? { signal } : {}));
  const count = async (service: string) => (await call(`${service}__query`, { sql: 'select count(*) from items' })) as { structuredContent?: { rows: unknown[][] } };
  /** The worker of `service`, started by a first query if it is not running. */
  const workerOf = async (service: string) => {
    const before = new Set(workerPids());
    await count(service);
    return workerPids().filter((pid) => !before.has(pid));
  };

  beforeAll(async () => {
    file = createDatabase(join(tempDir(), 'items.db'), "create table items (id integer primary key, name text); insert into items (name) values ('a'), ('b');");
    gateway = await startGateway(`services:
  ro:
    driver: sqlite
    path: ${file}
    config: { timeout: ${STATEMENT_TIMEOUT_MS}ms }
  rw:
    driver: sqlite
    path: ${file}
    read_only: false
    config: { timeout: ${STATEMENT_TIMEOUT_MS}ms }
  calls:
    driver: sqlite
    path: ${file}
    timeout: 1500ms
    config: { timeout: 10s }
  derived:
    driver: sqlite
    path: ${file}
    timeout: 1500ms
  long:
    driver: sqlite
    path: ${file}
`);
  });
  afterAll(cleanup);

  it('a statement past the timeout is stopped within timeout + 1 s with a clear error; its worker is gone; the next query works', async () => {
    const [worker] = await workerOf('ro');
    expect(worker).toBeDefined();
    const started = Date.now();
    const result = await call('ro__query', { sql: RUNAWAY });
    const elapsed = Date.now() - started;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      `[ro] the statement ran past ${STATEMENT_TIMEOUT_MS} ms (config.timeout) and was cancelled by the database — narrow the query or raise the timeout`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000);
    await expect.poll(() => alive(worker!), { timeout: 2000 }).toBe(false);
    expect((await count('ro')).structuredContent?.rows).toEqual([[2]]);
    expect(gateway.host('ro')?.status()).toMatchObject({ phase: 'running', breaker: 'closed' });
    expect((await gateway.host('ro')!.health()).healthy).toBe(true);
  });

  it('statements queued behind a runaway one run once it is stopped', async () => {
    const results = await Promise.all([
      call('ro__query', { sql: RUNAWAY }),
      call('ro__query', { sql: 'select name from items order by id' }),
      call('ro__list_tables', {}),
    ]);
    expect(results[0]!.isError).toBe(true);
    expect((results[1] as { structuredContent: { rows: unknown[] } }).structuredContent.rows).toEqual([['a'], ['b']]);
    expect(text(results[2])).toBe('items (table)');
  });

  it('cancellation through the call signal stops the statement and its worker at once', async () => {
    const [worker] = await workerOf('ro');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const result = await call('ro__query', { sql: RUNAWAY }, controller.signal);
    expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS);
    expect(result.isError).toBe(true);
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_CANCELLED' });
    expect(text(result)).toContain('[ro] tools/call ro__query was cancelled by the client');
    await expect.poll(() => alive(worker!), { timeout: 2000 }).toBe(false);
    expect((await count('ro')).structuredContent?.rows).toEqual([[2]]);
  });

  it("the service's call timeout (timeout: at the service level) stops the statement too", async () => {
    const [worker] = await workerOf('calls');
    const started = Date.now();
    const result = await call('calls__query', { sql: RUNAWAY });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_TIMEOUT' });
    await expect.poll(() => alive(worker!), { timeout: 2000 }).toBe(false);
    expect((await count('calls')).structuredContent?.rows).toEqual([[2]]);
  });

  it('without config.timeout the statement timeout sits under the call timeout: the database stops it first', async () => {
    const [worker] = await workerOf('derived');
    const result = await call('derived__query', { sql: RUNAWAY });
    expect(result.isError).toBe(true);
    expect(result._meta?.['dev.mcpeg/error']).toBeUndefined();
    expect(text(result)).toContain('ran past 1350 ms (config.timeout)');
    await expect.poll(() => alive(worker!), { timeout: 2000 }).toBe(false);
    expect((await count('derived')).structuredContent?.rows).toEqual([[2]]);
  });

  it('the event loop stays responsive while a statement runs, and the service reports healthy', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const running = call('ro__query', { sql: RUNAWAY });
      await new Promise((resolve) => setTimeout(resolve, 200));
      // A health check does not queue behind the statement (it would time out): a busy worker is alive.
      expect(await gateway.host('ro')!.health(100)).toEqual({ healthy: true, detail: `sqlite:${file}` });
      await running;
    } finally {
      clearInterval(timer);
    }
    // ~600 ms of statement: a blocked loop would give 0 or 1 ticks.
    expect(ticks).toBeGreaterThan(20);
  });

  it('a write past the timeout is rolled back: the data is unchanged and the next write works', async () => {
    const result = await call('rw__execute', {
      sql: 'insert into items (name) select x from (with recursive c(x) as (select 1 union all select x + 1 from c) select x from c)',
    });
    expect(text(result)).toContain('ran past');
    // The killed writer left a hot journal; the service's next worker rolls it back as it opens.
    expect((await count('rw')).structuredContent?.rows).toEqual([[2]]);
    expect(readDirect(file, 'select count(*) as n from items')).toEqual([{ n: 2 }]);
    const insert = await call('rw__execute', { sql: "insert into items (name) values ('c')" });
    expect(text(insert)).toBe('1 row(s) affected, last insert id 3');
    const removed = await call('rw__execute', { sql: "delete from items where name = 'c'" });
    expect(text(removed)).toBe('1 row(s) affected');
    expect(readDirect(file, 'select count(*) as n from items')).toEqual([{ n: 2 }]);
  });

  it('a worker killed from outside fails its statement as an outage; the next statement gets a new worker', async () => {
    const [worker] = await workerOf('long');
    setTimeout(() => process.kill(worker!, 'SIGKILL'), 200);
    const result = await call('long__query', { sql: RUNAWAY });
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    expect(text(result)).toBe(`[long] cannot reach the database at sqlite:${file}: the SQLite worker process died during the statement (killed by SIGKILL)`);
    expect((await count('long')).structuredContent?.rows).toEqual([[2]]);
  });

  it('a worker whose gateway dies in the middle of a statement exits too', async () => {
    // A stand-in gateway process: it starts a worker, sets it counting forever, and is killed.
    const code = `
      import { fork } from 'node:child_process';
      const [script, driver, file, sql] = process.argv.slice(1);
      const child = fork(script, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      child.send({ type: 'init', driver, file, readOnly: true, busyTimeoutMs: 1000 });
      child.once('message', () => {
        child.send({ id: 1, op: 'query', sql, params: [], maxRows: 10, maxBytes: 1000 });
        console.log(child.pid);
      });
    `;
    const driver = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', code, await workerScript(), driver, file, RUNAWAY], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk) => resolve(Number.parseInt(String(chunk), 10))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await expect.poll(() => alive(pid), { timeout: 5000, interval: 100 }).toBe(false);
  });

  it('stopping the gateway stops every worker', async () => {
    await workerOf('ro');
    expect(workerPids().length).toBeGreaterThan(0);
    await gateway.shutdown(2000);
    await expect.poll(() => workerPids(), { timeout: 3000 }).toEqual([]);
  });
});
