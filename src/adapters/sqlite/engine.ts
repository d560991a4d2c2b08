import type { Stats } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError, type ServiceContext } from '../../sdk/index.js';
import type { ExecuteOutcome, QueryOptions, QueryOutcome, SqlEngine, TableDescription, TableSummary } from '../sql/engine.js';
import { type SqliteConfig, databaseFile, parseSqliteDsn } from './config.js';
import type { WithStatementTimeout } from '../sql/config.js';
import { demoDatabase } from './demo-data.js';
import { DRIVER_LOAD_CODES, SqliteError, classifySqliteError } from './errors.js';
import type { DatabaseScript, WorkerRequest, WorkerResults } from './protocol.js';
import { SqliteProcess } from './sqlite-process.js';
import { workerScript } from './worker-script.js';

const DRIVER = 'better-sqlite3';
/** Creating the demo database takes well under a second; this bounds a stuck disk. */
const CREATE_TIMEOUT_MS = 60_000;

/**
 * SQLite through better-sqlite3, run in a child process of the service's own (sqlite-process.ts) so
 * the gateway's event loop never waits on it and a runaway statement can be stopped. Reads use a
 * connection SQLite itself keeps read-only; writes (`execute`) a separate one.
 */
export class SqliteEngine implements SqlEngine {
  readonly address: string;
  readonly #ctx: ServiceContext<WithStatementTimeout<SqliteConfig>>;
  readonly #file: string;
  #process: SqliteProcess | undefined;

  constructor(ctx: ServiceContext<WithStatementTimeout<SqliteConfig>>) {
    this.#ctx = ctx;
    this.#file = databaseFile(ctx.config);
    this.address = `sqlite:${this.#file}`;
  }

  placeholder(): string {
    return '?';
  }

  async connect(signal: AbortSignal): Promise<void> {
    // Proof the driver is installed before a process is started for it: DRIVER_MISSING for this service only.
    await this.#ctx.importDriver(DRIVER);
    const driver = pathToFileURL(createRequire(import.meta.url).resolve(DRIVER)).href;
    const missing = await this.#checkFile();
    await this.close(); // a restart after a failure: the old process goes first
    this.#process = new SqliteProcess({
      script: workerScript,
      init: { driver, file: this.#file, readOnly: this.#ctx.config.read_only, busyTimeoutMs: Math.min(this.#ctx.config.timeout, 5000) },
      logger: this.#ctx.logger,
    });
    try {
      if (missing) await this.#create(signal);
      const { sqliteVersion } = await this.#run({ op: 'ping' }, signal);
      this.#ctx.logger.debug({ file: this.#file, sqliteVersion, readOnly: this.#ctx.config.read_only }, 'sqlite database open');
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    await running?.close();
  }

  async ping(signal: AbortSignal): Promise<void> {
    // Statements run one at a time: a health check queued behind a long query would time out and
    // report a healthy database as down. A worker busy with a statement is proof enough.
    if (this.#process?.busy) return;
    await this.#run({ op: 'ping' }, signal);
  }

  query(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome> {
    // Always on the read-only connection: writes go through execute, never through query.
    const request = { op: 'query', sql, params, maxRows: options.maxRows, maxBytes: this.#ctx.config.max_bytes } as const;
    return this.#run(request, options.signal, options.timeoutMs);
  }

  execute(sql: string, params: readonly unknown[], options: Omit<QueryOptions, 'readOnly' | 'maxRows'>): Promise<ExecuteOutcome> {
    return this.#run({ op: 'execute', sql, params }, options.signal, options.timeoutMs);
  }

  explain(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome> {
    return this.#run({ op: 'explain', sql, params, maxRows: options.maxRows }, options.signal, options.timeoutMs);
  }

  listTables(signal: AbortSignal): Promise<readonly TableSummary[]> {
    return this.#run({ op: 'tables' }, signal);
  }

  async describeTable(name: string, signal: AbortSignal): Promise<TableDescription | undefined> {
    return (await this.#run({ op: 'describe', table: name }, signal)) ?? undefined;
  }

  classify(error: unknown): 'connection' | 'timeout' | 'statement' {
    return classifySqliteError(error);
  }

  async #run<Op extends WorkerRequest['op']>(
    request: Extract<WorkerRequest, { op: Op }>,
    signal: AbortSignal,
    timeoutMs = this.#ctx.config.timeout,
  ): Promise<WorkerResults[Op]> {
    const sqlite = this.#process;
    if (!sqlite) throw new GatewayError('SERVICE_UNAVAILABLE', 'the database is not open (the service is not started)', { service: this.#ctx.name });
    try {
      return await sqlite.run(request, { signal, timeoutMs });
    } catch (error) {
      if (error instanceof SqliteError && error.code && DRIVER_LOAD_CODES.has(error.code)) {
        throw new GatewayError('DRIVER_MISSING', `could not load its driver "${DRIVER}" in the SQLite worker: ${error.message} — run npm rebuild ${DRIVER}`, {
          service: this.#ctx.name,
          cause: error,
        });
      }
      throw error;
    }
  }

  /** True when the file is missing and may be created; throws when it is missing and may not, or is no file. */
  async #checkFile(): Promise<boolean> {
    const config = this.#ctx.config;
    const key = config.dsn !== undefined ? 'dsn' : 'path';
    const written = config.dsn ?? config.path ?? '';
    const parsed = config.dsn !== undefined ? parseSqliteDsn(config.dsn) : { path: written };
    const relative = 'path' in parsed && !isAbsolute(parsed.path);
    const where = relative ? ` (${key}: "${written}", relative to the working directory ${process.cwd()})` : '';
    let found: Stats;
    try {
      found = await stat(this.#file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw this.#unreachable(`cannot read ${this.#file}${where}: ${(error as Error).message}`, error);
      if (config.demo || config.create_if_missing) return true;
      throw this.#unreachable(
        `no SQLite database file at ${this.#file}${where} — fix path:, or set create_if_missing: true to start with an empty database (demo: true for the demo data)`,
      );
    }
    if (found.isDirectory()) throw this.#unreachable(`${this.#file}${where} is a directory, not a SQLite database file — point path: at a file`);
    return false;
  }

  async #create(signal: AbortSignal): Promise<void> {
    const script: DatabaseScript = this.#ctx.config.demo ? demoDatabase() : { before: [], tables: [], after: [] };
    const what = this.#ctx.config.demo ? 'the demo database' : 'an empty database';
    try {
      await mkdir(dirname(this.#file), { recursive: true });
      await this.#run({ op: 'create', script }, signal, CREATE_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof GatewayError || signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw this.#unreachable(`could not create ${what} at ${this.#file}: ${message} — check that its folder is writable, or point path: elsewhere`, error);
    }
    this.#ctx.logger.info({ file: this.#file }, `created ${what}`);
  }

  #unreachable(message: string, cause?: unknown): GatewayError {
    return new GatewayError('BACKEND_UNREACHABLE', message, { service: this.#ctx.name, cause, data: { file: this.#file } });
  }
}
