import { sqlConfigShape } from '../sql/config.js';
import { duration, z } from '../../sdk/index.js';
import { DsnError, parseMysqlDsn } from './dsn.js';

const tlsFiles = z.strictObject({
  ca: z.string().min(1).optional().describe('CA certificate: a file path or PEM text'),
  cert: z.string().min(1).optional().describe('Client certificate: a file path or PEM text'),
  key: z.string().min(1).optional().describe('Client key: a file path or PEM text'),
  reject_unauthorized: z.boolean().default(true).describe('false accepts any server certificate (encrypted, not verified)'),
});

/**
 * Config of a `mysql` service (MySQL or MariaDB): the shared SQL settings plus where and how to
 * connect. Explicit keys override the matching parts of `dsn`, so a DSN from the environment can
 * take its password from a secret file.
 */
export const mysqlConfigSchema = z
  .strictObject({
    ...sqlConfigShape,
    dsn: z
      .string()
      .min(1)
      .optional()
      .describe('user:pass@tcp(host:3306)/db (Go style), mysql://user:pass@host:3306/db or mariadb://…; alternatively host/port/user/password/database'),
    socket_path: z.string().min(1).optional().describe('Unix socket of the server (instead of host/port), e.g. /run/mysqld/mysqld.sock'),
    ssl: z.union([z.boolean(), tlsFiles]).optional().describe('true: TLS verified against the system CAs; or ca/cert/key files'),
    charset: z
      .string()
      .regex(/^[A-Za-z0-9_]+$/, 'a character set or collation name such as utf8mb4')
      .optional()
      .describe('Connection character set or collation (default utf8mb4)'),
    connect_timeout: duration().optional().describe('How long to wait for a new connection before the call fails (default 10s)'),
    read_only_user: z
      .strictObject({ user: z.string().min(1), password: z.string().optional() })
      .optional()
      .describe('A SELECT-only account for query/explain/list_tables/describe_table; the main account then only runs execute'),
  })
  .superRefine((config, ctx) => {
    if (config.dsn === undefined) return;
    try {
      parseMysqlDsn(config.dsn);
    } catch (error) {
      if (!(error instanceof DsnError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['dsn'], message: error.message });
    }
  });

export type MysqlConfig = z.output<typeof mysqlConfigSchema>;
