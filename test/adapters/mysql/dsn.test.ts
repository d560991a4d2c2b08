import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/bootstrap.js';
import mysqlType from '../../../src/adapters/mysql/index.js';
import { mysqlConfigSchema } from '../../../src/adapters/mysql/config.js';
import { describeAddress, driverOptions, resolveTarget } from '../../../src/adapters/mysql/connection-target.js';
import { DsnError, type ParsedDsn, parseMysqlDsn } from '../../../src/adapters/mysql/dsn.js';
import type { ServiceType } from '../../../src/sdk/index.js';
import { quietLogger } from '../../helpers/gateway.js';

const types = [mysqlType as ServiceType<unknown>];

describe('parseMysqlDsn: the Go-style DSN of go-sql-driver/mysql (ADR-010)', () => {
  const cases: [string, ParsedDsn][] = [
    // The exact DSN of the seed.
    ['user:pass@tcp(localhost:3306)/dbname', { user: 'user', password: 'pass', host: 'localhost', port: 3306, database: 'dbname' }],
    ['app:secret@tcp(10.0.0.5:3307)/shop?charset=utf8mb4&parseTime=true&loc=Local', { user: 'app', password: 'secret', host: '10.0.0.5', port: 3307, database: 'shop', charset: 'utf8mb4' }],
    ['app:secret@tcp(db.internal)/shop', { user: 'app', password: 'secret', host: 'db.internal', port: 3306, database: 'shop' }],
    ['app:secret@tcp([::1]:3306)/shop', { user: 'app', password: 'secret', host: '::1', port: 3306, database: 'shop' }],
    ['app@unix(/run/mysqld/mysqld.sock)/shop', { user: 'app', socketPath: '/run/mysqld/mysqld.sock', database: 'shop' }],
    ['app:pw@unix(/var/run/my sql/s.sock)/', { user: 'app', password: 'pw', socketPath: '/var/run/my sql/s.sock' }],
    // `@/db`: Go's default address.
    ['root@/test', { user: 'root', host: '127.0.0.1', port: 3306, database: 'test' }],
    ['/test', { host: '127.0.0.1', port: 3306, database: 'test' }],
    ['root@tcp/test', { user: 'root', host: '127.0.0.1', port: 3306, database: 'test' }],
    // No password; an empty password.
    ['reader@tcp(h:1)/d', { user: 'reader', host: 'h', port: 1, database: 'd' }],
    ['reader:@tcp(h:1)/d', { user: 'reader', password: '', host: 'h', port: 1, database: 'd' }],
    // Passwords with '@', ':' and '/' — split at the last '@' before the last '/'.
    ['app:p@ss:w/rd@tcp(h:3306)/d', { user: 'app', password: 'p@ss:w/rd', host: 'h', port: 3306, database: 'd' }],
    ['app:@@@tcp(h:3306)/d', { user: 'app', password: '@@', host: 'h', port: 3306, database: 'd' }],
    // Parameters.
    ['u:p@tcp(h:3306)/d?tls=true&timeout=5s', { user: 'u', password: 'p', host: 'h', port: 3306, database: 'd', tls: 'required', connectTimeoutMs: 5000 }],
    ['u:p@tcp(h:3306)/d?tls=skip-verify&timeout=1m30s', { user: 'u', password: 'p', host: 'h', port: 3306, database: 'd', tls: 'skip-verify', connectTimeoutMs: 90_000 }],
    ['u:p@tcp(h:3306)/d?charset=utf8mb4,utf8&collation=utf8mb4_unicode_ci', { user: 'u', password: 'p', host: 'h', port: 3306, database: 'd', charset: 'utf8mb4_unicode_ci' }],
    ['u:p@tcp(h:3306)/d?multiStatements=true', { user: 'u', password: 'p', host: 'h', port: 3306, database: 'd' }],
    ['u:p@tcp(h:3306)/my%2Fdb', { user: 'u', password: 'p', host: 'h', port: 3306, database: 'my/db' }],
  ];
  it.each(cases)('%s', (dsn, expected) => {
    expect(parseMysqlDsn(dsn)).toEqual(expected);
  });
});

