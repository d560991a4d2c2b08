// A PostgreSQL instance of the test's own, to stop and start at will (never the machine's service): initdb into a
// temp dir, pg_ctl on a free loopback port. The binaries refuse to run as root, so they run as the `postgres` OS
// user (runuser), in a temp dir it owns. Everything is argv — no shell.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export interface ThrowawayPostgres {
  readonly port: number;
  /** With `tls: true`: the self-signed certificate the server presents (for 127.0.0.1), to trust as a CA. */
  readonly certificate: string | undefined;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly dsn: string;
  start(): Promise<void>;
  /** `fast` ends sessions and shuts down cleanly (a restart); `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops it if running and removes its directory. */
  destroy(): Promise<void>;
}

/** Why a throwaway instance cannot be made here, or undefined when it can. */
export function throwawayUnavailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) return `${BIN}/initdb is not installed`;
  if (userInfo().uid !== 0) return 'the tests must run as root to start PostgreSQL as the postgres user (runuser)';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Creates and starts a throwaway instance (about a second); with `tls`, it also accepts TLS with a self-signed certificate. */
export async function startThrowawayPostgres(config: { tls?: boolean } = {}): Promise<ThrowawayPostgres> {
  const dir = await mkdtemp('/tmp/mcpeg-pg-');
  const { uid, gid } = await postgresUser();
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (binary: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(BIN, binary), ...args], { timeout: 60_000 });
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  let options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=30`;
  const certificate = config.tls ? join(dir, 'server.crt') : undefined;
  if (certificate) {
    const key = join(dir, 'server.key');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', certificate]);
    await Promise.all([chown(key, uid, gid), chown(certificate, uid, gid), chmod(key, 0o600)]);
    options += ` -c ssl=on -c ssl_cert_file=${certificate} -c ssl_key_file=${key}`;
  }
  let running = false;
  const instance: ThrowawayPostgres = {
    port,
    certificate,
    dsn: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await instance.stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await instance.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return instance;
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
