import { promises as fs } from 'node:fs';
import type { ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { linkNoReplace, lstatOrNone } from '../file-io.js';
import { errnoOf, fsFailure, refuse } from '../fs-errors.js';
import { isWithin } from '../path-input.js';

/** `move`: renames a file, link or folder inside the workspace roots; never replaces a folder. */
export function moveTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'move',
    title: 'Move or rename',
    description:
      'Move or rename a file, symbolic link or folder within the workspace. Fails when the destination exists, unless overwrite: true (which replaces a file, never a folder).',
    inputSchema: {
      type: 'object',
      properties: {
        from: PATH_SCHEMA,
        to: PATH_SCHEMA,
        overwrite: { type: 'boolean', default: false, description: 'Replace an existing file at the destination' },
        create_parents: { type: 'boolean', default: false, description: 'Create missing folders of the destination' },
      },
      required: ['from', 'to'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    call: (args) => move(editor, args),
  };
}

export async function move(editor: EditorContext, args: Record<string, unknown>) {
  const { workspace: ws, policy } = editor;
  return ws.within(args.from, { follow: false, argument: 'from' }, (source) =>
    ws.within(args.to, { follow: false, argument: 'to', createParents: args.create_parents === true }, async (destination) => {
      if (source.name === '') throw refuse(editor.service, `${source.display} is a workspace root; it cannot be moved`);
      if (destination.name === '') throw refuse(editor.service, `${destination.display} is a workspace root; name a path inside it`);
      const from = ws.at(source.dir, source.name);
      const to = ws.at(destination.dir, destination.name);
      const stat = await lstatOrNone(from);
      if (!stat) throw refuse(editor.service, `cannot move ${source.display}: it does not exist — list_directory shows what does`);
      if (stat.isFile()) {
        policy.checkName(source.name, source.display);
        policy.checkName(destination.name, destination.display);
      }
      const sourceReal = `${source.dir.real}/${source.name}`;
      if (stat.isDirectory() && isWithin(destination.dir.real, sourceReal)) {
        throw refuse(editor.service, `cannot move the folder ${source.display} into itself (${destination.display})`);
      }
      const existing = await lstatOrNone(to);
      if (existing && sourceReal === `${destination.dir.real}/${destination.name}`) {
        return done(`${source.display} is already at ${destination.display}`, { from: source.display, to: destination.display, moved: false });
      }
      if (existing) {
        if (args.overwrite !== true) throw refuse(editor.service, `${destination.display} already exists — pass overwrite: true to replace it, or choose another name`);
        if (existing.isDirectory()) throw refuse(editor.service, `${destination.display} is a folder; move does not replace folders`);
        if (stat.isDirectory()) throw refuse(editor.service, `${destination.display} is a file; a folder does not replace a file`);
        if (existing.isFile()) policy.checkLinks(existing, destination.display);
      }
      try {
        if (existing || stat.isDirectory()) {
          await fs.rename(from, to);
        } else {
          // link(2) refuses an existing name atomically, where rename(2) would silently replace it.
          await linkNoReplace(from, to);
          await fs.unlink(from).catch((error: unknown) => {
            if (errnoOf(error) !== 'ENOENT') throw error; // ENOENT: the fallback renamed it
          });
        }
      } catch (error) {
        if (errnoOf(error) === 'EEXIST' || errnoOf(error) === 'ENOTEMPTY') {
          throw refuse(editor.service, `${destination.display} already exists — pass overwrite: true to replace it, or choose another name`);
        }
        throw fsFailure(error, editor.service, `move ${source.display} to`, destination.display);
      }
      await source.dir.handle.sync();
      await destination.dir.handle.sync();
      return done(`moved ${source.display} to ${destination.display}`, { from: source.display, to: destination.display, moved: true });
    }),
  );
}
