import type { ToolDefinition } from '../../../sdk/index.js';
import { done, ENCODING_SCHEMA, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { lstatOrNone, writeAtomic } from '../file-io.js';
import { encodeText, type Encoding } from '../text-codec.js';

const CONTENT_SCHEMA = { type: 'string', maxLength: 100_000_000, description: 'The whole new content, in the given encoding' } as const;

/** `write_file`: replaces (or creates) a file atomically, optionally keeping the old one as `<name>.bak`. */
export function writeFileTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'write_file',
    title: 'Write a file',
    description:
      'Write the whole content of a file, creating it or replacing it atomically (readers see the old or the new content, never a mix). backup: true keeps the old content as <name>.bak.',
    inputSchema: {
      type: 'object',
      properties: {
        path: PATH_SCHEMA,
        content: CONTENT_SCHEMA,
        encoding: ENCODING_SCHEMA,
        backup: { type: 'boolean', default: false, description: 'Keep the replaced content as <name>.bak' },
        create_parents: { type: 'boolean', default: false, description: 'Create missing folders on the way' },
      },
      required: ['path', 'content'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    call: (args) => writeFile(editor, args),
  };
}

export async function writeFile(editor: EditorContext, args: Record<string, unknown>) {
  const encoding = (args.encoding as Encoding | undefined) ?? 'utf-8';
  const data = encodeText(String(args.content), encoding, editor.service);
  return editor.workspace.within(args.path, { follow: true, createParents: args.create_parents === true }, async (target) => {
    editor.policy.checkName(target.name, target.display);
    editor.policy.checkSize(data.length, target.display, 'the new content');
    return editor.lock.run(`${target.dir.real}/${target.name}`, async () => {
      const existing = await lstatOrNone(editor.workspace.at(target.dir, target.name));
      if (existing) editor.policy.checkLinks(existing, target.display);
      const { replaced } = await writeAtomic(editor.workspace, target, data, { backup: args.backup === true });
      const backup = replaced && args.backup === true ? `${target.display}.bak` : undefined;
      return done(`${replaced ? 'replaced' : 'created'} ${target.display} (${data.length} bytes)${backup ? `; the old content is in ${backup}` : ''}`, {
        path: target.display,
        bytes: data.length,
        created: !replaced,
        ...(backup ? { backup } : {}),
      });
    });
  });
}
