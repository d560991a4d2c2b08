// A MariaDB server of the test's own — its own data directory, socket and free loopback port — that a
// test may kill and restart without touching the machine's service. Started with argv, never a shell.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);

/** Finds an executable on PATH or in the sbin folders, where Debian puts mariadbd. */
function executable(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return folders.map((folder) => join(folder, name)).find((path) => existsSync(path));
}

export const THROWAWAY_BINARIES = { install: executable('mariadb-install-db'), server: executable('mariadbd') };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ThrowawayMariadb {
  readonly port: number;
  /** Kills the server with SIGKILL — a crash, not a shutdown — and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory (crash recovery included) and waits until it answers. */
  start(): Promise<void>;
  /** Kills it if it runs and removes its data directory. */
  dispose(): Promise<void>;
}

/**
 * Creates a data directory with `mariadb-install-db` (root without a password) and starts `mariadbd`
 * on a free loopback port. About 3 s.
 */
export async function throwawayMariadb(): Promise<ThrowawayMariadb> {
  const { install, server } = THROWAWAY_BINARIES;
  if (!install || !server) throw new Error('mariadb-install-db / mariadbd are not installed (apt-get install mariadb-server)');
  const dir = mkdtempSync(join(tmpdir(), 'mcpeg-mariadb-'));
  const user = userInfo().username;
  const datadir = join(dir, 'data');
  await run(install, ['--no-defaults', `--datadir=${datadir}`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db'], {
    timeout: 60_000,
  });
  const port = await freePort();
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    `--user=${user}`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=16M',
  ];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(server, args, { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}; see ${join(dir, 'error.log')}`);
      try {
        const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
        await connection.end();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`mariadbd did not answer on port ${port} within 30 s: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  try {
    await start();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    kill,
    start,
    dispose: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
