// The postgres config as a user writes it: DSN forms and discrete keys, what wins, the address shown in messages
// (never the password), TLS modes, the statement-timeout spellings, and the mistakes validation catches.
import { describe, expect, it } from 'vitest';
import postgres from '../../../src/adapters/postgres/index.js';
import { postgresConfigSchema } from '../../../src/adapters/postgres/config.js';
import { defaultStatementTimeout } from '../../../src/adapters/sql/config.js';
import { connectionSettings } from '../../../src/adapters/postgres/connection-settings.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { loadInvalid, loadValid } from '../../config/load.js';

const settings = (config: Record<string, unknown>, service = 'orders_db') => connectionSettings(postgresConfigSchema.parse(config), service);
const types = [postgres as ServiceType<unknown>];

describe('postgres connection settings', () => {
  it('reads a postgres:// DSN, percent-decoding its parts; the address leaves out user and password', () => {
    const resolved = settings({ dsn: 'postgres://app%40corp:p%40ss%2Fw0rd@db.internal:6543/orders%20db' });
    expect(resolved).toMatchObject({ host: 'db.internal', port: 6543, user: 'app@corp', password: 'p@ss/w0rd', database: 'orders db', tls: false });
    expect(resolved.address).toBe('postgres://db.internal:6543/orders db');
    expect(resolved.endpoint).toBe('db.internal:6543');
    expect(resolved.address).not.toContain('p@ss');
  });

  it('accepts postgresql://, defaults host and port, and names IPv6 and Unix-socket endpoints', () => {
    expect(settings({ dsn: 'postgresql:///orders' })).toMatchObject({ host: 'localhost', port: 5432, database: 'orders', address: 'postgres://localhost:5432/orders' });
    expect(settings({ dsn: 'postgres://[::1]:5433/x' })).toMatchObject({ host: '::1', endpoint: '[::1]:5433', address: 'postgres://[::1]:5433/x' });
    expect(settings({ dsn: 'postgres:///orders?host=/var/run/postgresql' })).toMatchObject({
      host: '/var/run/postgresql',
      endpoint: '/var/run/postgresql/.s.PGSQL.5432',
      address: 'postgres:///orders?host=/var/run/postgresql&port=5432',
    });
  });

  it('discrete keys override the DSN key by key (a password from a secret beside a DSN without one)', () => {
    const resolved = settings({ dsn: 'postgres://app@db:5432/orders', password: 'from-a-secret', port: 6000 });
    expect(resolved).toMatchObject({ user: 'app', password: 'from-a-secret', host: 'db', port: 6000, database: 'orders' });
    expect(settings({ host: '10.0.0.5', user: 'reader', database: 'shop' })).toMatchObject({ address: 'postgres://10.0.0.5:5432/shop', user: 'reader' });
  });

  it('names its sessions mcpeg/<service> unless told otherwise', () => {
    expect(settings({}).applicationName).toBe('mcpeg/orders_db');
    expect(settings({ dsn: 'postgres://db/x?application_name=reports' }).applicationName).toBe('reports');
    expect(settings({ application_name: 'mine' }).applicationName).toBe('mine');
  });

  it('maps sslmode as libpq does, and ssl: in config wins', () => {
    expect(settings({ dsn: 'postgres://db/x?sslmode=disable' }).tls).toBe(false);
    expect(settings({ dsn: 'postgres://db/x?sslmode=require' }).tls).toMatchObject({ rejectUnauthorized: false, verifyHostname: false });
    expect(settings({ dsn: 'postgres://db/x?sslmode=verify-ca&sslrootcert=/etc/ca.pem' }).tls).toMatchObject({ rejectUnauthorized: true, verifyHostname: false, ca: '/etc/ca.pem' });
    expect(settings({ dsn: 'postgres://db/x?sslmode=verify-full' }).tls).toMatchObject({ rejectUnauthorized: true, verifyHostname: true });
    expect(settings({ dsn: 'postgres://db/x?sslmode=require', ssl: false }).tls).toBe(false);
    expect(settings({ ssl: true }).tls).toEqual({ rejectUnauthorized: true, verifyHostname: true });
    expect(settings({ ssl: { reject_unauthorized: false } }).tls).toMatchObject({ rejectUnauthorized: false });
  });

  it('the statement timeout is config.timeout or statement_timeout (unset: derived from the call timeout); connect_timeout from the DSN is seconds', () => {
    expect(postgresConfigSchema.parse({}).timeout).toBeUndefined();
    expect([30_000, 5000, 100].map(defaultStatementTimeout)).toEqual([28_000, 4500, 90]);
    expect(postgresConfigSchema.parse({ timeout: '5s' }).timeout).toBe(5000);
    expect(postgresConfigSchema.parse({ statement_timeout: '15s' }).timeout).toBe(15_000);
    expect(settings({ dsn: 'postgres://db/x?connect_timeout=3' }).connectTimeoutMs).toBe(3000);
    expect(settings({ connect_timeout: '2s' }).connectTimeoutMs).toBe(2000);
  });
});

describe('postgres config validation', () => {
  it('accepts the seed forms: the key names the type, or driver: with config:', async () => {
    const config = await loadValid(
      `services:
  postgres:
    dsn: postgres://app@db.internal:5432/orders
  reports:
    type: database
    driver: postgres
    pool: { max_connections: 10, idle_connections: 2 }
    circuit_breaker: { threshold: 5, timeout: 60s }
    config:
      dsn: postgres://app@db.internal:5432/reports
      timeout: 30s`,
      { types },
    );
    expect(config.services.map((service) => service.type)).toEqual(['postgres', 'postgres']);
    expect(config.services[1]!.config).toMatchObject({ timeout: 30_000, pool: { max_connections: 10, idle_connections: 2 } });
  });

  it('rejects a DSN of another database, an unknown DSN parameter, a bad sslmode and both timeouts, without echoing the DSN', async () => {
    const issues = await loadInvalid(
      `services:
  a: { driver: postgres, dsn: "mysql://root:hunter22@db/x" }
  b: { driver: postgres, dsn: "postgres://db/x?sslmod=require" }
  c: { driver: postgres, dsn: "postgres://db/x?sslmode=always" }
  d: { driver: postgres, statement_timeout: 5s, config: { timeout: 10s } }
  e: { driver: postgres, dsn: "not a url" }
  f: { driver: postgres, ssl: { reject_unauthorised: false } }`,
      { types },
    );
    const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue.message]));
    expect(byPath['services.a.dsn']).toBe('must start with postgres:// or postgresql:// (it starts with mysql://)');
    expect(byPath['services.b.dsn']).toContain('has an unknown parameter "sslmod" (known: sslmode,');
    expect(byPath['services.c.dsn']).toContain('has sslmode=always; use one of disable, allow, prefer, require, verify-ca, verify-full');
    expect(byPath['services.d.statement_timeout']).toBe('timeout and statement_timeout are the same setting: keep one');
    expect(byPath['services.e.dsn']).toContain('is not a URL');
    expect(byPath['services.f.ssl.reject_unauthorised']).toBe('unknown key "reject_unauthorised"');
    expect(JSON.stringify(issues)).not.toContain('hunter22');
  });
});
