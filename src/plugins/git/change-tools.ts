import type { CallContext, ToolDefinition } from '../../sdk/service-type.js';
import type { GitService, Repository } from './git-service.js';
import { LOG_FORMAT, parseLog } from './history-parse.js';
import { hasCommits } from './read-tools.js';
import { gitFailure } from './git-errors.js';
import { PATHS_PROPERTY, paths, REPO_PROPERTY, repoTool, REVISION_PROPERTY, revision, textResult } from './tool-kit.js';

const WRITES = { readOnlyHint: false, openWorldHint: false } as const;

/** add, commit and merge: they change the index, the working tree and the history of one repository. */
export function changeTools(git: GitService): ToolDefinition[] {
  return [
    repoTool(git, {
      name: 'add',
      title: 'Stage files',
      description: 'Stage files for the next commit: the paths given, or every change (all: true, including deletions and new files)',
      inputSchema: {
        type: 'object',
        properties: { repo: REPO_PROPERTY, paths: PATHS_PROPERTY, all: { type: 'boolean', description: 'Stage every change in the working tree' } },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: { ...WRITES, destructiveHint: false, idempotentHint: true },
      async run(repo, args, ctx) {
        const list = paths(git, args, 'paths');
        if (list.length === 0 && args.all !== true) throw git.invalid('give paths to stage, or all: true to stage every change');
        await git.ok(repo.dir, ['add', ...(args.all === true ? ['--all'] : []), '--', ...list], ctx, `git add in "${repo.name}"`);
        const staged = await stagedFiles(git, repo, ctx);
        return textResult(`${repo.name}: ${staged.length} file(s) staged${staged.length ? `:\n${staged.join('\n')}` : ''}`, { staged });
      },
    }),
    repoTool(git, {
      name: 'commit',
      title: 'Commit staged changes',
      description: `Record the staged changes as a commit (all: true stages changes to tracked files first). The author is the service's (${git.config.author_name} <${git.config.author_email}>)`,
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          message: { type: 'string', minLength: 1, maxLength: 100_000, description: 'The commit message: a subject line, optionally a blank line and a body' },
          all: { type: 'boolean', description: 'Stage modified and deleted tracked files first (like git commit -a); new files still need add' },
          allow_empty: { type: 'boolean', description: 'Commit even when nothing changed' },
        },
        required: ['repo', 'message'],
        additionalProperties: false,
      },
      annotations: { ...WRITES, destructiveHint: false, idempotentHint: false },
      async run(repo, args, ctx) {
        const message = String(args.message);
        if (message.includes('\0')) throw git.invalid('message must not contain NUL characters');
        if (args.allow_empty !== true && !(await hasChanges(git, repo, ctx, args.all === true))) {
          throw git.invalid(
            `nothing to commit in "${repo.name}": ${args.all === true ? 'no tracked file changed' : 'nothing is staged'} — stage changes with the add tool first (or allow_empty: true)`,
          );
        }
        const flags = [...(args.all === true ? ['--all'] : []), ...(args.allow_empty === true ? ['--allow-empty'] : [])];
        await git.ok(repo.dir, ['commit', '--quiet', '--cleanup=strip', '--file=-', ...flags], ctx, `git commit in "${repo.name}"`, { input: message });
        const commit = await headCommit(git, repo, ctx);
        return textResult(`${repo.name}: committed ${commit?.short ?? ''} ${commit?.subject ?? ''}`.trimEnd(), { commit });
      },
    }),
    repoTool(git, {
      name: 'merge',
      title: 'Merge a branch',
      description:
        'Merge a branch or revision into the current branch. On conflicts the repository is left mid-merge, as git leaves it, and the conflicted files are listed: ' +
        'resolve them, add and commit — or call merge again with abort: true to go back to the state before the merge',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          rev: REVISION_PROPERTY('The branch or revision to merge into the current branch'),
          ff: { type: 'string', enum: ['auto', 'only', 'never'], description: 'Fast-forward: auto (default), only (fail unless possible), never (always a merge commit)' },
          message: { type: 'string', minLength: 1, maxLength: 100_000, description: 'Message of the merge commit (default: git\'s "Merge branch …")' },
          abort: { type: 'boolean', description: 'Abort the merge in progress, discarding its partial result (git merge --abort)' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      // abort: true throws away a merge in progress, conflict resolutions included.
      annotations: { ...WRITES, destructiveHint: true, idempotentHint: false },
      async run(repo, args, ctx) {
        if (args.abort === true) {
          if (args.rev !== undefined) throw git.invalid('abort takes no rev: it aborts the merge in progress');
          await git.ok(repo.dir, ['merge', '--abort'], ctx, `git merge --abort in "${repo.name}"`);
          return textResult(`${repo.name}: merge aborted; the working tree is back to where it was before the merge`, { aborted: true });
        }
        const rev = revision(git, args, 'rev');
        if (rev === undefined) throw git.invalid('give rev: the branch or revision to merge (or abort: true)');
        const ff = args.ff === 'only' ? ['--ff-only'] : args.ff === 'never' ? ['--no-ff'] : [];
        const text = args.message !== undefined ? String(args.message) : undefined;
        if (text?.includes('\0')) throw git.invalid('message must not contain NUL characters');
        // The message is glued to its option (--message=…), so no value is ever read as an option of its own.
        const message = text !== undefined ? [`--message=${text}`] : [];
        const before = await headCommit(git, repo, ctx);
        const output = await git.run(repo.dir, ['merge', '--no-edit', '--no-stat', '--no-progress', ...ff, ...message, '--end-of-options', rev], ctx);
        if (output.exitCode !== 0) {
          const conflicts = await conflictedFiles(git, repo, ctx);
          if (conflicts.length > 0) {
            return {
              isError: true,
              content: [
                {
                  type: 'text',
                  text:
                    `[${git.name}] merging ${rev} into "${repo.name}" stopped with conflicts in ${conflicts.length} file(s): ${conflicts.join(', ')}. ` +
                    'The repository is left mid-merge as git leaves it, with conflict markers in those files: edit them, stage them with add and commit — ' +
                    'or call merge with abort: true to undo the merge.',
                },
              ],
              structuredContent: { merged: false, conflicts },
            };
          }
          throw gitFailure(git.name, `git merge ${rev} in "${repo.name}"`, output);
        }
        const after = await headCommit(git, repo, ctx);
        const upToDate = before?.hash === after?.hash;
        const how = upToDate ? 'already up to date' : after && after.parents.length > 1 ? `merge commit ${after.short}` : `fast-forward to ${after?.short}`;
        return textResult(`${repo.name}: merged ${rev} — ${how}`, { merged: true, upToDate, commit: after });
      },
    }),
  ];
}

