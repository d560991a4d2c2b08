import { duration, size, z } from '../../sdk/index.js';

/** A named query from config: it becomes a tool of its own with typed, bound parameters. */
export const namedQuerySchema = z.strictObject({
  description: z.string().min(1),
  /** SQL with `:name` placeholders, bound (never interpolated) from the tool's arguments. */
  sql: z.string().min(1),
  /** JSON Schema `properties` of the parameters; each `:name` in the SQL must be one of them. */
  parameters: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.record(z.string(), z.unknown())).default({}),
  required: z.array(z.string()).optional(),
  /** A named query runs read-only unless it says otherwise (and the service allows writes). */
  read_only: z.boolean().default(true),
});

/** Settings every SQL service shares; each engine extends this schema with its own keys. */
export const sqlConfigShape = {
  dsn: z.string().min(1).optional().describe('Connection string; alternatively host/port/user/password/database'),
  host: z.string().optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  database: z.string().optional(),
  read_only: z.boolean().default(true).describe('false adds the execute tool; reads stay read-only either way'),
  timeout: duration()
    .optional()
    .describe('Statement timeout, enforced by the database server; default a little under the call timeout, so a slow statement ends as a statement timeout'),
  max_rows: z.number().int().min(1).max(1_000_000).default(1000),
  max_bytes: size().default(1_000_000).describe('Result size cap; larger results are cut and marked truncated'),
  pool: z
    .strictObject({
      max_connections: z.number().int().min(1).max(1000).default(5),
      idle_connections: z.number().int().min(0).max(1000).default(1),
      idle_timeout: duration().default(60_000),
    })
    .default({ max_connections: 5, idle_connections: 1, idle_timeout: 60_000 }),
  queries: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/), namedQuerySchema).default({}),
};

export const sqlConfigSchema = z.strictObject(sqlConfigShape);
export type SqlConfig = z.output<typeof sqlConfigSchema>;

/** A SQL config once the service is created: the statement timeout is always known. */
export type WithStatementTimeout<C extends { timeout?: number | undefined }> = Omit<C, 'timeout'> & { readonly timeout: number };

/**
 * The statement timeout when `config.timeout` is not set: a little under the call timeout (10 %, at
 * most 2 s), so a slow statement is stopped by the database and reported as a statement timeout — an
 * error result the model can act on — before the call timeout fires, which counts against the breaker.
 *
 * @example
 * defaultStatementTimeout(30_000) // 28_000
 * defaultStatementTimeout(5_000) // 4_500
 */
export function defaultStatementTimeout(callTimeoutMs: number): number {
  return Math.max(1, Math.round(callTimeoutMs - Math.min(2000, callTimeoutMs * 0.1)));
}
export type NamedQuery = z.output<typeof namedQuerySchema>;
