import { isAbsolute, resolve } from 'node:path';
import { duration, size, z } from '../../sdk/index.js';

/** A folder path from the config: non-empty, no NUL byte (the OS would refuse it later, with a worse message). */
const folder = z
  .string()
  .min(1)
  .max(4096)
  .refine((value) => !value.includes('\0'), 'a folder path cannot contain a NUL byte');

/**
 * One entry of `allowed_extensions`: `.md` (a suffix, so `.tar.gz` works too) or a whole file name
 * without extension such as `Makefile`. Matched case-insensitively.
 */
const extension = z
  .string()
  .min(1)
  .max(255)
  .refine((value) => !/[/\\\0]/.test(value), 'an extension or file name cannot contain /, \\ or a NUL byte')
  .refine((value) => value !== '.', '"." is not an extension: write ".md", or a whole file name like "Makefile"');

/**
 * Config of an `editor` plugin (ADR-020): the workspace folder(s) it is confined to, the largest file
 * it reads or writes, and the file extensions it may touch.
 *
 * @example editorConfigSchema.parse({ workspace_dir: './build/data/workspaces', max_file_size: '10MB' }).max_file_size // 10000000
 */
export const editorConfigSchema = z
  .strictObject({
    workspace_dir: folder
      .optional()
      .describe('The workspace: every path the tools take resolves inside it. Relative to the working directory of the gateway. Created when missing'),
    workspaces: z
      .array(folder)
      .max(64)
      .optional()
      .describe('More workspace folders; each is a root of its own, reached with an absolute path (relative paths go to the first root)'),
    max_file_size: size().default(10_000_000).describe('Largest file the tools read, write, search or format'),
    allowed_extensions: z
      .array(extension)
      .max(1000)
      .default([])
      .describe('File extensions (".md") or whole file names ("Makefile") the tools may touch, case-insensitive; empty: every file'),
    allow_hardlinks: z
      .boolean()
      .default(false)
      .describe('Read and replace files that have more than one hard link (their content may also live outside the workspace)'),
    read_only: z.boolean().default(false).describe('Offer only the tools that read: read_file, list_directory, search, validate'),
    search_timeout: duration().default(10_000).describe('Longest time one search may run (a runaway regular expression is stopped)'),
  })
  .superRefine((config, ctx) => {
    if (config.workspace_dir === undefined && (config.workspaces ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs a workspace: set workspace_dir: (for example ./data/workspace)' });
    }
    if (config.max_file_size < 1) ctx.addIssue({ code: 'custom', path: ['max_file_size'], message: 'must be at least 1 byte' });
  });

export type EditorConfig = z.output<typeof editorConfigSchema>;

/**
 * The absolute workspace folders a validated config names, first the default one. Relative folders
 * resolve against `cwd` — the working directory of the gateway, as the sqlite type's `path:` does —
 * not the config file's folder. Duplicates are dropped.
 *
 * @example workspaceFolders({ workspace_dir: 'ws' }, '/srv') // ['/srv/ws']
 */
export function workspaceFolders(config: Pick<EditorConfig, 'workspace_dir' | 'workspaces'>, cwd = process.cwd()): string[] {
  const all = [...(config.workspace_dir === undefined ? [] : [config.workspace_dir]), ...(config.workspaces ?? [])];
  return [...new Set(all.map((folder) => (isAbsolute(folder) ? resolve(folder) : resolve(cwd, folder))))];
}
