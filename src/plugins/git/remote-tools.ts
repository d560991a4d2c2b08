import { basename } from 'node:path';
import type { CallToolResult } from '../../sdk/index.js';
import type { CallContext, ToolDefinition } from '../../sdk/service-type.js';
import { headCommit } from './change-tools.js';
import { gitFailure } from './git-errors.js';
import type { GitOutput } from './git-process.js';
import type { GitService, Repository } from './git-service.js';
import { branchName, REPO_PROPERTY, repoTool, textResult } from './tool-kit.js';
import { printable } from './workspace.js';

const REMOTE_PROPERTY = {
  type: 'string',
  minLength: 1,
  maxLength: 2048,
  description: 'A configured remote (default: the branch upstream\'s remote, else origin) or a URL on an allowed transport',
} as const;
const BRANCH_PROPERTY = { type: 'string', minLength: 1, maxLength: 255 } as const;
/** Network commands: they talk to a remote, so the open world is involved. */
const NETWORK = { readOnlyHint: false, openWorldHint: true } as const;

/** fetch, pull, push and clone: the commands that talk to remotes. They report progress. */
export function remoteTools(git: GitService): ToolDefinition[] {
  return [
    repoTool(git, {
      name: 'fetch',
      title: 'Fetch from a remote',
      description: 'Download commits and branches from a remote into remote-tracking branches; the working tree is not touched',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          remote: REMOTE_PROPERTY,
          branch: { ...BRANCH_PROPERTY, description: 'Fetch only this branch of the remote' },
          prune: { type: 'boolean', description: 'Remove remote-tracking branches that no longer exist on the remote' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: { ...NETWORK, destructiveHint: false, idempotentHint: true },
      async run(repo, args, ctx) {
        const remote = await git.remote(repo, await remoteOf(git, repo, args, ctx), ctx);
        const branch = args.branch !== undefined ? branchName(git, args, 'branch') : undefined;
        const output = await network(git, repo.dir, ['fetch', '--progress', ...(args.prune === true ? ['--prune'] : []), '--', remote, ...(branch ? [branch] : [])], ctx, `git fetch ${printable(remote)} in "${repo.name}"`);
        const updates = refUpdates(output.stderr);
        return textResult(`${repo.name}: fetched from ${remote}${updates.length ? `\n${updates.join('\n')}` : ' — already up to date'}`, { remote, updates });
      },
    }),
    repoTool(git, {
      name: 'pull',
      title: 'Pull from a remote',
      description:
        'Fetch and merge a remote branch into the current branch (never rebases). Conflicts leave the repository mid-merge and are listed: resolve and commit, or merge abort: true',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          remote: REMOTE_PROPERTY,
          branch: { ...BRANCH_PROPERTY, description: 'The remote branch to merge (default: the current branch\'s upstream)' },
          ff_only: { type: 'boolean', description: 'Only fast-forward; fail instead of creating a merge commit' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: { ...NETWORK, destructiveHint: false, idempotentHint: false },
      async run(repo, args, ctx) {
        const remote = await git.remote(repo, await remoteOf(git, repo, args, ctx), ctx);
        const branch = args.branch !== undefined ? branchName(git, args, 'branch') : undefined;
        const before = await headCommit(git, repo, ctx);
        const pullArgs = ['pull', '--progress', '--no-rebase', '--no-edit', '--no-stat', ...(args.ff_only === true ? ['--ff-only'] : []), '--', remote, ...(branch ? [branch] : [])];
        const output = await git.run(repo.dir, pullArgs, ctx, { progress: true });
        if (output.exitCode !== 0) return conflictsOrFailure(git, repo, output, ctx, `pulling ${branch ?? 'the upstream'} from ${remote} into "${repo.name}"`);
        const after = await headCommit(git, repo, ctx);
        const changed = before?.hash !== after?.hash;
        return textResult(`${repo.name}: pulled from ${remote} — ${changed ? `now at ${after?.short} ${after?.subject}` : 'already up to date'}`, {
          remote,
          upToDate: !changed,
          commit: after,
        });
      },
    }),
    repoTool(git, {
      name: 'push',
      title: 'Push to a remote',
      description:
        'Upload a local branch (default: the current one) to the same-named branch of a remote' +
        (git.config.allow_force_push ? '; force: true overwrites remote history (--force-with-lease)' : '; history is never overwritten (allow_force_push is off)'),
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          remote: REMOTE_PROPERTY,
          branch: { ...BRANCH_PROPERTY, description: 'The local branch to push (default: the current branch)' },
          set_upstream: { type: 'boolean', description: 'Make the pushed branch the upstream of the local one' },
          ...(git.config.allow_force_push ? { force: { type: 'boolean', description: 'Overwrite the remote branch if nobody else changed it since the last fetch' } } : {}),
        },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: { ...NETWORK, destructiveHint: git.config.allow_force_push, idempotentHint: true },
      async run(repo, args, ctx) {
        const remote = await git.remote(repo, await remoteOf(git, repo, args, ctx), ctx, true);
        const branch = args.branch !== undefined ? branchName(git, args, 'branch') : await currentBranch(git, repo, ctx);
        if (args.force === true && !git.config.allow_force_push) throw git.invalid('force push is off for this service (allow_force_push: false)');
        const flags = [...(args.set_upstream === true ? ['--set-upstream'] : []), ...(args.force === true ? ['--force-with-lease'] : [])];
        const refspec = `refs/heads/${branch}:refs/heads/${branch}`;
        const output = await network(git, repo.dir, ['push', '--progress', '--porcelain', ...flags, '--', remote, refspec], ctx, `git push ${branch} to ${printable(remote)} from "${repo.name}"`);
        const line = output.stdout.toString('utf8').split('\n').find((text) => text.includes(refspec));
        const summary = line?.split('\t')[2]?.trim() ?? 'done';
        return textResult(`${repo.name}: pushed ${branch} to ${remote} — ${summary}`, { remote, branch, summary });
      },
    }),
    {
      name: 'clone',
      title: 'Clone a repository',
      description:
        `Clone a remote repository into a new folder of the workspace (history depth ${git.config.clone_depth || 'full'} unless depth is given). ` +
        `Allowed transports: ${[...git.config.auth_methods, ...git.config.allow_protocols].join(', ')}`,
      inputSchema: {
        type: 'object',
        properties: {
          url: { type: 'string', minLength: 1, maxLength: 2048, description: 'The repository to clone: https://…, ssh://…, user@host:path, or as allowed' },
          repo: { ...REPO_PROPERTY, description: 'The new folder, relative to the workspace (default: the name in the URL)' },
          depth: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'Commits of history to fetch; 0 for all (default: clone_depth)' },
          branch: { ...BRANCH_PROPERTY, description: 'Check out this branch instead of the remote\'s default' },
        },
        required: ['url'],
        additionalProperties: false,
      },
      annotations: { ...NETWORK, destructiveHint: false, idempotentHint: false },
      async call(args, ctx) {
        const url = String(args.url);
        const source = await git.location(url, 'url');
        const name = args.repo !== undefined ? String(args.repo) : defaultFolder(url);
        if (!name) throw git.invalid(`cannot tell a folder name from url "${printable(url)}": give repo`);
        const dir = await git.workspace.fresh(name, 'repo');
        const depth = typeof args.depth === 'number' ? args.depth : git.config.clone_depth;
        const branch = args.branch !== undefined ? branchName(git, args, 'branch') : undefined;
        const flags = [
          ...(depth > 0 ? [`--depth=${depth}`, ...(branch ? [] : ['--no-single-branch'])] : []),
          ...(branch ? [`--branch=${branch}`] : []),
        ];
        await network(git, await git.workspace.root(), ['clone', '--progress', '--no-recurse-submodules', ...flags, '--', source, dir], ctx, `git clone ${printable(url)}`);
        const repo = { name, dir };
        const commit = await headCommit(git, repo, ctx);
        return textResult(`cloned ${url} into "${name}"${commit ? ` at ${commit.short} ${commit.subject}` : ' (empty repository)'}${depth > 0 ? `, depth ${depth}` : ''}`, {
          repo: name,
          depth: depth > 0 ? depth : undefined,
          commit,
        });
      },
    },
  ];
}