describe('parseMysqlDsn: URL DSNs', () => {
  const cases: [string, ParsedDsn][] = [
    ['mysql://user:pass@localhost:3306/dbname', { user: 'user', password: 'pass', host: 'localhost', port: 3306, database: 'dbname' }],
    ['mariadb://app:secret@db.internal/shop', { user: 'app', password: 'secret', host: 'db.internal', port: 3306, database: 'shop' }],
    ['MySQL://app@db:3307', { user: 'app', host: 'db', port: 3307 }],
    ['mysql://app:p%40ss%2Fw@db/shop', { user: 'app', password: 'p@ss/w', host: 'db', port: 3306, database: 'shop' }],
    // Unescaped '@' and ':' in the password: the last '@' ends the credentials.
    ['mysql://app:p@ss:w@db:3306/shop', { user: 'app', password: 'p@ss:w', host: 'db', port: 3306, database: 'shop' }],
    ['mysql://app:100%@db/shop', { user: 'app', password: '100%', host: 'db', port: 3306, database: 'shop' }],
    ['mysql://app:pw@[::1]:3306/shop', { user: 'app', password: 'pw', host: '::1', port: 3306, database: 'shop' }],
    ['mysql://app@localhost/shop?socket=/run/mysqld/mysqld.sock', { user: 'app', socketPath: '/run/mysqld/mysqld.sock', database: 'shop' }],
    ['mysql://app@/shop?socket=/run/mysqld/mysqld.sock', { user: 'app', socketPath: '/run/mysqld/mysqld.sock', database: 'shop' }],
    ['mysql://app@db/shop?ssl=true&connectTimeout=2500', { user: 'app', host: 'db', port: 3306, database: 'shop', tls: 'required', connectTimeoutMs: 2500 }],
    ['mysql:///shop', { host: '127.0.0.1', port: 3306, database: 'shop' }],
  ];
  it.each(cases)('%s', (dsn, expected) => {
    expect(parseMysqlDsn(dsn)).toEqual(expected);
  });
});

describe('parseMysqlDsn: mistakes are explained', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['user:pass@localhost:3306', /needs "\/" before the database name/],
    ['user:pass@localhost:3306/db', /did you mean tcp\(localhost:3306\)\?/],
    ['user:pass@udp(h:1)/db', /unknown network "udp"/],
    ['user:pass@unix()/db', /unix\(\) needs the socket path/],
    ['user:pass@tcp(h:99999)/db', /port "99999"/],
    ['user:pass@tcp(h:3306)/db?sql_mode=ANSI', /parameter "sql_mode" is not supported/],
    ['user:pass@tcp(h:3306)/db?tls=preferred', /tls=preferred .* not supported/],
    ['user:pass@tcp(h:3306)/db?timeout=soon', /not a duration/],
    ['postgres://u:p@h/db', /not a MySQL one/],
    ['mysql://u:p@h/db?foo=1', /parameter "foo" is not supported/],
    ['mysql://u:p@h/a/b', /contains "\/"/],
  ];
  it.each(cases)('%j', (dsn, message) => {
    expect(() => parseMysqlDsn(dsn)).toThrow(DsnError);
    expect(() => parseMysqlDsn(dsn)).toThrow(message);
  });

  it('never repeats the password in an error', () => {
    for (const dsn of ['app:Sup3rS3cret@tcp(h:99999)/db', 'app:Sup3rS3cret@h:3306/db', 'mysql://app:Sup3rS3cret@h:x/db', 'app:Sup3rS3cret@tcp(h)/db?bad=1']) {
      expect(() => parseMysqlDsn(dsn)).toThrow(DsnError);
      try {
        parseMysqlDsn(dsn);
      } catch (error) {
        expect((error as Error).message).not.toContain('Sup3rS3cret');
      }
    }
  });
});

