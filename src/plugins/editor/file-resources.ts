import { promises as fs } from 'node:fs';
import { posix } from 'node:path';
import { GatewayError, isGatewayError, type ResourceTemplateDefinition } from '../../sdk/index.js';
import type { EditorContext } from './editor-context.js';
import { readFileAt } from './file-io.js';
import { binaryReason } from './text-codec.js';

/** Completion values offered for one path prefix, at most. */
const MAX_COMPLETIONS = 100;

const MIME_TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.ts': 'text/x-typescript',
  '.go': 'text/x-go',
  '.py': 'text/x-python',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
};

/**
 * Files of the workspace as resources: `editor://<service>/{+path}`, the path percent-decoded as URIs
 * are (then confined exactly like a tool's path argument). Text files come back as text, others as a
 * base64 blob. The path variable completes from the folder the user is typing in.
 *
 * @example editor://editor/notes/todo.md
 */
export function fileResourceTemplate(editor: EditorContext): ResourceTemplateDefinition {
  const prefix = `editor://${editor.service}/`;
  return {
    uriTemplate: `${prefix}{+path}`,
    name: `${editor.service} files`,
    title: 'A file of the workspace',
    description: 'A file of the workspace by its path (relative to the first workspace root)',
    read: async (uri, variables) => {
      let path: string;
      try {
        path = decodeURIComponent(String(variables.path));
      } catch {
        throw new GatewayError('INVALID_ARGUMENTS', `${uri} has a broken %-escape`, { service: editor.service, data: { uri } });
      }
      try {
        return await editor.workspace.within(path, { follow: true }, async (target) => {
          editor.policy.checkName(target.name, target.display);
          const { bytes } = await readFileAt(editor.workspace, target, editor.policy);
          const mimeType = MIME_TYPES[posix.extname(target.name).toLowerCase()];
          if (binaryReason(bytes) === undefined) return { contents: [{ uri, mimeType: mimeType ?? 'text/plain', text: bytes.toString('utf8') }] };
          return { contents: [{ uri, mimeType: mimeType ?? 'application/octet-stream', blob: bytes.toString('base64') }] };
        });
      } catch (error) {
        if (isGatewayError(error) && error.data?.errno === 'ENOENT') {
          throw new GatewayError('UNKNOWN_RESOURCE', `Resource not found: ${uri} (no such file in the workspace)`, { service: editor.service, data: { uri } });
        }
        throw error;
      }
    },
    complete: {
      path: async (value) => {
        const folder = value.includes('/') ? value.slice(0, value.lastIndexOf('/') + 1) : '';
        const start = value.slice(folder.length);
        try {
          return await editor.workspace.within(folder === '' ? '.' : folder, { follow: true }, (target) =>
            editor.workspace.inFolder(target, 'list', async (dir) => {
              const entries = await fs.readdir(editor.workspace.at(dir, ''), { withFileTypes: true });
              return entries
                .filter((entry) => entry.name.startsWith(start) && (start.startsWith('.') || !entry.name.startsWith('.')))
                .map((entry) => `${folder}${entry.name}${entry.isDirectory() ? '/' : ''}`)
                .sort()
                .slice(0, MAX_COMPLETIONS);
            }),
          );
        } catch {
          return []; // nothing to offer for a folder that does not exist or is refused
        }
      },
    },
  };
}
