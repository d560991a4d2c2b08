import { defineServiceType, GatewayError, type ServiceType, type ToolDefinition, type ToolResult, type z } from '../../sdk/index.js';
import type { CallContext, ResourceDefinition, ResourceTemplateDefinition, ServiceContext } from '../../sdk/service-type.js';
import { defaultStatementTimeout, type SqlConfig, type WithStatementTimeout } from './config.js';
import type { QueryOutcome, SqlEngine, TableSummary } from './engine.js';
import { bindNamed } from './named-parameters.js';
import { QUERY_OUTPUT_SCHEMA, shapeResult, textTable } from './result-format.js';

const PARAMS_SCHEMA = {
  type: 'array',
  description: 'Values bound to the placeholders of the SQL, in order (never interpolated)',
  items: { type: ['string', 'number', 'boolean', 'null'] },
  maxItems: 1000,
};
const SQL_SCHEMA = { type: 'string', minLength: 1, maxLength: 100_000 };

/**
 * Turns an SQL engine into a service type with the tools every database service has: `query`
 * (read-only, enforced by the database), `execute` (only with `read_only: false`), `list_tables`,
 * `describe_table`, `explain`, one tool per named query, and a schema resource per table.
 */
export function defineSqlType<C extends SqlConfig>(options: {
  name: string;
  version: string;
  description: string;
  configSchema: z.ZodType<C>;
  /** How the placeholders look in this engine, for the tool descriptions: `$1, $2` or `?`. */
  placeholderHint: string;
  engine: (ctx: ServiceContext<WithStatementTimeout<C>>) => SqlEngine;
}): ServiceType<C> {
  return defineServiceType<C>({
    name: options.name,
    version: options.version,
    category: 'database',
    description: options.description,
    capabilities: ['tools', 'resources'],
    configSchema: options.configSchema,
    create(ctx) {
      const config = Object.freeze({ ...ctx.config, timeout: ctx.config.timeout ?? defaultStatementTimeout(ctx.timeoutMs) });
      const resolved: ServiceContext<WithStatementTimeout<C>> = { ...ctx, config };
      const engine = options.engine(resolved);
      return new SqlService(resolved, engine, options.placeholderHint);
    },
  });
}

class SqlService {
  readonly #ctx: ServiceContext<WithStatementTimeout<SqlConfig>>;
  readonly #engine: SqlEngine;
  readonly #tools: ToolDefinition[];
  #tables: readonly TableSummary[] = [];

