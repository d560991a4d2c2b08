// The machine's PostgreSQL (127.0.0.1:5432, trust auth; see shared/docs/BACKENDS.md) as the tests use it: each
// test file creates a database of its own with a random name (and, when asked, a login role owning it), and
// drops both afterwards. Nothing depends on data another test left.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

const onCi = () => !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * Whether the machine's PostgreSQL answers. Under CI an unreachable server fails the file (a skipped
 * database test must never pass there); elsewhere the tests skip with a loud reason.
 */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ ...SERVER, database: 'postgres', connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const reason = `PostgreSQL at ${SERVER.host}:${SERVER.port} is unreachable (${(error as Error).message})`;
    if (onCi()) throw new Error(`${reason}: CI runs the database tests against it — start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start`);
    console.warn(`\n*** SKIPPING the postgres adapter tests: ${reason}. They fail under CI=true. ***\n`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestDatabase {
  readonly name: string;
  /** The owner role's login (when one was asked for), else the superuser's. */
  readonly user: string;
  /** DSN of the database as `user`, without a password (trust auth). */
  readonly dsn: string;
  /** DSN as the superuser. */
  readonly superDsn: string;
  /** A superuser connection to the database, for setup and for checking what happened. */
  readonly admin: pg.Client;
  /** Runs SQL as the owner role (SET ROLE), so what it creates belongs to the role. */
  asOwner(sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** Creates `mcpeg_test_<label>_<random>`, optionally owned by a fresh login role `mcpeg_owner_<random>`. */
export async function createTestDatabase(label: string, options: { ownerRole?: boolean } = {}): Promise<TestDatabase> {
  const suffix = randomBytes(5).toString('hex');
  const name = `mcpeg_test_${label}_${suffix}`;
  const role = options.ownerRole ? `mcpeg_owner_${suffix}` : undefined;
  await maintenance(async (client) => {
    if (role) await client.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await client.query(`CREATE DATABASE ${name}${role ? ` OWNER ${role}` : ''}`);
  });
  const superDsn = `postgres://${SERVER.user}@${SERVER.host}:${SERVER.port}/${name}`;
  const admin = new pg.Client({ connectionString: superDsn, application_name: 'mcpeg-test-admin' });
  admin.on('error', () => {});
  await admin.connect();
  const user = role ?? SERVER.user;
  return {
    name,
    user,
    dsn: `postgres://${user}@${SERVER.host}:${SERVER.port}/${name}`,
    superDsn,
    admin,
    async asOwner(sql) {
      await admin.query(role ? `SET ROLE ${role}` : 'SELECT 1');
      try {
        await admin.query(sql);
      } finally {
        await admin.query('RESET ROLE');
      }
    },
    async drop() {
      await admin.end().catch(() => {});
      await maintenance(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        if (role) await client.query(`DROP ROLE IF EXISTS ${role}`);
      });
    },
  };
}

async function maintenance(run: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ ...SERVER, database: 'postgres' });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/** Backends of a service (by its application_name) in a database, with what they are doing. */
export async function backendsOf(admin: pg.Client, service: string): Promise<{ pid: number; state: string; query: string }[]> {
  const result = await admin.query(
    `SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 ORDER BY pid`,
    [`mcpeg/${service}`],
  );
  return result.rows;
}
