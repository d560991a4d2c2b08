import type { ToolDefinition } from '../../sdk/service-type.js';
import type { GitService } from './git-service.js';
import { BRANCH_FORMAT, LOG_FORMAT, parseBranches, parseLog, parseNumstat } from './history-parse.js';
import { describeStatus, parseStatus } from './status-parse.js';
import { PATHS_PROPERTY, paths, REPO_PROPERTY, repoTool, REVISION_PROPERTY, revision, textResult, truncatedNote } from './tool-kit.js';

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
/** Options every diff-producing command gets: no external diff program, no textconv filter, no colour. */
const PLAIN_DIFF = ['--no-ext-diff', '--no-textconv', '--no-color'];

/** status, diff, log, show and branches: they read a repository and change nothing. */
export function readTools(git: GitService): ToolDefinition[] {
  const limit = git.config.max_output;
  return [
    repoTool(git, {
      name: 'status',
      title: 'Repository status',
      description: 'Branch, upstream ahead/behind, and staged, unstaged, untracked and conflicted files of a repository',
      inputSchema: { type: 'object', properties: { repo: REPO_PROPERTY }, required: ['repo'], additionalProperties: false },
      annotations: READ_ONLY,
      async run(repo, _args, ctx) {
        const output = await git.ok(repo.dir, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all'], ctx, `git status in "${repo.name}"`);
        const status = parseStatus(output.stdout.toString('utf8'));
        return textResult(describeStatus(status, repo.name) + truncatedNote(output.truncated, limit), { ...status, truncated: output.truncated });
      },
    }),
    repoTool(git, {
      name: 'diff',
      title: 'Show changes',
      description:
        'Changes as a unified diff: working tree against the index (default), staged changes (staged: true), or between revisions (from, to). ' +
        'structuredContent lists each file with added/deleted line counts',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          staged: { type: 'boolean', description: 'Compare the index (what the next commit holds) with HEAD, or with from' },
          from: REVISION_PROPERTY('Compare from this revision (a branch, tag or commit)'),
          to: REVISION_PROPERTY('Compare up to this revision (needs from); without it, from is compared with the working tree'),
          paths: PATHS_PROPERTY,
          context: { type: 'integer', minimum: 0, maximum: 1000, description: 'Lines of context around each change (default 3)' },
          stat: { type: 'boolean', description: 'Only the per-file line counts, no patch' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: READ_ONLY,
      async run(repo, args, ctx) {
        const from = revision(git, args, 'from');
        const to = revision(git, args, 'to');
        if (to !== undefined && from === undefined) throw git.invalid('to needs from: give both revisions to compare, or only from');
        if (to !== undefined && args.staged === true) throw git.invalid('staged compares the index: use it without to');
        const selection = [
          ...(args.staged === true ? ['--cached'] : []),
          '--end-of-options',
          ...(from !== undefined ? [from] : []),
          ...(to !== undefined ? [to] : []),
          '--',
          ...paths(git, args, 'paths'),
        ];
        const what = `git diff in "${repo.name}"`;
        const numstat = await git.ok(repo.dir, ['diff', ...PLAIN_DIFF, '--numstat', '-z', ...selection], ctx, what);
        const files = parseNumstat(numstat.stdout.toString('utf8'));
        if (args.stat === true) {
          const text = files.map((file) => `${file.added ?? '-'}\t${file.deleted ?? '-'}\t${file.from ? `${file.from} -> ` : ''}${file.path}`).join('\n');
          return textResult(text || 'no changes', { files, truncated: numstat.truncated });
        }
        const context = typeof args.context === 'number' ? args.context : 3;
        const patch = await git.ok(repo.dir, ['diff', ...PLAIN_DIFF, `-U${context}`, ...selection], ctx, what);
        const text = patch.stdout.toString('utf8');
        return textResult((text || 'no changes') + truncatedNote(patch.truncated, limit), { files, truncated: patch.truncated });
      },
    }),
    repoTool(git, {
      name: 'log',
      title: 'Commit history',
      description: 'Commits, newest first, from HEAD or a revision, optionally only those touching paths',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          rev: REVISION_PROPERTY('Start from this revision instead of HEAD'),
          paths: PATHS_PROPERTY,
          limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'How many commits (default 20)' },
          skip: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'Skip this many commits first (paging)' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: READ_ONLY,
      async run(repo, args, ctx) {
        const rev = revision(git, args, 'rev');
        const count = typeof args.limit === 'number' ? args.limit : 20;
        const skip = typeof args.skip === 'number' ? args.skip : 0;
        if (rev === undefined && !(await hasCommits(git, repo.dir, ctx))) {
          return textResult(`${repo.name}: no commits yet`, { commits: [], truncated: false });
        }
        const output = await git.ok(
          repo.dir,
          ['log', '-z', LOG_FORMAT, `--max-count=${count}`, `--skip=${skip}`, '--end-of-options', rev ?? 'HEAD', '--', ...paths(git, args, 'paths')],
          ctx,
          `git log in "${repo.name}"`,
        );
        const commits = parseLog(output.stdout.toString('utf8'));
        const text = commits.map((commit) => `${commit.short} ${commit.author.date.slice(0, 10)} ${commit.author.name}: ${commit.subject}`).join('\n');
        return textResult((text || 'no commits') + truncatedNote(output.truncated, limit), { commits, truncated: output.truncated });
      },
    }),
    repoTool(git, {
      name: 'show',
      title: 'Show a commit or a file at a revision',
      description: 'A commit with its message and patch (or stat), or with path: the content of that file at the revision',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          rev: REVISION_PROPERTY('The revision (default HEAD)'),
          path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Show this file as it is at rev, instead of the commit' },
          stat: { type: 'boolean', description: 'Per-file line counts instead of the patch' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: READ_ONLY,
      async run(repo, args, ctx) {
        const rev = revision(git, args, 'rev') ?? 'HEAD';
        const what = `git show in "${repo.name}"`;
        if (args.path !== undefined) {
          const [path] = paths(git, args, 'path');
          const output = await git.ok(repo.dir, ['show', ...PLAIN_DIFF, '--end-of-options', `${rev}:${path}`], ctx, what);
          if (output.stdout.includes(0)) {
            return textResult(`${path} at ${rev} is a binary file (${output.stdout.length}${output.truncated ? '+' : ''} bytes); not shown`, {
              rev,
              path,
              binary: true,
            });
          }
          return textResult(output.stdout.toString('utf8') + truncatedNote(output.truncated, limit), { rev, path, binary: false, truncated: output.truncated });
        }
        const meta = await git.ok(repo.dir, ['log', '-z', LOG_FORMAT, '--max-count=1', '--end-of-options', rev, '--'], ctx, what);
        const [commit] = parseLog(meta.stdout.toString('utf8'));
        const detail = args.stat === true ? ['--stat'] : ['--patch'];
        const output = await git.ok(repo.dir, ['show', ...PLAIN_DIFF, '--format=fuller', ...detail, '--end-of-options', rev, '--'], ctx, what);
        return textResult(output.stdout.toString('utf8') + truncatedNote(output.truncated, limit), { commit, truncated: output.truncated });
      },
    }),
    repoTool(git, {
      name: 'branches',
      title: 'List branches',
      description: 'Local branches (and remote-tracking ones unless remote: false), with the current one, upstream and ahead/behind',
      inputSchema: {
        type: 'object',
        properties: { repo: REPO_PROPERTY, remote: { type: 'boolean', description: 'Include remote-tracking branches (default true)' } },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: READ_ONLY,
      async run(repo, args, ctx) {
        const refs = args.remote === false ? ['refs/heads'] : ['refs/heads', 'refs/remotes'];
        const output = await git.ok(repo.dir, ['for-each-ref', BRANCH_FORMAT, '--', ...refs], ctx, `git for-each-ref in "${repo.name}"`);
        const branches = parseBranches(output.stdout.toString('utf8'));
        const text = branches.map((branch) => `${branch.current ? '*' : ' '} ${branch.name}${branch.track ? ` [${branch.track}]` : ''} ${branch.commit.slice(0, 12)} ${branch.subject}`);
        const current = branches.find((branch) => branch.current)?.name;
        return textResult(text.join('\n') || 'no branches yet', { current, branches });
      },
    }),
  ];
}

/** False on an unborn branch (a repository without commits). */
export async function hasCommits(git: GitService, dir: string, ctx: Parameters<GitService['run']>[2]): Promise<boolean> {
  const head = await git.run(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'], ctx);
  return head.exitCode === 0;
}
