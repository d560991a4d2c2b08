// ssh remotes. This machine has no ssh server, so a FAKE `ssh` on PATH stands in for one: it records the
// arguments git gives it, one per line, then runs the remote command (git-upload-pack / git-receive-pack)
// locally — which is all an ssh server does for git. What is real: git, its ssh transport, the
// GIT_SSH_COMMAND the plugin builds (run by git through sh), and the repositories.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanup, gateway, git, makeBareRemote, ok, tempDir, write } from './git-fixture.js';

describe('git plugin: ssh remotes through GIT_SSH_COMMAND (fake ssh on PATH)', () => {
  let remotes: string;
  let workspace: string;
  let sshLog: string;
  let marker: string;
  let originalPath: string | undefined;
  const key = "/keys/it's a key; touch /tmp/never";

  beforeAll(() => {
    remotes = tempDir();
    makeBareRemote(remotes, 'r.git', 2);
    workspace = tempDir();
    marker = join(tempDir(), 'pwned');
    const fakeDir = tempDir();
    sshLog = join(fakeDir, 'ssh.log');
    writeFileSync(
      join(fakeDir, 'ssh'),
      `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg" >> '${sshLog}'; done\nprintf '%s\\n' '----' >> '${sshLog}'\nfor last; do :; done\nexec sh -c "$last"\n`,
    );
    chmodSync(join(fakeDir, 'ssh'), 0o755);
    originalPath = process.env.PATH;
    process.env.PATH = `${fakeDir}:${originalPath ?? ''}`;
  });
  afterAll(async () => {
    process.env.PATH = originalPath;
    await cleanup();
  });

  const yaml = (methods: string) => `plugins:
  git:
    config:
      workspace_dir: ${JSON.stringify(workspace)}
      auth_methods: ${methods}
      ssh_key: ${JSON.stringify(key)}
      ssh_known_hosts: /etc/mcpeg/known_hosts
`;

  it('clones, pushes and fetches over ssh with the configured key, quoted as one argument, in batch mode', async () => {
    const gw = await gateway(yaml('[ssh]'));
    await ok(gw, 'git__clone', { url: `ssh://git@fakehost${remotes}/r.git`, repo: 'viassh', depth: 0 });
    await ok(gw, 'git__clone', { url: `git@fakehost:${remotes}/r.git`, repo: 'scp-like', depth: 0 });
    write(join(workspace, 'viassh'), 'n.txt', 'n\n');
    await ok(gw, 'git__add', { repo: 'viassh', all: true });
    await ok(gw, 'git__commit', { repo: 'viassh', message: 'over ssh' });
    await ok(gw, 'git__push', { repo: 'viassh' });
    expect(git(remotes, '--git-dir=r.git', 'log', '-1', '--format=%s')).toBe('over ssh\n');

    const calls = readFileSync(sshLog, 'utf8').split('----\n').filter(Boolean).map((block) => block.split('\n').filter(Boolean));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const args of calls) {
      expect(args.slice(0, 8)).toEqual(['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-i', key, '-o', 'IdentitiesOnly=yes']);
      expect(args).toContain('UserKnownHostsFile=/etc/mcpeg/known_hosts');
      expect(args).toContain('git@fakehost');
    }
    expect(existsSync('/tmp/never')).toBe(false);
  });

  it("a repository's core.sshCommand never runs: the plugin's GIT_SSH_COMMAND wins", async () => {
    const gw = await gateway(yaml('[ssh]'));
    git(join(workspace, 'scp-like'), 'config', 'core.sshCommand', `touch ${marker}; ssh`);
    const fetched = await ok(gw, 'git__fetch', { repo: 'scp-like' });
    expect(fetched.text).toContain('origin/main');
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses ssh remotes when auth_methods leaves ssh out', async () => {
    const gw = await gateway(`plugins:
  git:
    config:
      workspace_dir: ${JSON.stringify(workspace)}
      auth_methods: [https]
`);
    const refused = await call(gw, 'git__clone', { url: `git@fakehost:${remotes}/r.git`, repo: 'nope' });
    expect(refused.code).toBe('INVALID_ARGUMENTS');
    expect(refused.text).toContain('add ssh to auth_methods');
    const viaOrigin = await call(gw, 'git__fetch', { repo: 'viassh' });
    expect(viaOrigin.code).toBe('INVALID_ARGUMENTS');
  });
});
