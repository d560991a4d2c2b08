// The machine's MariaDB (BACKENDS.md: 127.0.0.1:3306, root, empty password) as the tests use it: a
// database of their own per file, accounts of their own, all dropped afterwards.
import { randomBytes } from 'node:crypto';
import mysql, { type Connection } from 'mysql2/promise';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' } as const;

/**
 * True when the machine's MariaDB answers. Under CI=true an unreachable server is a failure (CI runs
 * against it); elsewhere the caller skips, loudly.
 */
export async function mariadbAvailable(what: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ ...MARIADB, connectTimeout: 3000 });
    await connection.end();
    return true;
  } catch (error) {
    const reason = `MariaDB at ${MARIADB.host}:${MARIADB.port} is unreachable (${(error as Error).message || (error as { code?: string }).code})`;
    if (process.env.CI === 'true') throw new Error(`${reason}: CI runs ${what} against it — start it: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`);
    console.warn(`SKIPPING ${what}: ${reason}`);
    return false;
  }
}

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

export interface TestDatabase {
  readonly name: string;
  /** Root on the database, multiple statements allowed (for setup and checks only). */
  readonly admin: Connection;
  /** Creates an account for 127.0.0.1 with the given grants on this database; dropped with it. */
  createUser(prefix: string, grants: string): Promise<{ user: string; password: string }>;
  drop(): Promise<void>;
}

/** A database `mcpeg_test_<random>` of the caller's own, with an admin connection to it. */
export async function testDatabase(): Promise<TestDatabase> {
  const name = uniqueName('mcpeg_test');
  const admin = await mysql.createConnection({ ...MARIADB, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.query(`USE \`${name}\``);
  const users: string[] = [];
  return {
    name,
    admin,
    async createUser(prefix, grants) {
      const user = uniqueName(prefix);
      const password = randomBytes(9).toString('base64url');
      await admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT ${grants} ON \`${name}\`.* TO '${user}'@'127.0.0.1'`);
      users.push(user);
      return { user, password };
    },
    drop: async () => {
      for (const user of users) await admin.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}


/** Statements of the process list that contain `marker`, other than the process-list query itself. */
export async function runningStatements(admin: Connection, marker: string): Promise<string[]> {
  const [rows] = await admin.query('SELECT ID AS id, INFO AS info FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()', [`%${marker}%`]);
  return (rows as { info: string }[]).map((row) => row.info);
}
