// Real git repositories in temp dirs, a `git daemon` on loopback, and gateways serving the git plugin,
// for the git plugin's tests. `cleanup()` stops every gateway and daemon and removes every folder.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import gitType from '../../../src/plugins/git/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import type { RequestScope } from '../../../src/core/gateway.js';

const dirs: string[] = [];
const gateways: Gateway[] = [];
const daemons: ChildProcess[] = [];

/** A fresh temp folder (real path), removed by cleanup(). */
export function tempDir(prefix = 'mcpeg-git-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(dir);
  return dir;
}

/** Stops every gateway and daemon, removes every folder this test file made. */
export async function cleanup(): Promise<void> {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.shutdown(2000)));
  for (const daemon of daemons.splice(0)) killGroup(daemon);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The environment the tests run git with directly: no user or system config, a fixed identity. */
const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.test',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.test',
  LC_ALL: 'C',
};

/** Runs git directly (not through the gateway), to set up or inspect a repository. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes a file (creating folders) under `dir`. */
export function write(dir: string, path: string, content: string): string {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A repository at `dir` on branch main with one commit per entry of `commits` (each a map of files). */
export function makeRepo(dir: string, commits: readonly Record<string, string>[] = [{ 'README.md': '# demo\n' }]): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  commits.forEach((files, index) => {
    for (const [path, content] of Object.entries(files)) write(dir, path, content);
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '-m', `commit ${index + 1}`);
  });
  return dir;
}

/** A bare repository under `base` holding `commits` commits on main, for a daemon to serve. */
export function makeBareRemote(base: string, name: string, commits = 3): string {
  const work = makeRepo(join(tempDir(), 'seed'), Array.from({ length: commits }, (_, index) => ({ [`file${index}.txt`]: `content ${index}\n` })));
  const bare = join(base, name);
  git(base, 'clone', '--quiet', '--bare', work, bare);
  return bare;
}

/** A free loopback TCP port (bound on port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `git daemon` on loopback serving every repository under `base` (push allowed); resolves once it accepts connections. */
export async function gitDaemon(base: string): Promise<{ url: string; port: number }> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const daemon = spawn(
      'git',
      ['daemon', '--reuseaddr', `--base-path=${base}`, '--export-all', '--enable=receive-pack', '--listen=127.0.0.1', `--port=${port}`, base],
      // Its own process group: `git daemon` runs git-daemon as a child, which must die with it.
      { env: GIT_ENV, stdio: 'ignore', detached: true },
    );
    daemons.push(daemon);
    let exited = false;
    daemon.once('exit', () => (exited = true));
    for (let wait = 0; wait < 300 && !exited; wait++) {
      if (await accepts(port)) return { url: `git://127.0.0.1:${port}`, port };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    killGroup(daemon); // another process took the port between the probe and the bind: try another
  }
  throw new Error('git daemon did not start on a free loopback port');
}

function killGroup(child: ChildProcess) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A started gateway serving the git plugin (and any extra types) from YAML. */
export async function gateway(yaml: string, extra: readonly ServiceType<unknown>[] = []): Promise<Gateway> {
  const started = await gatewayFrom(yaml, [gitType as ServiceType<unknown>, ...extra]);
  gateways.push(started);
  return started;
}

/** A gateway with one git service `git` on `workspace`, with extra config lines (YAML, indented by 6). */
export function gitGateway(workspace: string, extra = ''): Promise<Gateway> {
  return gateway(`plugins:
  git:
    config:
      workspace_dir: ${JSON.stringify(workspace)}
      author_name: Test Bot
      author_email: bot@example.test
${extra}`);
}

export interface Called {
  readonly isError: boolean;
  readonly text: string;
  readonly code: string | undefined;
  readonly structured: Record<string, any> | undefined;
}

/** Calls a tool through the gateway's dispatcher (validation, pipeline, error boundary). */
export async function call(gw: Gateway, tool: string, args: Record<string, unknown>, overrides: Partial<RequestScope> = {}): Promise<Called> {
  const result = (await gw.dispatcher.callTool(tool, args, scope(overrides))) as Record<string, any>;
  return {
    isError: result.isError === true,
    text: text(result),
    code: result._meta?.['dev.mcpeg/error']?.code,
    structured: result.structuredContent,
  };
}

/** Like call, but fails the test unless the call succeeded. */
export async function ok(gw: Gateway, tool: string, args: Record<string, unknown>, overrides: Partial<RequestScope> = {}): Promise<Called> {
  const result = await call(gw, tool, args, overrides);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  return result;
}

export { existsSync };
