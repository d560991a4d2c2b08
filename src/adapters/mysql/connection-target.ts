import { readFile } from 'node:fs/promises';
import type { PoolOptions } from 'mysql2/promise';
import type { MysqlConfig } from './config.js';
import { DEFAULT_PORT, parseMysqlDsn, type TlsMode } from './dsn.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Where and as whom to connect, after merging `dsn` with the explicit keys (explicit keys win). */
export interface MysqlTarget {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly database: string | undefined;
  readonly charset: string;
  readonly tls: TlsMode | Exclude<MysqlConfig['ssl'], boolean | undefined>;
  readonly connectTimeoutMs: number;
}

/**
 * Merges a service's `dsn` with its explicit keys. The DSN was validated with the config, so it parses.
 *
 * @example resolveTarget({ dsn: 'app:pw@tcp(db:3306)/shop', password: 'from-secret', … }).password // 'from-secret'
 */
export function resolveTarget(config: MysqlConfig): MysqlTarget {
  const dsn = config.dsn === undefined ? {} : parseMysqlDsn(config.dsn);
  // An explicit host means TCP even when the DSN named a socket; an explicit socket_path wins over both.
  const socketPath = config.socket_path ?? (config.host === undefined ? dsn.socketPath : undefined);
  const tls = config.ssl === undefined ? (dsn.tls ?? 'disabled') : config.ssl === true ? 'required' : config.ssl === false ? 'disabled' : config.ssl;
  return {
    host: config.host ?? dsn.host ?? '127.0.0.1',
    port: config.port ?? dsn.port ?? DEFAULT_PORT,
    socketPath,
    user: config.user ?? dsn.user,
    password: config.password ?? dsn.password,
    database: config.database ?? dsn.database,
    charset: config.charset ?? dsn.charset ?? 'utf8mb4',
    tls,
    connectTimeoutMs: config.connect_timeout ?? dsn.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/**
 * Where the database is, for messages and logs — never with a password:
 * `mysql://app@db.internal:3306/shop`, or `mysql://app@localhost/shop?socket=/run/mysqld/mysqld.sock`.
 */
export function describeAddress(target: MysqlTarget, user = target.user): string {
  const who = user ? `${encodeURIComponent(user)}@` : '';
  const database = target.database ? `/${encodeURIComponent(target.database)}` : '';
  if (target.socketPath) return `mysql://${who}localhost${database || '/'}?socket=${target.socketPath}`;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `mysql://${who}${host}:${target.port}${database}`;
}

/**
 * The driver options every connection of a service shares (pool settings are added by the pool).
 * Reads TLS files here, when the service starts, so a missing file is a start failure naming it.
 */
export async function driverOptions(target: MysqlTarget, credentials: { user: string | undefined; password: string | undefined }): Promise<PoolOptions> {
  return {
    ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
    ...(credentials.user !== undefined ? { user: credentials.user } : {}),
    ...(credentials.password !== undefined ? { password: credentials.password } : {}),
    ...(target.database !== undefined ? { database: target.database } : {}),
    charset: target.charset,
    connectTimeout: target.connectTimeoutMs,
    ...(await tlsOptions(target.tls)),
    // Never more than one statement per call: `SELECT 1; DELETE …` is a syntax error on the server.
    multipleStatements: false,
    // LOAD DATA LOCAL INFILE would let the server read files of the gateway's host: the client refuses.
    flags: ['-LOCAL_FILES'],
    // DATETIME has no time zone: hand it over as the database shows it rather than shift it into one.
    dateStrings: true,
    // BIGINT and DECIMAL as exact strings, never rounded through a double.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    enableKeepAlive: true,
  };
}

async function tlsOptions(tls: MysqlTarget['tls']): Promise<Pick<PoolOptions, 'ssl'>> {
  if (tls === 'disabled') return {};
  if (tls === 'required') return { ssl: { rejectUnauthorized: true } };
  if (tls === 'skip-verify') return { ssl: { rejectUnauthorized: false } };
  const pem = async (value: string | undefined, key: string) => {
    if (value === undefined) return undefined;
    if (value.includes('-----BEGIN')) return value;
    try {
      return await readFile(value, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ssl.${key} file ${value}: ${(error as Error).message}`, { cause: error });
    }
  };
  const [ca, cert, key] = await Promise.all([pem(tls.ca, 'ca'), pem(tls.cert, 'cert'), pem(tls.key, 'key')]);
  return {
    ssl: {
      rejectUnauthorized: tls.reject_unauthorized,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    },
  };
}