describe('resolveTarget and the address in messages', () => {
  const config = (input: Record<string, unknown>) => mysqlConfigSchema.parse(input);

  it('explicit keys override the parts of the DSN; defaults fill the rest', () => {
    const target = resolveTarget(config({ dsn: 'app:from-dsn@tcp(db:3307)/shop', password: 'from-secret', database: 'other' }));
    expect(target).toMatchObject({ host: 'db', port: 3307, user: 'app', password: 'from-secret', database: 'other', charset: 'utf8mb4', tls: 'disabled', connectTimeoutMs: 10_000 });
    expect(resolveTarget(config({})).host).toBe('127.0.0.1');
    expect(resolveTarget(config({ dsn: 'a@tcp(h)/d?timeout=3s&charset=latin1' }))).toMatchObject({ connectTimeoutMs: 3000, charset: 'latin1' });
    expect(resolveTarget(config({ dsn: 'a@tcp(h)/d?timeout=3s&charset=latin1', connect_timeout: '1s', charset: 'utf8' }))).toMatchObject({ connectTimeoutMs: 1000, charset: 'utf8' });
  });

  it('a socket: socket_path wins; an explicit host means TCP even when the DSN named a socket', () => {
    expect(resolveTarget(config({ dsn: 'a@unix(/s.sock)/d' })).socketPath).toBe('/s.sock');
    expect(resolveTarget(config({ dsn: 'a@unix(/s.sock)/d', host: 'db' })).socketPath).toBeUndefined();
    expect(resolveTarget(config({ host: 'db', socket_path: '/t.sock' })).socketPath).toBe('/t.sock');
  });

  it('the address names host, port, user and database — never the password', () => {
    expect(describeAddress(resolveTarget(config({ dsn: 'user:pass@tcp(localhost:3306)/dbname' })))).toBe('mysql://user@localhost:3306/dbname');
    expect(describeAddress(resolveTarget(config({ dsn: 'mysql://app:p@ss@[::1]:3307/shop' })))).toBe('mysql://app@[::1]:3307/shop');
    expect(describeAddress(resolveTarget(config({ dsn: 'app:pw@unix(/run/mysqld/mysqld.sock)/shop' })))).toBe(
      'mysql://app@localhost/shop?socket=/run/mysqld/mysqld.sock',
    );
    expect(describeAddress(resolveTarget(config({ host: 'db', password: 'x' })))).toBe('mysql://db:3306');
  });

  it('driver options: one statement per call, no LOCAL INFILE, exact numbers, dates as written, TLS as asked', async () => {
    const options = await driverOptions(resolveTarget(config({ dsn: 'u:p@tcp(h:1)/d?tls=skip-verify' })), { user: 'u', password: 'p' });
    expect(options).toMatchObject({
      host: 'h',
      port: 1,
      multipleStatements: false,
      flags: ['-LOCAL_FILES'],
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      ssl: { rejectUnauthorized: false },
    });
    const verified = await driverOptions(resolveTarget(config({ host: 'h', ssl: true })), { user: 'u', password: undefined });
    expect(verified.ssl).toEqual({ rejectUnauthorized: true });
    await expect(driverOptions(resolveTarget(config({ host: 'h', ssl: { ca: '/nonexistent/ca.pem' } })), { user: 'u', password: undefined })).rejects.toThrow(
      'cannot read ssl.ca file /nonexistent/ca.pem',
    );
  });
});

describe('the seed forms load unchanged', () => {
  const load = (text: string) => loadConfig({ text, origin: '/tmp/mcpeg-mysql-test.yaml', env: { MYSQL_DSN: 'user:pass@tcp(localhost:3306)/dbname' }, logger: quietLogger(), types });

  it('the simple form: dsn at the service level', async () => {
    const loaded = await load('services:\n  mysql:\n    enabled: true\n    dsn: "user:pass@tcp(localhost:3306)/dbname"\n');
    expect(loaded.ok ? loaded.config.services[0]?.config : loaded.issues).toMatchObject({ dsn: 'user:pass@tcp(localhost:3306)/dbname', read_only: true });
  });

  it('the advanced form: type, driver, pool, circuit_breaker, config.dsn and config.timeout', async () => {
    const loaded = await load(`services:
  mysql:
    enabled: true
    type: database
    driver: mysql
    pool:
      max_connections: 10
      idle_connections: 2
    circuit_breaker:
      threshold: 5
      timeout: 60s
    config:
      dsn: \${MYSQL_DSN}
      timeout: 30s
`);
    expect(loaded.ok ? loaded.config.services[0]?.config : loaded.issues).toMatchObject({
      dsn: 'user:pass@tcp(localhost:3306)/dbname',
      timeout: 30_000,
      pool: { max_connections: 10, idle_connections: 2 },
    });
  });

  it('the host/port form of the multi-service seed', async () => {
    const loaded = await load('services:\n  mysql:\n    enabled: true\n    timeout: 60s\n    config:\n      host: localhost\n      port: 3306\n');
    expect(loaded.ok ? loaded.config.services[0]?.config : loaded.issues).toMatchObject({ host: 'localhost', port: 3306 });
  });

  it('a DSN that cannot be read is a config error at its path, with the reason', async () => {
    const loaded = await load('services:\n  orders:\n    driver: mysql\n    config:\n      dsn: "user:pass@localhost:3306/db"\n');
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(loaded.issues).toContainEqual(expect.objectContaining({ path: 'services.orders.config.dsn', message: expect.stringContaining('did you mean tcp(localhost:3306)?') }));
    }
  });
});
