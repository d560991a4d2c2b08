import type { ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext } from '../editor-context.js';

/** `list_workspaces`: the roots the editor works in, and its limits. */
export function listWorkspacesTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'list_workspaces',
    title: 'Show the workspaces',
    description: 'Show the workspace folders this editor works in (relative paths go to the first), the largest file it handles, and the file types it may touch.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    call: async () => {
      const roots = editor.workspace.roots.map((root) => root.real);
      const allowed = editor.config.allowed_extensions;
      const text = [
        `workspaces: ${roots.join(', ')} (relative paths resolve in ${roots[0]})`,
        `max_file_size: ${editor.policy.maxBytes} bytes`,
        `allowed files: ${allowed.length === 0 ? 'all' : allowed.join(', ')}`,
        ...(editor.config.read_only ? ['read-only: the tools that change files are not offered'] : []),
      ].join('\n');
      return done(text, { workspaces: roots, max_file_size: editor.policy.maxBytes, allowed_extensions: allowed, read_only: editor.config.read_only });
    },
  };
}
