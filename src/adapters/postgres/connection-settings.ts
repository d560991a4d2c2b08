import type { PostgresConfig } from './config.js';

/** Query parameters a DSN may carry (libpq's names); any other is a config error. */
export const DSN_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'host', 'port', 'connect_timeout'] as const;

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;

/** TLS as the service asked for it; certificate files are read when the pool is created. */
export type TlsSettings =
  | false
  | { readonly rejectUnauthorized: boolean; readonly verifyHostname: boolean; readonly ca?: string; readonly cert?: string; readonly key?: string };

/** Where and how a service connects, resolved from its DSN and discrete keys (the keys win). */
export interface ConnectionSettings {
  /** A host name, an IP address, or the directory of a Unix socket (starts with `/`). */
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly database: string | undefined;
  readonly tls: TlsSettings;
  readonly applicationName: string;
  readonly connectTimeoutMs: number;
  /** `127.0.0.1:5432`, `[::1]:5432` or `/run/postgresql/.s.PGSQL.5432`: what a refused connection names. */
  readonly endpoint: string;
  /** The database's address for messages and health output; never holds the password. */
  readonly address: string;
}

/**
 * Resolves where a service connects: a `postgres://` / `postgresql://` DSN (libpq's URL form,
 * percent-encoded parts, `?sslmode=`, `?host=/socket/dir`), overridden key by key by `host`,
 * `port`, `user`, `password`, `database`. Validation has already checked the DSN parses.
 *
 * @example connectionSettings({ dsn: 'postgres://app:pw@db:5433/orders', ... }, 'orders_db').address
 *   // 'postgres://db:5433/orders'
 */
export function connectionSettings(config: PostgresConfig, service: string): ConnectionSettings {
  const url = config.dsn ? new URL(config.dsn) : undefined;
  const param = (name: (typeof DSN_PARAMETERS)[number]) => url?.searchParams.get(name) ?? undefined;
  const decoded = (value: string | undefined) => (value ? decodeURIComponent(value) : undefined);

  const urlHost = url?.hostname ? url.hostname.replace(/^\[(.*)\]$/, '$1') : undefined;
  const host = config.host ?? param('host') ?? decoded(urlHost) ?? 'localhost';
  const port = config.port ?? numberOr(param('port') ?? (url?.port || undefined), 5432);
  const database = config.database ?? decoded(url?.pathname.replace(/^\//, '') || undefined);
  const endpoint = host.startsWith('/') ? `${host}/.s.PGSQL.${port}` : `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const address = host.startsWith('/')
    ? `postgres:///${database ?? ''}?host=${host}&port=${port}`
    : `postgres://${endpoint}${database ? `/${database}` : ''}`;
  const connectTimeout = param('connect_timeout');
  return {
    host,
    port,
    user: config.user ?? decoded(url?.username || undefined),
    password: config.password ?? decoded(url?.password || undefined),
    database,
    tls: tlsSettings(config, param),
    applicationName: config.application_name ?? param('application_name') ?? `mcpeg/${service}`.slice(0, 63),
    connectTimeoutMs: connectTimeout !== undefined ? numberOr(connectTimeout, 10) * 1000 : config.connect_timeout,
    endpoint,
    address,
  };
}

/**
 * `ssl:` in config wins over the DSN's `sslmode`. The modes mean what they mean to libpq: `require`
 * encrypts without checking the certificate, `verify-ca` checks the chain, `verify-full` the chain
 * and the host name. `prefer` and `allow` cannot fall back here, so they connect without TLS.
 */
function tlsSettings(config: PostgresConfig, param: (name: (typeof DSN_PARAMETERS)[number]) => string | undefined): TlsSettings {
  if (config.ssl === false) return false;
  if (config.ssl === true) return { rejectUnauthorized: true, verifyHostname: true };
  if (config.ssl) {
    return { rejectUnauthorized: config.ssl.reject_unauthorized, verifyHostname: config.ssl.reject_unauthorized, ca: config.ssl.ca, cert: config.ssl.cert, key: config.ssl.key };
  }
  const mode = param('sslmode') ?? 'disable';
  const files = { ca: param('sslrootcert'), cert: param('sslcert'), key: param('sslkey') };
  switch (mode) {
    case 'require':
    case 'no-verify':
      return { rejectUnauthorized: false, verifyHostname: false, ...files };
    case 'verify-ca':
      return { rejectUnauthorized: true, verifyHostname: false, ...files };
    case 'verify-full':
      return { rejectUnauthorized: true, verifyHostname: true, ...files };
    default:
      return false;
  }
}

/** What is wrong with a DSN's query parameters, or undefined; used by config validation. */
export function dsnParameterProblem(url: URL): string | undefined {
  for (const [name, value] of url.searchParams) {
    if (!(DSN_PARAMETERS as readonly string[]).includes(name)) {
      return `has an unknown parameter "${name}" (known: ${DSN_PARAMETERS.join(', ')})`;
    }
    if (name === 'sslmode' && !(SSL_MODES as readonly string[]).includes(value)) {
      return `has sslmode=${value}; use one of ${SSL_MODES.join(', ')}`;
    }
  }
  return undefined;
}

function numberOr(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}
