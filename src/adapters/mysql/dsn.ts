/**
 * Parses the two DSN forms people bring to a MySQL/MariaDB service: the Go-style DSN of
 * go-sql-driver/mysql (ADR-010's `user:pass@tcp(host:port)/dbname?param=value`, also
 * `@unix(/path/to/socket)/db` and `@/db`) and URL DSNs (`mysql://user:pass@host:port/db`,
 * `mariadb://…`). Both split the credentials at the **last** `@`, so a password may contain `@`
 * and `:` unescaped.
 */

/** How TLS is asked for: verified (`required`), encrypted without verification, or off. */
export type TlsMode = 'required' | 'skip-verify' | 'disabled';

export interface ParsedDsn {
  readonly host?: string;
  readonly port?: number;
  readonly socketPath?: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly charset?: string;
  readonly tls?: TlsMode;
  readonly connectTimeoutMs?: number;
}

/** A DSN that cannot be read; the message says what is wrong and shows the expected form. */
export class DsnError extends Error {
  override readonly name = 'DsnError';
}

const GO_FORM = 'user:password@tcp(host:3306)/dbname';
const URL_FORM = 'mysql://user:password@host:3306/dbname';
export const DEFAULT_PORT = 3306;

/** Go driver parameters that change nothing here (this adapter always parses, binds and times out its own way). */
const IGNORED_GO_PARAMS = new Set([
  'parseTime',
  'loc',
  'allowNativePasswords',
  'allowCleartextPasswords',
  'allowOldPasswords',
  'allowAllFiles',
  'allowFallbackToPlaintext',
  'interpolateParams',
  'clientFoundRows',
  'columnsWithAlias',
  'checkConnLiveness',
  'maxAllowedPacket',
  'multiStatements',
  'readTimeout',
  'writeTimeout',
  'rejectReadOnly',
  'serverPubKey',
]);

/**
 * Parses a MySQL/MariaDB DSN in either form. Throws {@link DsnError} with a readable reason.
 *
 * @example parseMysqlDsn('user:pass@tcp(localhost:3306)/dbname')
 *   // { user: 'user', password: 'pass', host: 'localhost', port: 3306, database: 'dbname' }
 * @example parseMysqlDsn('mariadb://app:s3cr@t@db.internal/shop?ssl=true')
 *   // { user: 'app', password: 's3cr@t', host: 'db.internal', port: 3306, database: 'shop', tls: 'required' }
 */
export function parseMysqlDsn(dsn: string): ParsedDsn {
  const text = dsn.trim();
  if (text === '') throw new DsnError(`the DSN is empty — expected ${GO_FORM} or ${URL_FORM}`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== 'mysql' && name !== 'mariadb') {
      throw new DsnError(`the DSN scheme "${scheme[1]}://" is not a MySQL one — use mysql:// or mariadb:// (${URL_FORM}), or the Go form ${GO_FORM}`);
    }
    return parseUrlDsn(text.slice(scheme[0].length));
  }
  return parseGoDsn(text);
}

/** `[user[:password]@][net[(addr)]]/dbname[?param=value&…]`, read the way go-sql-driver/mysql reads it. */
function parseGoDsn(dsn: string): ParsedDsn {
  // The last '/' starts the database name: a password or a socket path may contain '/' too.
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) throw new DsnError(`a Go-style DSN needs "/" before the database name (even an empty one) — expected ${GO_FORM}`);
  const left = dsn.slice(0, slash);
  const at = left.lastIndexOf('@');
  const credentials = at >= 0 ? splitCredentials(left.slice(0, at), false) : {};
  const network = left.slice(at + 1);
  const match = /^([a-z0-9]*)(?:\((.*)\))?$/s.exec(network);
  if (!match) {
    const hint = /^[^()]+:\d+$/.test(network) ? ` — did you mean tcp(${network})?` : '';
    throw new DsnError(`cannot read the network part "${network}" of the DSN: expected tcp(host:port) or unix(/path/to/socket)${hint}`);
  }
  const [, net = '', address = ''] = match;
  const { database, query } = splitDatabase(dsn.slice(slash + 1));
  const params = readParams(query, 'go');
  if (net === 'unix') {
    if (address === '') throw new DsnError('unix() needs the socket path, e.g. user:password@unix(/run/mysqld/mysqld.sock)/dbname');
    return { ...credentials, socketPath: address, database, ...params };
  }
  if (net !== '' && net !== 'tcp' && net !== 'tcp4' && net !== 'tcp6') {
    throw new DsnError(`unknown network "${net}" in the DSN: use tcp(host:port) or unix(/path/to/socket)`);
  }
  // Go's default address: an empty `@/db` or `@tcp/db` means 127.0.0.1:3306.
  const endpoint = address === '' ? { host: '127.0.0.1', port: DEFAULT_PORT } : hostAndPort(address);
  return { ...credentials, ...endpoint, database, ...params };
}