  constructor(ctx: ServiceContext<WithStatementTimeout<SqlConfig>>, engine: SqlEngine, placeholderHint: string) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.#tools = this.#buildTools(placeholderHint);
  }

  async start(signal: AbortSignal) {
    await this.#guard(signal, () => this.#engine.connect(signal));
    await this.#refreshTables(signal);
  }

  stop() {
    return this.#engine.close();
  }

  /** The pool's counts where the engine reports them (postgres), for the gateway's metrics. */
  stats() {
    const pool = this.#engine.poolStats?.();
    return pool ? { pool } : {};
  }

  async health(signal: AbortSignal) {
    await this.#guard(signal, () => this.#engine.ping(signal));
    return { healthy: true, detail: this.#engine.address };
  }

  tools() {
    return this.#tools;
  }

  resources(): ResourceDefinition[] {
    return this.#tables.map((table) => {
      const qualified = table.schema ? `${table.schema}.${table.name}` : table.name;
      return {
        uri: this.#tableUri(qualified),
        name: qualified,
        description: `Schema of ${table.type} ${qualified}: columns, keys, indexes`,
        mimeType: 'application/json',
        read: (call) => this.#readTable(qualified, call),
      };
    });
  }

  resourceTemplates(): ResourceTemplateDefinition[] {
    return [
      {
        uriTemplate: this.#tableUri('{table}'),
        name: `${this.#ctx.name} table schema`,
        description: 'Schema of one table: columns, keys, indexes',
        mimeType: 'application/json',
        read: (_uri, variables, call) => this.#readTable(String(variables.table), call),
        complete: {
          table: (value) => this.#tables.map((table) => (table.schema ? `${table.schema}.${table.name}` : table.name)).filter((name) => name.startsWith(value)),
        },
      },
    ];
  }

  #tableUri(table: string) {
    return `sql://${this.#ctx.name}/tables/${table}`;
  }

  async #readTable(table: string, call: CallContext) {
    const description = await this.#guard(call.signal, () => this.#engine.describeTable(table, call.signal));
    const uri = this.#tableUri(table);
    if (!description) throw new GatewayError('UNKNOWN_RESOURCE', `Resource not found: ${uri} (no table ${table})`, { data: { uri } });
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(description, null, 2) }] };
  }

  async #refreshTables(signal: AbortSignal) {
    const before = JSON.stringify(this.#tables);
    this.#tables = await this.#guard(signal, () => this.#engine.listTables(signal));
    if (JSON.stringify(this.#tables) !== before) this.#ctx.listChanged('resources');
  }

  #buildTools(hint: string): ToolDefinition[] {
    const config = this.#ctx.config;
    const limits = `Returns at most ${config.max_rows} rows / ${config.max_bytes} bytes (truncated: true when cut).`;
    const tools: ToolDefinition[] = [
      {
        name: 'query',
        title: 'Run a read-only SQL query',
        description: `Run one SQL query on ${this.#ctx.name} in a read-only transaction (writes are refused by the database). Bind values with ${hint} placeholders and params. ${limits}`,
        inputSchema: { type: 'object', properties: { sql: SQL_SCHEMA, params: PARAMS_SCHEMA }, required: ['sql'], additionalProperties: false },
        outputSchema: QUERY_OUTPUT_SCHEMA,
        annotations: { readOnlyHint: true, openWorldHint: false },
        call: (args, call) => this.#query(String(args.sql), (args.params as unknown[]) ?? [], true, call),
      },
      {
        name: 'list_tables',
        title: 'List tables and views',
        description: `List the tables and views of ${this.#ctx.name}.`,
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
        annotations: { readOnlyHint: true, openWorldHint: false },
        call: async (_args, call) => {
          await this.#refreshTables(call.signal);
          const lines = this.#tables.map((table) => `${table.schema ? `${table.schema}.` : ''}${table.name} (${table.type})`);
          return { content: [{ type: 'text', text: lines.join('\n') || '(no tables)' }], structuredContent: { tables: this.#tables } };
        },
      },
      {
        name: 'describe_table',
        title: 'Describe a table',
        description: `Columns (types, nullability, defaults), primary and foreign keys, and indexes of one table of ${this.#ctx.name}.`,
        inputSchema: { type: 'object', properties: { table: { type: 'string', minLength: 1, maxLength: 256 } }, required: ['table'], additionalProperties: false },
        annotations: { readOnlyHint: true, openWorldHint: false },
        call: async (args, call) => {
          const description = await this.#guard(call.signal, () => this.#engine.describeTable(String(args.table), call.signal));
          if (!description) {
            return { isError: true, content: [{ type: 'text', text: `[${this.#ctx.name}] no table or view named ${String(args.table)} — list_tables shows what exists` }] };
          }
          return { content: [{ type: 'text', text: JSON.stringify(description, null, 2) }], structuredContent: { ...description } };
        },
      },
      {
        name: 'explain',
        title: 'Show a query plan',
        description: `Show the plan the database would use for a statement on ${this.#ctx.name}, without running it.`,
        inputSchema: { type: 'object', properties: { sql: SQL_SCHEMA, params: PARAMS_SCHEMA }, required: ['sql'], additionalProperties: false },
        outputSchema: QUERY_OUTPUT_SCHEMA,
        annotations: { readOnlyHint: true, openWorldHint: false },
        call: (args, call) =>
          this.#statement(call, async () => {
            const outcome = await this.#engine.explain(String(args.sql), (args.params as unknown[]) ?? [], this.#options(true, call));
            return this.#result(outcome);
          }),
      },
    ];
    if (!config.read_only) {
      tools.push({
        name: 'execute',
        title: 'Run a write or DDL statement',
        description: `Run one INSERT/UPDATE/DELETE/DDL statement on ${this.#ctx.name} in a transaction; returns the affected row count. Bind values with ${hint} placeholders and params.`,
        inputSchema: { type: 'object', properties: { sql: SQL_SCHEMA, params: PARAMS_SCHEMA }, required: ['sql'], additionalProperties: false },
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
        call: (args, call) => this.#execute(String(args.sql), (args.params as unknown[]) ?? [], call),
      });
    }
    for (const [name, named] of Object.entries(config.queries)) {
      const writes = !named.read_only && !config.read_only;
      const bound = bindNamed(named.sql, (index) => this.#engine.placeholder(index), this.#engine.quoting);
      const required = named.required ?? Object.keys(named.parameters);
      tools.push({
        name,
        description: named.description,
        inputSchema: { type: 'object', properties: named.parameters as NonNullable<ToolDefinition['inputSchema']['properties']>, required, additionalProperties: false },
        ...(writes ? {} : { outputSchema: QUERY_OUTPUT_SCHEMA }),
        annotations: writes ? { readOnlyHint: false, destructiveHint: true } : { readOnlyHint: true },
        call: (args, call) => {
          const values = bound.names.map((param) => args[param] ?? null);
          return writes ? this.#execute(bound.sql, values, call) : this.#query(bound.sql, values, true, call);
        },
      });
    }
    return tools;
  }

  #options(readOnly: boolean, call: CallContext) {
    return { readOnly, timeoutMs: this.#ctx.config.timeout, maxRows: this.#ctx.config.max_rows, signal: call.signal };
  }

  #result(outcome: QueryOutcome): ToolResult {
    const shaped = shapeResult(outcome, this.#ctx.config.max_bytes);
    return { content: [{ type: 'text', text: textTable(shaped) }], structuredContent: shaped };
  }

  #query(sql: string, params: unknown[], readOnly: boolean, call: CallContext): Promise<ToolResult> {
    return this.#statement(call, async () => this.#result(await this.#engine.query(sql, params, this.#options(readOnly, call))));
  }

  #execute(sql: string, params: unknown[], call: CallContext): Promise<ToolResult> {
    return this.#statement(call, async () => {
      const outcome = await this.#engine.execute(sql, params, { timeoutMs: this.#ctx.config.timeout, signal: call.signal });
      await this.#refreshTables(call.signal).catch(() => {});
      const id = outcome.lastInsertId !== undefined ? `, last insert id ${outcome.lastInsertId}` : '';
      return { content: [{ type: 'text', text: `${outcome.affectedRows} row(s) affected${id}` }], structuredContent: { ...outcome } };
    });
  }

  /** Statement failures are the caller's (an isError result); connection failures are the service's (thrown). */
  async #statement(call: CallContext, run: () => Promise<ToolResult>): Promise<ToolResult> {
    try {
      return await this.#guard(call.signal, run);
    } catch (error) {
      if (error instanceof GatewayError || call.signal.aborted) throw error;
      const kind = this.#engine.classify(error);
      const message = error instanceof Error ? error.message : String(error);
      const text =
        kind === 'timeout'
          ? `[${this.#ctx.name}] the statement ran past ${this.#ctx.config.timeout} ms (config.timeout) and was cancelled by the database — narrow the query or raise the timeout`
          : `[${this.#ctx.name}] ${message}`;
      return { isError: true, content: [{ type: 'text', text }] };
    }
  }

  /** Connection failures become BACKEND_UNREACHABLE naming the service and the address. */
  async #guard<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (signal.aborted || error instanceof GatewayError) throw error;
      if (this.#engine.classify(error) !== 'connection') throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new GatewayError('BACKEND_UNREACHABLE', `cannot reach the database at ${this.#engine.address}: ${message}`, {
        service: this.#ctx.name,
        cause: error,
      });
    }
  }
}
