import { constants, promises as fs } from 'node:fs';
import type { CallContext, ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { lstatOrNone } from '../file-io.js';
import { fsFailure, refuse } from '../fs-errors.js';
import type { Dir, Target } from '../workspace.js';
import { walkTree } from '../tree-walk.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** `delete`: a file, a symbolic link (never what it points to) or a folder; needs confirm: true. */
export function deleteTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'delete',
    title: 'Delete a file or folder',
    description:
      'Delete a file, a symbolic link (the link, not its target) or an empty folder; recursive: true deletes a folder with everything in it. Requires confirm: true. Cannot be undone.',
    inputSchema: {
      type: 'object',
      properties: {
        path: PATH_SCHEMA,
        confirm: { type: 'boolean', const: true, description: 'Must be true: confirms that the deletion is intended' },
        recursive: { type: 'boolean', default: false, description: 'Delete a folder together with its content' },
      },
      required: ['path', 'confirm'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    call: (args, call) => deletePath(editor, args, call),
  };
}

export async function deletePath(editor: EditorContext, args: Record<string, unknown>, call: Pick<CallContext, 'signal' | 'progress'>) {
  if (args.confirm !== true) throw refuse(editor.service, 'delete needs confirm: true — deleting cannot be undone');
  const { workspace: ws } = editor;
  return ws.within(args.path, { follow: false }, async (target) => {
    if (target.name === '') throw refuse(editor.service, `${target.display} is a workspace root; it is not deleted (delete what is inside it instead)`);
    const path = ws.at(target.dir, target.name);
    const stat = await lstatOrNone(path);
    if (!stat) throw refuse(editor.service, `cannot delete ${target.display}: it does not exist — list_directory shows what does`);
    try {
      if (!stat.isDirectory()) {
        if (!stat.isSymbolicLink()) editor.policy.checkName(target.name, target.display);
        await fs.unlink(path);
        await target.dir.handle.sync();
        return done(`deleted ${target.display}`, { path: target.display, kind: stat.isSymbolicLink() ? 'symlink' : 'file', deleted: 1 });
      }
      if (args.recursive !== true) {
        await fs.rmdir(path);
        await target.dir.handle.sync();
        return done(`deleted the empty folder ${target.display}`, { path: target.display, kind: 'directory', deleted: 1 });
      }
      const deleted = await removeTree(editor, target, call);
      return done(`deleted the folder ${target.display} and ${deleted - 1} entr${deleted === 2 ? 'y' : 'ies'} in it`, { path: target.display, kind: 'directory', deleted });
    } catch (error) {
      throw fsFailure(error, editor.service, 'delete', target.display);
    }
  });
}

/**
 * Deletes a folder tree through open folder descriptors: links are unlinked, never followed. With
 * allowed_extensions set, a tree holding a file the editor may not touch is refused before anything
 * is deleted.
 */
async function removeTree(editor: EditorContext, target: Target, call: Pick<CallContext, 'signal' | 'progress'>): Promise<number> {
  const { workspace: ws, policy } = editor;
  const handle = await fs.open(ws.at(target.dir, target.name), DIR_FLAGS);
  const top: Dir = { handle, root: target.dir.root, real: ws.procFd ? '' : `${target.dir.real}/${target.name}` };
  try {
    const options = { maxDepth: Number.POSITIVE_INFINITY, includeHidden: true, signal: call.signal };
    if (!policy.unrestricted) {
      for await (const entry of walkTree(ws, top, options)) {
        if (entry.kind === 'file' && !policy.allows(entry.name)) {
          throw refuse(editor.service, `${target.display} holds ${target.display}/${entry.relative}, a file this editor may not touch (allowed_extensions) — nothing was deleted`);
        }
      }
    }
    const count = await removeContents(editor, top, call, { removed: 0 });
    await fs.rmdir(ws.at(target.dir, target.name));
    await target.dir.handle.sync();
    return count + 1;
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Removes everything in `top`, children before parents, each folder opened by name inside its parent. */
async function removeContents(editor: EditorContext, top: Dir, call: Pick<CallContext, 'signal' | 'progress'>, tally: { removed: number }): Promise<number> {
  const { workspace: ws } = editor;
  let count = 0;
  for (const name of await fs.readdir(ws.at(top, ''))) {
    if (call.signal.aborted) throw call.signal.reason;
    if (++tally.removed % 500 === 0) await call.progress(tally.removed, undefined, `deleted ${tally.removed} entries`);
    let handle;
    try {
      handle = await fs.open(ws.at(top, name), DIR_FLAGS);
    } catch {
      await fs.unlink(ws.at(top, name)); // not a folder (or a link to one): the name goes, nothing it points to
      count++;
      continue;
    }
    try {
      count += await removeContents(editor, { handle, root: top.root, real: ws.procFd ? '' : `${top.real}/${name}` }, call, tally);
    } finally {
      await handle.close().catch(() => {});
    }
    await fs.rmdir(ws.at(top, name));
    count++;
  }
  return count;
}