/** `[user[:password]@]host[:port][/dbname][?param=value&…]` after the scheme. */
function parseUrlDsn(rest: string): ParsedDsn {
  // The last '@' ends the credentials, so a password may contain '@' unescaped.
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? splitCredentials(rest.slice(0, at), true) : {};
  const after = rest.slice(at + 1);
  const end = after.search(/[/?]/);
  const authority = end < 0 ? after : after.slice(0, end);
  const tail = end < 0 ? '' : after.slice(end);
  const path = tail.startsWith('/') ? tail.slice(1) : tail;
  const { database, query } = splitDatabase(path);
  if (database?.includes('/')) throw new DsnError(`the database name "${database}" in the DSN contains "/" — escape it as %2F`);
  const params = readParams(query, 'url');
  if (params.socketPath !== undefined) return { ...credentials, database, ...params };
  const endpoint = authority === '' ? { host: '127.0.0.1', port: DEFAULT_PORT } : hostAndPort(authority);
  return { ...credentials, ...endpoint, database, ...params };
}

/** Splits `user:password` at the first ':' (a password may hold more). URL DSNs percent-decode both parts. */
function splitCredentials(userinfo: string, decode: boolean): { user?: string; password?: string } {
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const password = colon < 0 ? undefined : userinfo.slice(colon + 1);
  const read = (value: string) => (decode ? percentDecode(value) : value);
  return { ...(user !== '' ? { user: read(user) } : {}), ...(password !== undefined ? { password: read(password) } : {}) };
}

function splitDatabase(rest: string): { database: string | undefined; query: string } {
  const question = rest.indexOf('?');
  const name = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? '' : rest.slice(question + 1);
  return { database: name === '' ? undefined : percentDecode(name), query };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`. */
function hostAndPort(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(address);
  const host = bracketed ? bracketed[1]! : address.includes(':') ? address.slice(0, address.lastIndexOf(':')) : address;
  const portText = bracketed ? bracketed[2] : address.includes(':') ? address.slice(address.lastIndexOf(':') + 1) : undefined;
  if (host === '') throw new DsnError(`the address "${address}" in the DSN has no host name`);
  if (portText === undefined || portText === '') return { host, port: DEFAULT_PORT };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) throw new DsnError(`the port "${portText}" in the DSN is not a port number (1–65535)`);
  return { host, port };
}

type DsnParams = Pick<ParsedDsn, 'charset' | 'tls' | 'connectTimeoutMs' | 'socketPath'>;

function readParams(query: string, form: 'go' | 'url'): DsnParams {
  const out: { -readonly [K in keyof DsnParams]: DsnParams[K] } = {};
  if (query === '') return out;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : percentDecode(pair.slice(eq + 1).replace(/\+/g, ' '));
    switch (key) {
      case 'charset':
        // Go accepts a fallback list (`utf8mb4,utf8`); the first is the one asked for.
        out.charset = value.split(',')[0]!.trim();
        break;
      case 'collation':
        out.charset = value;
        break;
      case 'tls':
      case 'ssl':
      case 'sslmode':
        out.tls = tlsMode(key, value);
        break;
      case 'timeout':
      case 'connectTimeout':
      case 'connect_timeout':
        out.connectTimeoutMs = timeoutMs(key, value);
        break;
      case 'socket':
      case 'socketPath':
        if (form === 'go') throw new DsnError('a Go-style DSN names its socket as unix(/path/to/socket), not with a socket= parameter');
        out.socketPath = value;
        break;
      default:
        if (form === 'go' && IGNORED_GO_PARAMS.has(key)) break;
        throw new DsnError(
          `the DSN parameter "${key}" is not supported — supported: charset, collation, tls, timeout${form === 'url' ? ', socket' : ''}` +
            (form === 'go' ? ' (Go driver options such as parseTime and loc are accepted and ignored)' : ''),
        );
    }
  }
  return out;
}

function tlsMode(key: string, value: string): TlsMode {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
    case 'required':
    case 'require':
    case 'verify-full':
    case 'verify_identity':
      return 'required';
    case 'skip-verify':
    case 'skip_verify':
      return 'skip-verify';
    case 'false':
    case '0':
    case 'disabled':
    case 'disable':
      return 'disabled';
    default:
      throw new DsnError(`${key}=${value} in the DSN is not supported — use true (verified TLS), skip-verify (encrypted, unverified) or false`);
  }
}

/** Milliseconds from `5000`, `5s`, `250ms`, `1m30s` (Go durations). */
function timeoutMs(key: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) {
    throw new DsnError(`${key}=${value} in the DSN is not a duration — write e.g. 5s, 250ms or 1m30s`);
  }
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return Math.round(parts.reduce((total, part) => total + Number(part[1]) * unit[part[2]!]!, 0));
}

/** Percent-decodes, leaving text that is not valid percent-encoding (a raw `%` in a password) as it is. */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
