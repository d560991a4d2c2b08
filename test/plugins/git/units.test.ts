// The git plugin's pure parts: name and URL checks, the porcelain v2 and numstat parsers, the progress
// meter, the repository-config audit and the environment git runs with.
import { describe, expect, it } from 'vitest';
import { gitConfigSchema } from '../../../src/plugins/git/config.js';
import { gitEnvironment, globalArgs } from '../../../src/plugins/git/environment.js';
import { parseNumstat } from '../../../src/plugins/git/history-parse.js';
import { ProgressMeter } from '../../../src/plugins/git/progress-meter.js';
import { branchNameProblem, revisionProblem } from '../../../src/plugins/git/refs.js';
import { parseRemoteUrl } from '../../../src/plugins/git/remote-url.js';
import { riskyRepositoryKeys } from '../../../src/plugins/git/repo-config-audit.js';
import { parseStatus } from '../../../src/plugins/git/status-parse.js';

describe('names', () => {
  it.each(['main', 'feature/login', 'release-1.2', 'user/x_y', 'a+b', 'v1.0'])('accepts branch %s', (name) => {
    expect(branchNameProblem(name)).toBeUndefined();
  });
  it.each(['', '-D', '--force', 'HEAD', '@', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', 'a@{1}', '/a', 'a/', 'a//b', 'a.', '.a', 'a/.b', 'a.lock', 'a/b.lock/c', 'x'.repeat(256), 'a\nb', 'a\0b', 'a\x7f'])(
    'refuses branch %j',
    (name) => expect(branchNameProblem(name)).toBeDefined(),
  );
  it.each(['HEAD', 'HEAD~2', 'main^', 'v1.0', 'abc123', 'origin/main', '@{upstream}', 'HEAD@{1}', 'HEAD^{commit}'])('accepts revision %s', (rev) => {
    expect(revisionProblem(rev)).toBeUndefined();
  });
  it.each(['-p', '--output=x', 'a..b', 'a...b', 'HEAD:file', 'a b', '$(id)', '`id`', 'a;b', 'a|b', '', '~1'])('refuses revision %j', (rev) => {
    expect(revisionProblem(rev)).toBeDefined();
  });
});

describe('parseRemoteUrl', () => {
  it.each([
    ['https://github.com/acme/app.git', 'https', 'github.com'],
    ['http://git.local:8080/r.git', 'http', 'git.local:8080'],
    ['ssh://git@github.com/acme/app.git', 'ssh', 'github.com'],
    ['git+ssh://host/r', 'ssh', 'host'],
    ['git@github.com:acme/app.git', 'ssh', 'github.com'],
    ['host:r.git', 'ssh', 'host'],
    ['git://127.0.0.1:9418/r.git', 'git', '127.0.0.1:9418'],
  ])('reads %s as %s', (url, transport, host) => {
    expect(parseRemoteUrl(url)).toEqual({ transport, url, host });
  });
  it('reads local paths and file:// URLs as file', () => {
    expect(parseRemoteUrl('repos/upstream')).toEqual({ transport: 'file', path: 'repos/upstream' });
    expect(parseRemoteUrl('file:///srv/r%20x.git')).toEqual({ transport: 'file', path: '/srv/r x.git' });
  });
  it.each([
    ['ext::sh -c touch% /tmp/x', 'transport helpers'],
    ['fd::17', 'transport helpers'],
    ['-u touch', 'must not start with "-"'],
    ['--upload-pack=x', 'must not start with "-"'],
    ['ssh://-oProxyCommand=x/r', 'starts with "-"'],
    ['-oProxyCommand=x:r', 'must not start with "-"'],
    ['user@-host:r', 'starts with "-"'],
    ['https://u:p@host/r', 'carries a password'],
    ['https://u@host/r', 'carries a user name'],
    ['ftp://host/r', 'not supported'],
    ['file://otherhost/r', 'local path'],
    ['https://host/r x', 'spaces'],
    ['https://host/r\n', 'control'],
    ['host:', 'no repository path'],
  ])('refuses %j (%s)', (url, problem) => {
    const parsed = parseRemoteUrl(url);
    expect('problem' in parsed && parsed.problem).toContain(problem);
  });
});

describe('parsers', () => {
  it('parses porcelain v2 status: branch headers, changes, renames, conflicts, untracked, names with spaces', () => {
    const output = [
      '# branch.oid 1234567890abcdef1234567890abcdef12345678',
      '# branch.head main',
      '# branch.upstream origin/main',
      '# branch.ab +2 -1',
      '1 M. N... 100644 100644 100644 aaa bbb staged file.txt',
      '1 .M N... 100644 100644 100644 aaa aaa src/a.ts',
      '2 R. N... 100644 100644 100644 aaa aaa R100 new name.txt',
      'old name.txt',
      'u UU N... 100644 100644 100644 100644 a b c both.txt',
      '? new.txt',
      '',
    ].join('\0');
    expect(parseStatus(output)).toEqual({
      branch: { head: 'main', commit: '1234567890abcdef1234567890abcdef12345678', upstream: 'origin/main', ahead: 2, behind: 1 },
      staged: [
        { path: 'staged file.txt', index: 'M', worktree: '.' },
        { path: 'new name.txt', index: 'R', worktree: '.', from: 'old name.txt' },
      ],
      unstaged: [{ path: 'src/a.ts', index: '.', worktree: 'M' }],
      untracked: ['new.txt'],
      conflicted: [{ path: 'both.txt', index: 'U', worktree: 'U' }],
      clean: false,
    });
    expect(parseStatus('# branch.oid (initial)\0# branch.head (detached)\0').branch).toMatchObject({ head: undefined, commit: undefined });
  });

  it('parses numstat -z with renames and binary files', () => {
    expect(parseNumstat('1\t2\ta.txt\0-\t-\tbin.dat\x003\t0\t\0old.txt\0new.txt\0')).toEqual([
      { path: 'a.txt', added: 1, deleted: 2 },
      { path: 'bin.dat', added: null, deleted: null },
      { path: 'new.txt', from: 'old.txt', added: 3, deleted: 0 },
    ]);
  });
});

describe('ProgressMeter', () => {
  it('turns phase meters into one growing number out of 100, ignoring other lines', () => {
    const seen: [number, string][] = [];
    const meter = new ProgressMeter((progress, _total, message) => void seen.push([progress, message]));
    for (const line of [
      'Cloning into x...',
      'remote: Counting objects:  50% (1/2)',
      'remote: Counting objects: 100% (2/2), done.',
      'Receiving objects:  10% (1/10)',
      'Receiving objects:  10% (1/10)',
      'remote: Counting objects:  50% (1/2)',
      'Receiving objects: 100% (10/10), done.',
      'Resolving deltas: 100% (3/3), done.',
    ]) {
      meter.line(line);
    }
    meter.done('clone done');
    const values = seen.map(([value]) => value);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
    expect(values.at(-1)).toBe(100);
    expect(seen[0]![1]).toBe('remote: Counting objects:  50% (1/2)');
  });
});

describe('repository config audit', () => {
  it('finds keys that run programs in local and worktree scope only', () => {
    const listing = ['local', 'core.bare', 'local', 'filter.lfs.smudge', 'worktree', 'merge.x.driver', 'command', 'credential.helper', 'local', 'url.ext::x.insteadof', ''].join('\0');
    expect(riskyRepositoryKeys(listing)).toEqual(['filter.lfs.smudge', 'merge.x.driver', 'url.ext::x.insteadof']);
  });
});

describe('environment', () => {
  it('passes only an allowlist of the parent environment, and the token only as config for its hosts', () => {
    const config = gitConfigSchema.parse({ https_token: 'tok', https_hosts: ['github.com', 'git.internal:8443'] });
    const env = gitEnvironment(config, '/ws', { PATH: '/bin', HOME: '/home/x', AWS_SECRET_ACCESS_KEY: 'no', GIT_DIR: '/evil', GIT_CONFIG_PARAMETERS: "'core.pager=x'", SSH_AUTH_SOCK: '/agent', BASH_FUNC_x: '() { :; }' });
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.GIT_CONFIG_PARAMETERS).toBeUndefined();
    expect(env.BASH_FUNC_x).toBeUndefined();
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/home/x', SSH_AUTH_SOCK: '/agent', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: '/ws' });
    expect(env.GIT_CONFIG_COUNT).toBe('2');
    expect(env.GIT_CONFIG_KEY_0).toBe('http.https://github.com/.extraHeader');
    expect(env.GIT_CONFIG_KEY_1).toBe('http.https://git.internal:8443/.extraHeader');
    expect(env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${Buffer.from('x-access-token:tok').toString('base64')}`);
    expect(globalArgs(config).join(' ')).not.toContain('tok');
  });

  it('switches on only the allowed transports, ext and fd never', () => {
    const args = globalArgs(gitConfigSchema.parse({ auth_methods: ['https'], allow_protocols: ['git'] })).join(' ');
    expect(args).toContain('protocol.allow=never');
    for (const on of ['https', 'git']) expect(args).toContain(`protocol.${on}.allow=always`);
    for (const off of ['ssh', 'http', 'file', 'ext', 'fd']) expect(args).toContain(`protocol.${off}.allow=never`);
    expect(args).toContain('core.hooksPath=/dev/null');
    expect(globalArgs(gitConfigSchema.parse({ allow_hooks: true })).join(' ')).not.toContain('hooksPath');
  });
});

describe('runGit', () => {
  it('a missing git program is DRIVER_MISSING saying what to install', async () => {
    const { runGit } = await import('../../../src/plugins/git/git-process.js');
    const run = runGit(
      { cwd: process.cwd(), args: ['version'], env: { PATH: '/nonexistent' }, signal: new AbortController().signal, timeoutMs: 10_000, maxOutput: 1000 },
      'git-not-installed-here',
    );
    await expect(run).rejects.toMatchObject({ code: 'DRIVER_MISSING', message: expect.stringContaining('install git') });
  });
});
