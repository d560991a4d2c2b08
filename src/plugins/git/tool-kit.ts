import type { CallToolResult } from '../../sdk/index.js';
import type { CallContext, ToolDefinition } from '../../sdk/service-type.js';
import type { GitService, Repository } from './git-service.js';
import { relativePathProblem } from './paths.js';
import { branchNameProblem, revisionProblem } from './refs.js';
import { printable } from './workspace.js';

/** JSON Schema of the `repo` argument every repository tool takes. */
export const REPO_PROPERTY = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  description: 'The repository: its folder relative to the workspace, e.g. "app" or "team/app"',
} as const;

export const REVISION_PROPERTY = (description: string) => ({ type: 'string', minLength: 1, maxLength: 255, description }) as const;

export const PATHS_PROPERTY = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 4096 },
  maxItems: 1000,
  description: 'Paths relative to the repository (literal, no globs)',
} as const;

/** A tool of a repository: `call` gets the checked repository. Tools that change it run one at a time per repository. */
export function repoTool(
  service: GitService,
  definition: Omit<ToolDefinition, 'call'> & { run(repo: Repository, args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> },
): ToolDefinition {
  const { run, ...rest } = definition;
  return {
    ...rest,
    async call(args, ctx) {
      const repo = await service.repository(String(args.repo), ctx);
      if (rest.annotations?.readOnlyHint === true) return run(repo, args, ctx);
      return service.serialized(repo, () => run(repo, args, ctx));
    },
  };
}

export function textResult(text: string, structuredContent?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structuredContent ? { structuredContent } : {}) };
}

/** A revision argument, checked; undefined when absent. */
export function revision(service: GitService, args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  const problem = revisionProblem(String(value));
  if (problem) throw service.invalid(`${key} "${printable(String(value))}" ${problem}`);
  return String(value);
}

/** A branch-name argument, checked. */
export function branchName(service: GitService, args: Record<string, unknown>, key: string): string {
  const value = String(args[key]);
  const problem = branchNameProblem(value);
  if (problem) throw service.invalid(`${key} "${printable(value)}" is not a valid branch name: ${problem}`);
  return value;
}

/** Path arguments, checked; they go after `--`, and pathspecs are literal (GIT_LITERAL_PATHSPECS). */
export function paths(service: GitService, args: Record<string, unknown>, key: string): string[] {
  const value = args[key];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  for (const path of list) {
    const problem = relativePathProblem(path);
    if (problem) throw service.invalid(`${key}: "${printable(path)}" ${problem}; give paths relative to the repository`);
  }
  return list;
}

/** Output cut at max_output says so at the end of the text. */
export function truncatedNote(truncated: boolean, limit: number): string {
  return truncated ? `\n… output cut at ${limit} bytes (max_output); narrow it with paths, a smaller limit, or stat: true` : '';
}
