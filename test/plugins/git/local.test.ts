// The git plugin's repository tools through the gateway's real call path, on real repositories in a
// temp workspace: status, diff, log, show, branches, add, commit, merge (with conflicts and abort),
// branch create/switch/delete, init.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { call, cleanup, git, gitGateway, makeRepo, ok, tempDir, write } from './git-fixture.js';

describe('git plugin: tools on local repositories', () => {
  let gw: Gateway;
  let workspace: string;
  let app: string;

  beforeAll(async () => {
    workspace = tempDir();
    app = makeRepo(join(workspace, 'app'), [{ 'README.md': '# app\n', 'src/main.txt': 'one\ntwo\nthree\n' }, { 'src/main.txt': 'one\n2\nthree\n' }]);
    gw = await gitGateway(workspace);
  });
  afterAll(cleanup);

  it('lists its tools with honest annotations', () => {
    const tools = gw.dispatcher.listTools(undefined).tools;
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual(
      ['add', 'branches', 'clone', 'commit', 'create_branch', 'delete_branch', 'diff', 'fetch', 'init', 'log', 'merge', 'pull', 'push', 'show', 'status', 'switch_branch']
        .map((name) => `git__${name}`)
        .sort(),
    );
    for (const name of ['status', 'diff', 'log', 'show', 'branches']) expect(byName.get(`git__${name}`)?.annotations?.readOnlyHint).toBe(true);
    for (const name of ['add', 'commit', 'merge', 'create_branch', 'switch_branch', 'delete_branch', 'fetch', 'pull', 'push', 'clone', 'init']) {
      expect(byName.get(`git__${name}`)?.annotations?.readOnlyHint, name).toBe(false);
    }
    expect(byName.get('git__delete_branch')?.annotations?.destructiveHint).toBe(true);
    expect(byName.get('git__merge')?.annotations?.destructiveHint).toBe(true);
    expect(byName.get('git__push')?.annotations?.destructiveHint).toBe(false); // allow_force_push is off
    expect(byName.get('git__clone')?.annotations?.openWorldHint).toBe(true);
    expect(byName.get('git__push')?.inputSchema.properties).not.toHaveProperty('force');
  });

  it('status reports branch, staged, unstaged, untracked as structured content', async () => {
    write(app, 'src/main.txt', 'one\n2\nthree\nfour\n');
    write(app, 'notes/new file.txt', 'new\n');
    write(app, 'README.md', '# app!\n');
    git(app, 'add', 'README.md');
    const status = await ok(gw, 'git__status', { repo: 'app' });
    expect(status.structured).toMatchObject({
      branch: { head: 'main' },
      staged: [{ path: 'README.md', index: 'M', worktree: '.' }],
      unstaged: [{ path: 'src/main.txt', index: '.', worktree: 'M' }],
      untracked: ['notes/new file.txt'],
      conflicted: [],
      clean: false,
    });
    expect(status.structured!.branch.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(status.text).toContain('untracked notes/new file.txt');
  });

  it('diff shows working tree, staged, and between revisions, with per-file counts', async () => {
    const worktree = await ok(gw, 'git__diff', { repo: 'app' });
    expect(worktree.text).toContain('+four');
    expect(worktree.structured!.files).toEqual([{ path: 'src/main.txt', added: 1, deleted: 0 }]);
    const staged = await ok(gw, 'git__diff', { repo: 'app', staged: true });
    expect(staged.text).toContain('+# app!');
    expect(staged.structured!.files).toEqual([{ path: 'README.md', added: 1, deleted: 1 }]);
    const between = await ok(gw, 'git__diff', { repo: 'app', from: 'HEAD~1', to: 'HEAD', context: 0 });
    expect(between.text).toContain('-two');
    expect(between.text).toContain('+2');
    const stat = await ok(gw, 'git__diff', { repo: 'app', from: 'HEAD~1', to: 'HEAD', stat: true, paths: ['src/main.txt'] });
    expect(stat.text).toBe('1\t1\tsrc/main.txt');
    const bad = await call(gw, 'git__diff', { repo: 'app', to: 'HEAD' });
    expect(bad.code).toBe('INVALID_ARGUMENTS');
  });

  it('add and commit with the configured author; nothing to commit is a clear error', async () => {
    const added = await ok(gw, 'git__add', { repo: 'app', paths: ['src/main.txt', 'notes/new file.txt'] });
    expect(added.structured!.staged.sort()).toEqual(['README.md', 'notes/new file.txt', 'src/main.txt']);
    const committed = await ok(gw, 'git__commit', { repo: 'app', message: '--amend looks like an option\n\nbut is a message' });
    expect(committed.structured!.commit).toMatchObject({ subject: '--amend looks like an option', author: { name: 'Test Bot', email: 'bot@example.test' } });
    expect(git(app, 'log', '-1', '--format=%an <%ae>|%cn|%s')).toBe('Test Bot <bot@example.test>|Test Bot|--amend looks like an option\n');
    const nothing = await call(gw, 'git__commit', { repo: 'app', message: 'again' });
    expect(nothing).toMatchObject({ isError: true, code: 'INVALID_ARGUMENTS' });
    expect(nothing.text).toContain('nothing to commit in "app"');
    const noPaths = await call(gw, 'git__add', { repo: 'app' });
    expect(noPaths.code).toBe('INVALID_ARGUMENTS');
  });

  it('log returns structured entries, honours limit, skip and paths', async () => {
    const log = await ok(gw, 'git__log', { repo: 'app', limit: 2 });
    expect(log.structured!.commits.map((commit: { subject: string }) => commit.subject)).toEqual(['--amend looks like an option', 'commit 2']);
    expect(log.structured!.commits[0].body).toBe('but is a message');
    expect(log.structured!.commits[0].parents).toHaveLength(1);
    const skipped = await ok(gw, 'git__log', { repo: 'app', skip: 2 });
    expect(skipped.structured!.commits.map((commit: { subject: string }) => commit.subject)).toEqual(['commit 1']);
    const byPath = await ok(gw, 'git__log', { repo: 'app', paths: ['notes/new file.txt'] });
    expect(byPath.structured!.commits).toHaveLength(1);
    const unknown = await call(gw, 'git__log', { repo: 'app', rev: 'no-such-branch' });
    expect(unknown.code).toBe('INVALID_ARGUMENTS');
    expect(unknown.text).toMatch(/^\[git\] git log in "app" failed \(exit 128\): fatal: bad revision .no-such-branch. — check the names/);
  });

  it('show gives a commit with its patch or stat, or a file at a revision', async () => {
    const commit = await ok(gw, 'git__show', { repo: 'app', rev: 'HEAD~1' });
    expect(commit.structured!.commit.subject).toBe('commit 2');
    expect(commit.text).toContain('+2');
    const stat = await ok(gw, 'git__show', { repo: 'app', stat: true });
    expect(stat.text).toContain('src/main.txt');
    const file = await ok(gw, 'git__show', { repo: 'app', rev: 'HEAD~2', path: 'src/main.txt' });
    expect(file.text).toBe('one\ntwo\nthree\n');
    write(app, 'bin.dat', 'a\0b');
    git(app, 'add', 'bin.dat');
    git(app, 'commit', '--quiet', '-m', 'binary');
    const binary = await ok(gw, 'git__show', { repo: 'app', path: 'bin.dat' });
    expect(binary.structured).toMatchObject({ binary: true });
  });

  it('creates, lists, switches and deletes branches', async () => {
    await ok(gw, 'git__create_branch', { repo: 'app', name: 'feature/x', start: 'HEAD~1' });
    const created = await ok(gw, 'git__create_branch', { repo: 'app', name: 'topic', switch: true });
    expect(created.structured).toMatchObject({ branch: 'topic', switched: true });
    const branches = await ok(gw, 'git__branches', { repo: 'app' });
    expect(branches.structured!.current).toBe('topic');
    expect(branches.structured!.branches.map((branch: { name: string }) => branch.name).sort()).toEqual(['feature/x', 'main', 'topic']);
    await ok(gw, 'git__switch_branch', { repo: 'app', branch: 'main' });
    expect(git(app, 'branch', '--show-current')).toBe('main\n');
    const notMerged = await call(gw, 'git__delete_branch', { repo: 'app', name: 'nope' });
    expect(notMerged.code).toBe('INVALID_ARGUMENTS');
    const deleted = await ok(gw, 'git__delete_branch', { repo: 'app', name: 'topic' });
    expect(deleted.text).toContain('deleted branch topic');
    const exists = await call(gw, 'git__create_branch', { repo: 'app', name: 'main' });
    expect(exists.code).toBe('INVALID_ARGUMENTS');
    expect(exists.text).toContain('already exists');
    const detached = await ok(gw, 'git__switch_branch', { repo: 'app', branch: 'HEAD~1', detach: true });
    expect(detached.structured!.branch).toBeUndefined();
    await ok(gw, 'git__switch_branch', { repo: 'app', branch: 'main' });
  });

  it('merge: fast-forward, merge commit, conflicts left as git leaves them, then abort', async () => {
    const repo = makeRepo(join(workspace, 'merging'), [{ 'a.txt': 'base\n', 'b.txt': 'b\n' }]);
    git(repo, 'switch', '--quiet', '-c', 'ff');
    write(repo, 'c.txt', 'c\n');
    git(repo, 'add', 'c.txt');
    git(repo, 'commit', '--quiet', '-m', 'add c');
    git(repo, 'switch', '--quiet', 'main');
    const ff = await ok(gw, 'git__merge', { repo: 'merging', rev: 'ff' });
    expect(ff.text).toContain('fast-forward');

    git(repo, 'switch', '--quiet', '-c', 'other');
    write(repo, 'a.txt', 'theirs\n');
    git(repo, 'commit', '--quiet', '-am', 'theirs');
    git(repo, 'switch', '--quiet', 'main');
    write(repo, 'a.txt', 'ours\n');
    git(repo, 'commit', '--quiet', '-am', 'ours');
    const conflict = await call(gw, 'git__merge', { repo: 'merging', rev: 'other' });
    expect(conflict.isError).toBe(true);
    expect(conflict.structured).toEqual({ merged: false, conflicts: ['a.txt'] });
    expect(conflict.text).toContain('abort: true');
    expect(git(repo, 'rev-parse', '--verify', 'MERGE_HEAD').trim()).toMatch(/^[0-9a-f]{40}$/);
    const status = await ok(gw, 'git__status', { repo: 'merging' });
    expect(status.structured!.conflicted).toEqual([{ path: 'a.txt', index: 'U', worktree: 'U' }]);
    await ok(gw, 'git__merge', { repo: 'merging', abort: true });
    expect(git(repo, 'status', '--porcelain')).toBe('');

    git(repo, 'switch', '--quiet', '-c', 'side', 'HEAD~1');
    write(repo, 'd.txt', 'd\n');
    git(repo, 'add', 'd.txt');
    git(repo, 'commit', '--quiet', '-m', 'side');
    git(repo, 'switch', '--quiet', 'main');
    const merged = await ok(gw, 'git__merge', { repo: 'merging', rev: 'side', message: 'merge side in' });
    expect(merged.structured!.commit.parents).toHaveLength(2);
    expect(merged.structured!.commit.subject).toBe('merge side in');
    const again = await ok(gw, 'git__merge', { repo: 'merging', rev: 'side' });
    expect(again.structured!.upToDate).toBe(true);
    const noMerge = await call(gw, 'git__merge', { repo: 'merging', abort: true });
    expect(noMerge.code).toBe('INVALID_ARGUMENTS');
  });

  it('init creates a repository on default_branch; log and status work before the first commit', async () => {
    const created = await ok(gw, 'git__init', { repo: 'fresh/one' });
    expect(created.structured).toEqual({ repo: 'fresh/one', branch: 'main' });
    const log = await ok(gw, 'git__log', { repo: 'fresh/one' });
    expect(log.structured!.commits).toEqual([]);
    const status = await ok(gw, 'git__status', { repo: 'fresh/one' });
    expect(status.structured!.branch).toMatchObject({ head: 'main', commit: undefined });
    write(join(workspace, 'fresh/one'), 'x.txt', 'x\n');
    await ok(gw, 'git__add', { repo: 'fresh/one', all: true });
    const first = await ok(gw, 'git__commit', { repo: 'fresh/one', message: 'first' });
    expect(first.structured!.commit.parents).toEqual([]);
    const twice = await call(gw, 'git__init', { repo: 'fresh/one' });
    expect(twice.code).toBe('INVALID_ARGUMENTS');
    expect(twice.text).toContain('already exists');
  });

  it('refuses folders that are not a repository top level, or lead outside the workspace', async () => {
    write(workspace, 'plain/file.txt', 'x');
    const plain = await call(gw, 'git__status', { repo: 'plain' });
    expect(plain).toMatchObject({ isError: true, code: 'INVALID_ARGUMENTS' });
    expect(plain.text).toContain('"plain" is not a git repository');
    const sub = await call(gw, 'git__status', { repo: 'app/src' });
    expect(sub.text).toContain('not its top-level folder');
    const outside = makeRepo(join(tempDir(), 'outside'));
    symlinkSync(outside, join(workspace, 'link'));
    const linked = await call(gw, 'git__status', { repo: 'link' });
    expect(linked.code).toBe('INVALID_ARGUMENTS');
    expect(linked.text).toContain('outside the workspace');
    const missing = await call(gw, 'git__status', { repo: 'nope' });
    expect(missing.text).toContain('does not exist');
  });

  it('changing calls on one repository run one at a time: parallel adds never trip over index.lock', async () => {
    const repo = makeRepo(join(workspace, 'parallel'));
    const files = Array.from({ length: 12 }, (_, index) => `f${index}.txt`);
    for (const file of files) write(repo, file, `${file}\n`);
    const results = await Promise.all(files.map((file) => call(gw, 'git__add', { repo: 'parallel', paths: [file] })));
    expect(results.filter((result) => result.isError).map((result) => result.text)).toEqual([]);
    const committed = await ok(gw, 'git__commit', { repo: 'parallel', message: 'all at once' });
    expect(committed.structured!.commit.subject).toBe('all at once');
    expect(git(repo, 'ls-files').split('\n').filter(Boolean).sort()).toEqual(['README.md', ...files].sort());
  });

  it('never climbs out of the workspace to a repository that contains it', async () => {
    const outer = makeRepo(join(tempDir(), 'outer'));
    const inner = join(outer, 'build', 'data', 'workspaces');
    write(inner, 'plain/x.txt', 'x');
    const nested = await gitGateway(inner);
    const plain = await call(nested, 'git__status', { repo: 'plain' });
    expect(plain.code).toBe('INVALID_ARGUMENTS');
    expect(plain.text).toContain('"plain" is not a git repository');
    const root = await call(nested, 'git__log', { repo: '.' });
    expect(root.text).toContain('is not a git repository');
  });

  it('bounds output at max_output and says so', async () => {
    const big = makeRepo(join(workspace, 'big'));
    write(big, 'huge.txt', 'line of text\n'.repeat(20_000));
    const small = await gitGateway(workspace, '      max_output: 2KB\n');
    const diff = await ok(small, 'git__diff', { repo: 'big', paths: ['huge.txt'] });
    expect(diff.structured).toMatchObject({ truncated: false }); // untracked: nothing to diff yet
    git(big, 'add', 'huge.txt');
    const staged = await ok(small, 'git__diff', { repo: 'big', staged: true });
    expect(staged.structured!.truncated).toBe(true);
    expect(staged.text).toContain('output cut at 2000 bytes');
    expect(staged.text.length).toBeLessThan(2400);
  });
});
