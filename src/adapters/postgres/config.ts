import { duration, z } from '../../sdk/index.js';
import { sqlConfigShape } from '../sql/config.js';
import { dsnParameterProblem } from './connection-settings.js';


const sslSchema = z.union([
  z.boolean().describe('true: TLS, verifying the server certificate against the system CAs; false: no TLS'),
  z.strictObject({
    reject_unauthorized: z.boolean().default(true).describe('false accepts any server certificate (encrypts, does not authenticate)'),
    ca: z.string().min(1).optional().describe('Path to a PEM file with the CA that signed the server certificate'),
    cert: z.string().min(1).optional().describe('Path to a PEM client certificate (certificate authentication)'),
    key: z.string().min(1).optional().describe('Path to the PEM private key of the client certificate'),
  }),
]);

/**
 * Config of a `postgres` service: the settings every SQL service shares, plus TLS, the
 * application name and search path the sessions start with, and the timeouts PostgreSQL knows.
 * `statement_timeout` is accepted as PostgreSQL's own word for `timeout` (one or the other).
 *
 * @example
 * postgresConfigSchema.parse({ dsn: 'postgres://app@db:5432/orders', statement_timeout: '15s' }).timeout // 15000
 */
export const postgresConfigSchema = z
  .strictObject({
    ...sqlConfigShape,
    dsn: z
      .string()
      .min(1)
      .optional()
      .describe('postgres://user:password@host:5432/database?sslmode=require; or host/port/user/password/database'),
    timeout: duration().optional().describe('Statement timeout, enforced by the server (default 30s)'),
    statement_timeout: duration().optional().describe('The same as timeout, in PostgreSQL words; set one of the two'),
    lock_timeout: duration().optional().describe('How long a statement waits for a lock (default: the statement timeout)'),
    connect_timeout: duration().default(10_000).describe('How long opening one connection may take'),
    ssl: sslSchema.optional(),
    application_name: z.string().min(1).max(63).optional().describe('Shown in pg_stat_activity; default mcpeg/<service>'),
    search_path: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('Schemas searched for unqualified names, e.g. [sales, public]'),
  })
  .superRefine((config, ctx) => {
    if (config.timeout !== undefined && config.statement_timeout !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['statement_timeout'], message: 'timeout and statement_timeout are the same setting: keep one' });
    }
    if (config.dsn !== undefined) {
      const problem = dsnProblem(config.dsn);
      if (problem) ctx.addIssue({ code: 'custom', path: ['dsn'], message: problem });
    }
  })
  .transform(({ statement_timeout, timeout, ...rest }) => ({
    ...rest,
    timeout: statement_timeout ?? timeout,
  }));

export type PostgresConfig = z.output<typeof postgresConfigSchema>;

/** What is wrong with a DSN, without repeating it (it may hold a password), or undefined. */
function dsnProblem(dsn: string): string | undefined {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return 'is not a URL: write postgres://user:password@host:5432/database (or use host, port, user, password, database)';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `must start with postgres:// or postgresql:// (it starts with ${url.protocol}//)`;
  }
  return dsnParameterProblem(url);
}
