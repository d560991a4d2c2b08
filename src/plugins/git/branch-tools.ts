import type { ToolDefinition } from '../../sdk/service-type.js';
import { headCommit } from './change-tools.js';
import type { GitService } from './git-service.js';
import { branchName, REPO_PROPERTY, repoTool, REVISION_PROPERTY, revision, textResult } from './tool-kit.js';
import { printable } from './workspace.js';

const BRANCH_PROPERTY = { type: 'string', minLength: 1, maxLength: 255, description: 'The branch name, e.g. feature/login' } as const;

/** create_branch, switch_branch, delete_branch, and init (a new repository in the workspace). */
export function branchTools(git: GitService): ToolDefinition[] {
  return [
    repoTool(git, {
      name: 'create_branch',
      title: 'Create a branch',
      description: 'Create a branch at HEAD or at a start revision; switch: true checks it out as well',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          name: BRANCH_PROPERTY,
          start: REVISION_PROPERTY('Where the branch starts (default HEAD)'),
          switch: { type: 'boolean', description: 'Check the new branch out' },
        },
        required: ['repo', 'name'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      async run(repo, args, ctx) {
        const name = branchName(git, args, 'name');
        const start = revision(git, args, 'start');
        const args_ =
          args.switch === true
            ? ['switch', '--no-progress', '--create', name, '--end-of-options', ...(start ? [start] : [])]
            : ['branch', '--end-of-options', name, ...(start ? [start] : [])];
        await git.ok(repo.dir, args_, ctx, `creating branch ${name} in "${repo.name}"`);
        const commit = await headCommit(git, repo, ctx);
        return textResult(`${repo.name}: created branch ${name}${args.switch === true ? ' and switched to it' : ''}`, {
          branch: name,
          switched: args.switch === true,
          head: commit?.hash,
        });
      },
    }),
    repoTool(git, {
      name: 'switch_branch',
      title: 'Switch branches',
      description: 'Check out a branch (or, with detach: true, any revision). Refused by git when uncommitted changes would be overwritten',
      inputSchema: {
        type: 'object',
        properties: {
          repo: REPO_PROPERTY,
          branch: REVISION_PROPERTY('The branch to switch to (with detach: a revision)'),
          detach: { type: 'boolean', description: 'Check out a revision without a branch (detached HEAD)' },
        },
        required: ['repo', 'branch'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async run(repo, args, ctx) {
        const target = args.detach === true ? revision(git, args, 'branch')! : branchName(git, args, 'branch');
        await git.ok(
          repo.dir,
          ['switch', '--no-progress', ...(args.detach === true ? ['--detach'] : []), '--end-of-options', target],
          ctx,
          `switching "${repo.name}" to ${target}`,
        );
        const commit = await headCommit(git, repo, ctx);
        return textResult(`${repo.name}: now on ${args.detach === true ? `detached ${commit?.short}` : `branch ${target}`}`, {
          branch: args.detach === true ? undefined : target,
          head: commit?.hash,
        });
      },
    }),
    repoTool(git, {
      name: 'delete_branch',
      title: 'Delete a branch',
      description: 'Delete a local branch. Git refuses when its commits are not merged, unless force: true — which can lose those commits',
      inputSchema: {
        type: 'object',
        properties: { repo: REPO_PROPERTY, name: BRANCH_PROPERTY, force: { type: 'boolean', description: 'Delete even when not merged' } },
        required: ['repo', 'name'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      async run(repo, args, ctx) {
        const name = branchName(git, args, 'name');
        const output = await git.ok(
          repo.dir,
          ['branch', '--delete', ...(args.force === true ? ['--force'] : []), '--end-of-options', name],
          ctx,
          `deleting branch ${name} in "${repo.name}"`,
        );
        const was = /\(was ([0-9a-f]+)\)/.exec(output.stdout.toString('utf8'))?.[1];
        return textResult(`${repo.name}: deleted branch ${name}${was ? ` (was ${was}; recreate it with create_branch start: ${was})` : ''}`, {
          deleted: name,
          was,
        });
      },
    }),
    {
      name: 'init',
      title: 'Create a repository',
      description: `Create an empty repository in a new folder of the workspace, on branch ${git.config.default_branch} (default_branch)`,
      inputSchema: {
        type: 'object',
        properties: { repo: { ...REPO_PROPERTY, description: 'The new folder, relative to the workspace; created, must not exist or be empty' } },
        required: ['repo'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      async call(args, ctx) {
        const name = String(args.repo);
        const dir = await git.workspace.fresh(name, 'repo');
        await git.ok(await git.workspace.root(), ['init', '--quiet', `--initial-branch=${git.config.default_branch}`, '--', dir], ctx, `git init "${printable(name)}"`);
        return textResult(`created an empty repository "${name}" on branch ${git.config.default_branch}`, {
          repo: name,
          branch: git.config.default_branch,
        });
      },
    },
  ];
}