async function stagedFiles(git: GitService, repo: Repository, ctx: CallContext): Promise<string[]> {
  const output = await git.ok(repo.dir, ['diff', '--cached', '--name-only', '-z', '--no-ext-diff', '--no-textconv'], ctx, `git diff in "${repo.name}"`);
  return output.stdout.toString('utf8').split('\0').filter(Boolean);
}

async function conflictedFiles(git: GitService, repo: Repository, ctx: CallContext): Promise<string[]> {
  const output = await git.run(repo.dir, ['diff', '--name-only', '--diff-filter=U', '-z', '--no-ext-diff', '--no-textconv'], ctx);
  return output.stdout.toString('utf8').split('\0').filter(Boolean);
}

/** Whether a commit would record anything: staged changes, or (all) changed tracked files. */
async function hasChanges(git: GitService, repo: Repository, ctx: CallContext, all: boolean): Promise<boolean> {
  const staged = await git.run(repo.dir, ['diff', '--cached', '--quiet', '--no-ext-diff', '--no-textconv'], ctx);
  if (staged.exitCode === 1) return true;
  // A merge in progress commits even when the result equals HEAD.
  const merging = await git.run(repo.dir, ['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'], ctx);
  if (merging.exitCode === 0) return true;
  if (!all) return false;
  const tracked = await git.run(repo.dir, ['diff', '--quiet', '--no-ext-diff', '--no-textconv'], ctx);
  return tracked.exitCode === 1;
}

/** The commit HEAD points at, or undefined before the first commit. */
export async function headCommit(git: GitService, repo: Repository, ctx: CallContext) {
  if (!(await hasCommits(git, repo.dir, ctx))) return undefined;
  const output = await git.ok(repo.dir, ['log', '-z', LOG_FORMAT, '--max-count=1', '--end-of-options', 'HEAD', '--'], ctx, `git log in "${repo.name}"`);
  return parseLog(output.stdout.toString('utf8'))[0];
}

