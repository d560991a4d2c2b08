import { promises as fs } from 'node:fs';
import type { ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { globArgument } from '../glob.js';
import { walkTree } from '../tree-walk.js';

const DEFAULT_ENTRIES = 1000;
const MAX_ENTRIES = 10_000;

/** `list_directory`: entries of a folder, optionally recursive, filtered by a glob. */
export function listDirectoryTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'list_directory',
    title: 'List a folder',
    description: `List the entries of a folder (default: the workspace) with kind, size and modification time. recursive: true descends into subfolders (symbolic links are shown, not followed); glob filters by name (*.md) or path (src/**/*.ts). At most ${MAX_ENTRIES} entries.`,
    inputSchema: {
      type: 'object',
      properties: {
        path: { ...PATH_SCHEMA, default: '.' },
        recursive: { type: 'boolean', default: false },
        max_depth: { type: 'integer', minimum: 1, maximum: 64, description: 'How deep recursive goes (default 20)' },
        glob: { type: 'string', minLength: 1, maxLength: 1000, description: 'Only entries whose name (pattern without /) or relative path matches' },
        include_hidden: { type: 'boolean', default: false, description: 'Include names starting with a dot' },
        max_entries: { type: 'integer', minimum: 1, maximum: MAX_ENTRIES, default: DEFAULT_ENTRIES },
      },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    call: (args, call) => listDirectory(editor, args, call.signal),
  };
}

export async function listDirectory(editor: EditorContext, args: Record<string, unknown>, signal: AbortSignal) {
  const { workspace: ws } = editor;
  const limit = (args.max_entries as number | undefined) ?? DEFAULT_ENTRIES;
  const maxDepth = args.recursive === true ? ((args.max_depth as number | undefined) ?? 20) : 1;
  const matches = globArgument(editor.service, args.glob);
  return ws.within(args.path ?? '.', { follow: true }, async (target) => {
    return ws.inFolder(target, 'list', async (dir) => {
      const entries: Record<string, unknown>[] = [];
      let truncated = false;
      for await (const entry of walkTree(ws, dir, { maxDepth, includeHidden: args.include_hidden === true, signal })) {
        if (!matches(entry.relative)) continue;
        if (entries.length >= limit) {
          truncated = true;
          break;
        }
        const stat = await fs.lstat(ws.at(entry.parent, entry.name)).catch(() => undefined);
        entries.push({
          path: entry.relative,
          kind: entry.kind,
          ...(stat && entry.kind === 'file' ? { size: stat.size } : {}),
          ...(stat ? { modified: stat.mtime.toISOString() } : {}),
        });
      }
      const lines = entries.map((entry) => `${entry.kind === 'directory' ? 'd' : entry.kind === 'symlink' ? 'l' : entry.kind === 'file' ? '-' : '?'} ${entry.path}${entry.kind === 'directory' ? '/' : ''}${entry.size !== undefined ? `  (${entry.size} bytes)` : ''}`);
      const footer = truncated ? `\n… more entries not shown (max_entries: ${limit}); narrow with glob or path` : '';
      return done(`${target.display}:\n${lines.join('\n') || '(empty)'}${footer}`, { path: target.display, entries, truncated });
    });
  });
}
