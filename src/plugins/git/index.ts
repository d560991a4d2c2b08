import { defineServiceType } from '../../sdk/define-service-type.js';
import type { ServiceType, ToolDefinition } from '../../sdk/service-type.js';
import { branchTools } from './branch-tools.js';
import { changeTools } from './change-tools.js';
import { type GitConfig, gitConfigSchema } from './config.js';
import { GitService } from './git-service.js';
import { readTools } from './read-tools.js';
import { remoteTools } from './remote-tools.js';

/**
 * The built-in `git` plugin (ADR-020): repositories in a workspace folder, worked on with the machine's
 * `git` program — status, diff, log, show, branches, add, commit, merge, fetch, pull, push, clone, init.
 * Argv only, never a shell; names and URLs are checked before git sees them; repository hooks and
 * config that would run programs are neutralised. See docs/plugins/git.md.
 *
 * @example
 * plugins:
 *   git:
 *     enabled: true
 *     config:
 *       default_branch: "main"
 *       auth_methods: ["ssh", "https"]
 *       clone_depth: 50
 */
export const gitServiceType: ServiceType<GitConfig> = defineServiceType({
  name: 'git',
  version: '1.0.0',
  category: 'git',
  description: 'Git repositories in a workspace: status, diff, log, branches, commit, merge, clone, fetch, pull, push',
  capabilities: ['tools'],
  configSchema: gitConfigSchema,
  create(ctx) {
    const git = new GitService(ctx);
    const tools: readonly ToolDefinition[] = [...readTools(git), ...changeTools(git), ...branchTools(git), ...remoteTools(git)];
    return {
      start: (signal) => git.start(signal),
      health: (signal) => git.health(signal),
      tools: () => tools,
    };
  },
});

export default gitServiceType;
