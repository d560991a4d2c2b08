import { defineServiceType, type ToolDefinition } from '../../sdk/index.js';
import { editorConfigSchema, workspaceFolders } from './config.js';
import type { EditorContext } from './editor-context.js';
import { FilePolicy } from './file-policy.js';
import { KeyLock } from './key-lock.js';
import { atBoundary } from './tool-boundary.js';
import { fileResourceTemplate } from './file-resources.js';
import { createDirectoryTool, createFileTool } from './tools/create.js';
import { deleteTool } from './tools/delete.js';
import { editFileTool } from './tools/edit-file.js';
import { listDirectoryTool } from './tools/list-directory.js';
import { listWorkspacesTool } from './tools/list-workspaces.js';
import { moveTool } from './tools/move.js';
import { readFileTool } from './tools/read-file.js';
import { searchTool } from './tools/search.js';
import { formatTool, validateTool } from './tools/structured.js';
import { writeFileTool } from './tools/write-file.js';
import { Workspace } from './workspace.js';

export { editorConfigSchema, workspaceFolders } from './config.js';
export type { EditorConfig } from './config.js';
export { Workspace } from './workspace.js';
export type { Dir, Root, Target, WalkHook } from './workspace.js';

/**
 * The `editor` plugin (ADR-020): files of one or more workspace folders — read, write (atomic),
 * create, edit by exact replacement, delete, move, list, search, and JSON/YAML validation and
 * formatting. Every path is confined to the workspace roots by a descriptor-based walk (see
 * workspace.ts); `max_file_size` and `allowed_extensions` are enforced; binary files are refused
 * by the text tools. See docs/plugins/editor.md.
 *
 * @example
 * plugins:
 *   editor:
 *     config:
 *       workspace_dir: ./build/data/workspaces
 *       max_file_size: 10MB
 *       allowed_extensions: [".go", ".yaml", ".json", ".md"]
 */
export default defineServiceType({
  name: 'editor',
  version: '1.0.0',
  category: 'editor',
  description: 'Files of a workspace folder: read, write atomically, edit, move, delete, list, search, validate and format JSON/YAML — confined to the workspace',
  capabilities: ['tools', 'resources', 'completions'],
  configSchema: editorConfigSchema,
  create(ctx) {
    const workspace = new Workspace(workspaceFolders(ctx.config), { service: ctx.name });
    const editor: EditorContext = {
      service: ctx.name,
      config: ctx.config,
      workspace,
      policy: new FilePolicy(ctx.config, ctx.name),
      lock: new KeyLock(),
      logger: ctx.logger,
    };
    const tools = editorTools(editor).map((tool) => atBoundary(tool, ctx.name, ctx.logger));
    const templates = [fileResourceTemplate(editor)];
    return {
      async start() {
        await workspace.open();
        ctx.logger.info({ workspaces: workspace.roots.map((root) => root.real), procFd: workspace.procFd }, 'editor workspace ready');
        if (!workspace.procFd) {
          ctx.logger.warn('no /proc/self/fd on this system: paths are checked by real path, which a concurrent rename can race — see docs/plugins/editor.md');
        }
      },
      async health() {
        for (const root of workspace.roots) await (await workspace.openRoot(root)).handle.close();
        return { healthy: true, detail: workspace.roots.map((root) => root.real).join(', ') };
      },
      tools: () => tools,
      resourceTemplates: () => templates,
    };
  },
});

/** The tools of an editor service; with read_only, only those that read. */
export function editorTools(editor: EditorContext): ToolDefinition[] {
  const reading = [readFileTool(editor), listDirectoryTool(editor), searchTool(editor), validateTool(editor), listWorkspacesTool(editor)];
  if (editor.config.read_only) return reading;
  return [
    ...reading,
    writeFileTool(editor),
    createFileTool(editor),
    createDirectoryTool(editor),
    editFileTool(editor),
    moveTool(editor),
    deleteTool(editor),
    formatTool(editor),
  ];
}
