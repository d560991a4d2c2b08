// clone, fetch, pull and push against a real `git daemon` on loopback (git://), with progress reports,
// through the gateway's call path — and once through a real MCP client over HTTP.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { call, cleanup, freePort, git, gitDaemon, gitGateway, makeBareRemote, ok, tempDir, write } from './git-fixture.js';

describe('git plugin: remotes over git:// (git daemon on loopback)', () => {
  let gw: Gateway;
  let workspace: string;
  let remotes: string;
  let daemon: { url: string; port: number };

  beforeAll(async () => {
    workspace = tempDir();
    remotes = tempDir();
    makeBareRemote(remotes, 'project.git', 5);
    daemon = await gitDaemon(remotes);
    gw = await gitGateway(workspace, '      allow_protocols: [git]\n      clone_depth: 2\n');
  });
  afterAll(cleanup);

  it('clones with clone_depth as the default depth, reporting progress that only grows', async () => {
    const progress: { value: number; message: string | undefined }[] = [];
    const cloned = await ok(
      gw,
      'git__clone',
      { url: `${daemon.url}/project.git`, repo: 'shallow' },
      { progress: async (value, _total, message) => void progress.push({ value, message }) },
    );
    expect(cloned.structured).toMatchObject({ repo: 'shallow', depth: 2, commit: { subject: 'commit 5' } });
    expect(git(join(workspace, 'shallow'), 'rev-list', '--count', 'HEAD')).toBe('2\n');
    expect(progress.length).toBeGreaterThan(1);
    const values = progress.map((entry) => entry.value);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
    expect(values.at(-1)).toBe(100);
    expect(progress.some((entry) => /Receiving objects/.test(entry.message ?? ''))).toBe(true);
  });

  it('clones the whole history with depth: 0, naming the folder after the URL', async () => {
    const cloned = await ok(gw, 'git__clone', { url: `${daemon.url}/project.git`, depth: 0 });
    expect(cloned.structured!.repo).toBe('project');
    expect(git(join(workspace, 'project'), 'rev-list', '--count', 'HEAD')).toBe('5\n');
    const again = await call(gw, 'git__clone', { url: `${daemon.url}/project.git`, depth: 0 });
    expect(again.code).toBe('INVALID_ARGUMENTS');
    expect(again.text).toContain('already exists');
  });

  it('push a new branch and commits, fetch and pull them into another clone', async () => {
    await ok(gw, 'git__clone', { url: `${daemon.url}/project.git`, repo: 'second', depth: 0 });
    const first = join(workspace, 'project');
    write(first, 'pushed.txt', 'from the gateway\n');
    await ok(gw, 'git__add', { repo: 'project', paths: ['pushed.txt'] });
    await ok(gw, 'git__commit', { repo: 'project', message: 'pushed through mcpeg' });
    const progress: number[] = [];
    const pushed = await ok(gw, 'git__push', { repo: 'project' }, { progress: async (value) => void progress.push(value) });
    expect(pushed.structured).toMatchObject({ remote: 'origin', branch: 'main' });
    expect(git(remotes, '--git-dir=project.git', 'log', '-1', '--format=%s', 'main')).toBe('pushed through mcpeg\n');

    await ok(gw, 'git__create_branch', { repo: 'project', name: 'feature', switch: true });
    const branchPush = await ok(gw, 'git__push', { repo: 'project', set_upstream: true });
    expect(branchPush.structured!.summary).toContain('new branch');
    expect(git(first, 'rev-parse', '--abbrev-ref', 'feature@{upstream}')).toBe('origin/feature\n');

    const fetched = await ok(gw, 'git__fetch', { repo: 'second' });
    expect(fetched.text).toContain('origin/feature');
    const branches = await ok(gw, 'git__branches', { repo: 'second' });
    expect(branches.structured!.branches.map((branch: { name: string }) => branch.name)).toContain('origin/feature');
    const status = await ok(gw, 'git__status', { repo: 'second' });
    expect(status.structured!.branch).toMatchObject({ head: 'main', upstream: 'origin/main', ahead: 0, behind: 1 });

    const pulled = await ok(gw, 'git__pull', { repo: 'second' });
    expect(pulled.structured).toMatchObject({ upToDate: false, commit: { subject: 'pushed through mcpeg' } });
    const again = await ok(gw, 'git__pull', { repo: 'second' });
    expect(again.structured!.upToDate).toBe(true);
  });

  it('a rejected (non-fast-forward) push is a clear error; pull with conflicts lists them', async () => {
    // "second" and "project" both change a.txt: project pushes first.
    write(join(workspace, 'project'), 'file0.txt', 'project side\n');
    await ok(gw, 'git__switch_branch', { repo: 'project', branch: 'main' });
    write(join(workspace, 'project'), 'file0.txt', 'project side\n');
    await ok(gw, 'git__commit', { repo: 'project', message: 'project edit', all: true });
    await ok(gw, 'git__push', { repo: 'project' });
    write(join(workspace, 'second'), 'file0.txt', 'second side\n');
    await ok(gw, 'git__commit', { repo: 'second', message: 'second edit', all: true });
    const rejected = await call(gw, 'git__push', { repo: 'second' });
    expect(rejected).toMatchObject({ isError: true, code: 'INVALID_ARGUMENTS' });
    expect(rejected.text).toMatch(/rejected|fetch first/);
    const pulled = await call(gw, 'git__pull', { repo: 'second' });
    expect(pulled.isError).toBe(true);
    expect(pulled.structured).toEqual({ merged: false, conflicts: ['file0.txt'] });
    await ok(gw, 'git__merge', { repo: 'second', abort: true });
    const forced = await call(gw, 'git__push', { repo: 'second', force: true });
    expect(forced.code).toBe('INVALID_ARGUMENTS'); // not in the schema: allow_force_push is off
  });

  it('fetches from a URL directly, and refuses transports the service does not allow', async () => {
    const byUrl = await ok(gw, 'git__fetch', { repo: 'second', remote: `${daemon.url}/project.git`, branch: 'feature' });
    expect(byUrl.structured!.remote).toBe(`${daemon.url}/project.git`);
    const strict = await gitGateway(workspace); // git:// not in allow_protocols
    const refused = await call(strict, 'git__clone', { url: `${daemon.url}/project.git`, repo: 'never' });
    expect(refused.code).toBe('INVALID_ARGUMENTS');
    expect(refused.text).toContain('uses the git transport, which this service does not allow; add git to allow_protocols');
    const viaRemote = await call(strict, 'git__fetch', { repo: 'project' });
    expect(viaRemote.text).toContain('remote "origin" of "project"');
  });

  it('an unreachable remote is BACKEND_UNREACHABLE naming the service and the remote', async () => {
    const port = await freePort();
    const result = await call(gw, 'git__clone', { url: `git://127.0.0.1:${port}/nothing.git`, repo: 'unreachable' });
    expect(result).toMatchObject({ isError: true, code: 'BACKEND_UNREACHABLE' });
    expect(result.text).toMatch(/^\[git\] git clone git:\/\/127\.0\.0\.1:\d+\/nothing\.git failed/);
    const missing = await call(gw, 'git__clone', { url: `${daemon.url}/missing.git`, repo: 'missing' });
    expect(missing.isError).toBe(true);
  });

  describe('cancellation and timeouts', () => {
    let silent: Server;
    let silentPort: number;
    const sockets = new Set<import('node:net').Socket>();
    beforeAll(async () => {
      // Accepts connections and never answers: a clone from it hangs until stopped.
      silent = createServer((socket) => void sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentPort = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('a cancelled clone stops git and reports CALL_CANCELLED', async () => {
      const controller = new AbortController();
      const pending = call(gw, 'git__clone', { url: `git://127.0.0.1:${silentPort}/hang.git`, repo: 'hang' }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 500);
      const result = await pending;
      expect(result.isError).toBe(true);
      expect(result.code).toBe('CALL_CANCELLED');
      await expect.poll(childGits, { timeout: 10_000 }).toEqual([]);
    });

    it('a clone past the service timeout is stopped with CALL_TIMEOUT', async () => {
      const slow = await gitGateway(workspace, '      allow_protocols: [git]\n    timeout: 1s\n');
      const result = await call(slow, 'git__clone', { url: `git://127.0.0.1:${silentPort}/hang.git`, repo: 'hang2' });
      expect(result.code).toBe('CALL_TIMEOUT');
      await expect.poll(childGits, { timeout: 10_000 }).toEqual([]);
    });
  });

  it('works through a real MCP client over HTTP, progress notifications included', async () => {
    const served = await serveHttp(await gitGateway(workspace, '      allow_protocols: [git]\n'));
    const client = await httpClient(served.url, 'auto');
    try {
      const progress: number[] = [];
      const result = await client.callTool(
        { name: 'git__clone', arguments: { url: `${daemon.url}/project.git`, repo: 'over-http' } },
        { onprogress: (update) => progress.push(update.progress), timeout: 60_000 },
      );
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(progress.length).toBeGreaterThan(0);
      const log = await client.callTool({ name: 'git__log', arguments: { repo: 'over-http', limit: 1 } });
      expect((log.structuredContent as { commits: { subject: string }[] }).commits[0]?.subject).toBe('project edit');
    } finally {
      await client.close();
      await served.close();
    }
  });
});

/** git processes this test process started that still run (daemons aside). */
async function childGits(): Promise<string[]> {
  const { execFileSync } = await import('node:child_process');
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((line) => /\bgit\b/.test(line) && !/git daemon|git-daemon|<defunct>/.test(line))
    .map((line) => line.trim());
}