/** Runs a network command with progress reports; throws on failure. */
async function network(git: GitService, cwd: string, args: string[], ctx: CallContext, what: string): Promise<GitOutput> {
  const output = await git.run(cwd, args, ctx, { progress: true });
  if (output.exitCode !== 0) throw gitFailure(git.name, what, output);
  return output;
}

/** The remote a call names, or the current branch's upstream remote, or origin. */
async function remoteOf(git: GitService, repo: Repository, args: Record<string, unknown>, ctx: CallContext): Promise<string> {
  if (args.remote !== undefined) return String(args.remote);
  const branch = await git.run(repo.dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'], ctx);
  const name = branch.stdout.toString('utf8').trim();
  if (branch.exitCode === 0 && name) {
    const upstream = await git.run(repo.dir, ['config', '--get', '--', `branch.${name}.remote`], ctx);
    const remote = upstream.stdout.toString('utf8').trim();
    if (upstream.exitCode === 0 && remote && remote !== '.') return remote;
  }
  return 'origin';
}

async function currentBranch(git: GitService, repo: Repository, ctx: CallContext): Promise<string> {
  const output = await git.run(repo.dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'], ctx);
  const name = output.stdout.toString('utf8').trim();
  if (output.exitCode !== 0 || !name) throw git.invalid(`"${repo.name}" has no current branch (detached HEAD): give branch`);
  return name;
}

/** A failed pull that stopped with conflicts is reported like merge does; any other failure is an error. */
async function conflictsOrFailure(git: GitService, repo: Repository, output: GitOutput, ctx: CallContext, what: string): Promise<CallToolResult> {
  const listing = await git.run(repo.dir, ['diff', '--name-only', '--diff-filter=U', '-z', '--no-ext-diff', '--no-textconv'], ctx);
  const conflicts = listing.stdout.toString('utf8').split('\0').filter(Boolean);
  if (conflicts.length === 0) throw gitFailure(git.name, what, output);
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text:
          `[${git.name}] ${what} stopped with conflicts in ${conflicts.length} file(s): ${conflicts.join(', ')}. ` +
          'The repository is left mid-merge as git leaves it: edit those files, stage them with add and commit — or call merge with abort: true to undo.',
      },
    ],
    structuredContent: { merged: false, conflicts },
  };
}

/** The lines of fetch's stderr that report updated refs (` * [new branch] main -> origin/main`). */
function refUpdates(stderr: string): string[] {
  return stderr
    .split(/[\r\n]+/)
    .filter((line) => /^ [ +*!=t-] /.test(line) || /^ [0-9a-f]+\.\.[.]?[0-9a-f]+ /.test(line))
    .map((line) => line.trim());
}

/** `https://host/acme/app.git` → `app`, as git itself names the folder. */
function defaultFolder(url: string): string {
  const last = basename(url.replace(/[/:]+$/, '').replace(/\.git$/, '').replace(/\/\.git$/, '')).replace(/^.*:/, '');
  return /^[A-Za-z0-9._-]+$/.test(last) && !last.startsWith('.') && !last.startsWith('-') ? last : '';
}
