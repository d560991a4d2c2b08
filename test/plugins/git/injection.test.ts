// Hostile input: option injection in every argument a git tool takes, hostile URLs and paths, and
// repositories whose own hooks and config would run programs. Every attempt is refused (or, for paths,
// placed after "--" where git reads it as a literal path), and no marker file is ever created.
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { globalArgs, gitEnvironment } from '../../../src/plugins/git/environment.js';
import { gitConfigSchema } from '../../../src/plugins/git/config.js';
import { runGit } from '../../../src/plugins/git/git-process.js';
import { call, cleanup, git, gitDaemon, gitGateway, makeBareRemote, makeRepo, ok, tempDir, write } from './git-fixture.js';

describe('git plugin: option injection and hostile input', () => {
  let gw: Gateway;
  let workspace: string;
  let marker: string;
  let daemonUrl: string;
  const touch = () => `touch ${marker}`;

  beforeAll(async () => {
    workspace = tempDir();
    marker = join(tempDir('mcpeg-git-marker-'), 'pwned');
    makeRepo(join(workspace, 'app'), [{ 'a.txt': 'a\n' }, { 'a.txt': 'b\n' }]);
    git(join(workspace, 'app'), 'branch', 'side');
    const remotes = tempDir();
    makeBareRemote(remotes, 'r.git', 1);
    daemonUrl = (await gitDaemon(remotes)).url;
    git(join(workspace, 'app'), 'remote', 'add', 'origin', `${daemonUrl}/r.git`);
    gw = await gitGateway(workspace, '      allow_protocols: [git]\n');
  });
  afterAll(cleanup);

  /** [tool, arguments] that must each be refused with INVALID_ARGUMENTS. */
  const refused = (): [string, Record<string, unknown>][] => {
    const hostileNames = ['-D', '--exec=' + touch(), `--upload-pack=${touch()}`, `--output=${marker}`, '-', '--orphan=x', 'a..b', 'x\ny', 'a\0b', 'HEAD', '@{-1}', 'a b', 'x;touch y', '$(touch y)', 'a/../b', '.hidden', 'x.lock', 'x/', 'foo:bar', 'a~1', 'a^', 'a*', 'a[1]', 'a\\b'];
    const hostileRevs = ['-D', '--exec=' + touch(), `--upload-pack=${touch()}`, `--output=${marker}`, '-p', '--all', 'HEAD..side', 'HEAD:a.txt', 'x\ny', 'a\0b', 'a b', ';id', '$(id)', '`id`', '|id', '>x'];
    const hostileRepos = ['../outside', '/etc', '/tmp', 'app/../../x', '..', 'a\0b', 'a\nb', '-C/tmp', '--git-dir=/tmp', 'C:\\x', '\\\\server\\share'];
    const hostileUrls = [
      `--upload-pack=${touch()}`,
      `-u ${touch()}`,
      `-c core.sshCommand=${touch()}`,
      `--config=core.sshCommand=${touch()}`,
      `ext::sh -c ${touch()}`,
      `ext::sh -c touch% ${marker}`,
      'fd::17',
      'fd::0,1/x',
      `ssh://-oProxyCommand=${touch()}/x`,
      `ssh://user@-oProxyCommand=x/r`,
      `-oProxyCommand=${touch()}:x`,
      `-oProxyCommand=x:r`,
      'https://user:secret@example.com/r.git',
      'https://user@example.com/r.git',
      'foo://example.com/r',
      'javascript://x',
      `${daemonUrl}/r.git\n--upload-pack=x`,
      `${daemonUrl}/r.git --upload-pack=x`,
      'http://example.com/r.git',
      'file:///etc',
      '/etc',
      '../outside',
      'file://remotehost/etc',
      'a\0b',
      '',
    ];
    const cases: [string, Record<string, unknown>][] = [];
    for (const name of hostileNames) {
      cases.push(['git__create_branch', { repo: 'app', name }]);
      cases.push(['git__delete_branch', { repo: 'app', name }]);
      cases.push(['git__switch_branch', { repo: 'app', branch: name }]);
      cases.push(['git__fetch', { repo: 'app', remote: 'origin', branch: name }]);
      cases.push(['git__push', { repo: 'app', remote: 'origin', branch: name }]);
      cases.push(['git__pull', { repo: 'app', remote: 'origin', branch: name }]);
      cases.push(['git__clone', { url: `${daemonUrl}/r.git`, repo: 'c', branch: name }]);
    }
    for (const rev of hostileRevs) {
      cases.push(['git__diff', { repo: 'app', from: rev }]);
      cases.push(['git__diff', { repo: 'app', from: 'HEAD', to: rev }]);
      cases.push(['git__log', { repo: 'app', rev }]);
      cases.push(['git__show', { repo: 'app', rev }]);
      cases.push(['git__merge', { repo: 'app', rev }]);
      cases.push(['git__create_branch', { repo: 'app', name: 'ok-name', start: rev }]);
      cases.push(['git__switch_branch', { repo: 'app', branch: rev, detach: true }]);
    }
    for (const repo of hostileRepos) {
      cases.push(['git__status', { repo }]);
      cases.push(['git__init', { repo }]);
      cases.push(['git__clone', { url: `${daemonUrl}/r.git`, repo }]);
    }
    for (const url of hostileUrls) {
      cases.push(['git__clone', { url, repo: 'cloned' }]);
      cases.push(['git__fetch', { repo: 'app', remote: url }]);
      cases.push(['git__push', { repo: 'app', remote: url }]);
    }
    for (const path of ['../../etc/passwd', '/etc/passwd', 'a\nb', 'a\0b', '..', 'x/../../y']) {
      cases.push(['git__show', { repo: 'app', path }]);
      cases.push(['git__diff', { repo: 'app', paths: [path] }]);
      cases.push(['git__add', { repo: 'app', paths: [path] }]);
      cases.push(['git__log', { repo: 'app', paths: [path] }]);
    }
    return cases;
  };

  it('refuses every hostile argument with INVALID_ARGUMENTS and runs nothing', async () => {
    const cases = refused();
    expect(cases.length).toBeGreaterThan(400);
    const accepted: string[] = [];
    for (const [tool, args] of cases) {
      const result = await call(gw, tool, args);
      if (!(result.isError && result.code === 'INVALID_ARGUMENTS')) accepted.push(`${tool} ${JSON.stringify(args)} → ${result.code ?? 'ok'}: ${result.text}`);
    }
    expect(accepted).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(workspace, 'cloned'))).toBe(false);
    expect(existsSync(join(workspace, 'c'))).toBe(false);
    expect(git(join(workspace, 'app'), 'status', '--porcelain')).toBe('');
  });

  it('paths that look like options are literal paths after "--", never options', async () => {
    for (const path of [`--output=${marker}`, '-p', `--exec=${touch()}`]) {
      const diff = await ok(gw, 'git__diff', { repo: 'app', paths: [path] });
      expect(diff.text).toBe('no changes');
      const log = await ok(gw, 'git__log', { repo: 'app', paths: [path] });
      expect(log.structured!.commits).toEqual([]);
      const add = await call(gw, 'git__add', { repo: 'app', paths: [path] });
      expect(add.text).toContain('did not match any files');
    }
    write(join(workspace, 'app'), '--output=x', 'a file with an odd name\n');
    const added = await ok(gw, 'git__add', { repo: 'app', paths: ['--output=x'] });
    expect(added.structured!.staged).toEqual(['--output=x']);
    git(join(workspace, 'app'), 'rm', '--quiet', '--cached', '--', '--output=x');
    rmSync(join(workspace, 'app', '--output=x'));
    expect(existsSync(marker)).toBe(false);
  });

  it('shell metacharacters in a branch name are plain text: no shell ever sees them', async () => {
    const name = `$(touch\${IFS}${marker})\`touch\${IFS}${marker}\`;|&`;
    const created = await ok(gw, 'git__create_branch', { repo: 'app', name });
    expect(created.structured!.branch).toBe(name);
    expect(git(join(workspace, 'app'), 'branch', '--list', '--format=%(refname:short)')).toContain(name);
    await ok(gw, 'git__delete_branch', { repo: 'app', name });
    expect(existsSync(marker)).toBe(false);
  });

  it('messages that look like options are messages', async () => {
    const repo = makeRepo(join(workspace, 'messages'));
    write(repo, 'x.txt', 'x\n');
    await ok(gw, 'git__add', { repo: 'messages', all: true });
    await ok(gw, 'git__commit', { repo: 'messages', message: `--exec=${touch()}` });
    git(repo, 'switch', '--quiet', '-c', 'b', 'HEAD~1');
    write(repo, 'y.txt', 'y\n');
    git(repo, 'add', 'y.txt');
    git(repo, 'commit', '--quiet', '-m', 'y');
    git(repo, 'switch', '--quiet', 'main');
    const merged = await ok(gw, 'git__merge', { repo: 'messages', rev: 'b', message: `-s ours --upload-pack=${touch()}` });
    expect(merged.structured!.commit.subject).toBe(`-s ours --upload-pack=${touch()}`);
    expect(git(repo, 'log', '-1', '--format=%s', 'HEAD^1')).toBe(`--exec=${touch()}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  describe('repositories that would run programs', () => {
    it("never runs the repository's hooks (unless allow_hooks)", async () => {
      const repo = makeRepo(join(workspace, 'hooked'));
      git(repo, 'branch', 'other');
      for (const hook of ['pre-commit', 'post-commit', 'post-checkout', 'pre-push', 'post-merge', 'reference-transaction']) {
        const file = join(repo, '.git', 'hooks', hook);
        writeFileSync(file, `#!/bin/sh\necho ${hook} >> ${marker}\n`);
        chmodSync(file, 0o755);
      }
      write(repo, 'x.txt', 'x\n');
      await ok(gw, 'git__add', { repo: 'hooked', all: true });
      await ok(gw, 'git__commit', { repo: 'hooked', message: 'with hooks present' });
      await ok(gw, 'git__switch_branch', { repo: 'hooked', branch: 'other' });
      await ok(gw, 'git__merge', { repo: 'hooked', rev: 'main' });
      expect(existsSync(marker)).toBe(false);
      // The same calls with allow_hooks: true do run them: the check above can fail.
      const trusting = await gitGateway(workspace, '      allow_hooks: true\n');
      await ok(trusting, 'git__switch_branch', { repo: 'hooked', branch: 'main' });
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);
    });

    it('overrides core.fsmonitor and core.sshCommand from the repository config', async () => {
      const repo = makeRepo(join(workspace, 'fsmon'));
      git(repo, 'config', 'core.fsmonitor', touch());
      git(repo, 'config', 'core.sshCommand', touch());
      git(repo, 'remote', 'add', 'sshremote', 'ssh://127.0.0.1:1/x.git');
      write(repo, 'x.txt', 'changed\n');
      await ok(gw, 'git__status', { repo: 'fsmon' });
      const fetched = await call(gw, 'git__fetch', { repo: 'fsmon', remote: 'sshremote' });
      expect(fetched.isError).toBe(true);
      expect(existsSync(marker)).toBe(false);
    });

    it.each([
      ['filter.evil.smudge', 'filter'],
      ['filter.evil.clean', 'filter'],
      ['merge.evil.driver', 'merge driver'],
      ['diff.evil.textconv', 'textconv'],
      ['diff.external', 'external diff'],
      ['remote.origin.uploadpack', 'upload-pack'],
      ['remote.origin.receivepack', 'receive-pack'],
      ['url.ext::sh -c touch% /tmp/x .insteadOf', 'insteadOf'],
      ['core.gitProxy', 'gitProxy'],
      ['gpg.program', 'gpg'],
      ['credential.helper', 'credential helper'],
      ['core.alternateRefsCommand', 'alternate refs'],
    ])('refuses a repository whose config sets %s (%s)', async (key) => {
      const name = `risky-${key.replace(/[^a-z]/gi, '')}`;
      const repo = makeRepo(join(workspace, name));
      write(repo, '.gitattributes', '* filter=evil merge=evil diff=evil\n');
      git(repo, 'config', key, touch());
      for (const [tool, args] of [
        ['git__status', {}],
        ['git__diff', {}],
        ['git__log', {}],
        ['git__add', { all: true }],
        ['git__fetch', {}],
      ] as const) {
        const result = await call(gw, tool, { repo: name, ...args });
        expect(result.code, `${tool}: ${result.text}`).toBe('INVALID_ARGUMENTS');
        expect(result.text).toContain(key.toLowerCase());
        expect(result.text).toContain('trust_repo_config');
      }
      expect(existsSync(marker)).toBe(false);
    });

    it('a smudge filter runs only with trust_repo_config: true (the refusal above is what stops it)', async () => {
      const repo = makeRepo(join(workspace, 'smudge'), [{ '.gitattributes': '*.txt filter=evil\n', 'a.txt': 'a\n' }, { 'a.txt': 'b\n' }]);
      git(repo, 'branch', 'other', 'HEAD~1');
      git(repo, 'config', 'filter.evil.smudge', `sh -c '${touch()}; cat'`);
      const trusting = await gitGateway(workspace, '      trust_repo_config: true\n');
      await ok(trusting, 'git__switch_branch', { repo: 'smudge', branch: 'other' });
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);
    });

    it('refuses a repository whose git folder or work tree lies outside the workspace', async () => {
      const outside = makeRepo(join(tempDir(), 'elsewhere'));
      write(workspace, 'gitfile/.git', `gitdir: ${join(outside, '.git')}\n`);
      const gitfile = await call(gw, 'git__status', { repo: 'gitfile' });
      expect(gitfile.code).toBe('INVALID_ARGUMENTS');
      const worktree = makeRepo(join(workspace, 'worktree'));
      git(worktree, 'config', 'core.worktree', outside);
      const moved = await call(gw, 'git__status', { repo: 'worktree' });
      expect(moved.code).toBe('INVALID_ARGUMENTS');
    });
  });

  it('git itself refuses ext:: and fd:: transports under the fixed settings (second line of defence)', async () => {
    const config = gitConfigSchema.parse({ allow_protocols: ['git', 'file', 'http'] });
    const env = gitEnvironment(config, tempDir());
    for (const url of [`ext::sh -c touch% ${marker}`, 'fd::3']) {
      const output = await runGit({
        cwd: tempDir(),
        args: [...globalArgs(config), 'ls-remote', '--', url],
        env,
        signal: new AbortController().signal,
        timeoutMs: 30_000,
        maxOutput: 10_000,
      });
      expect(output.exitCode).not.toBe(0);
      expect(output.stderr).toMatch(/transport '(ext|fd)' not allowed/);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
