import { promises as fs } from 'node:fs';
import type { ToolDefinition } from '../../../sdk/index.js';
import { done, ENCODING_SCHEMA, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { lstatOrNone, writeAtomic } from '../file-io.js';
import { errnoOf, fsFailure, refuse } from '../fs-errors.js';
import { encodeText, type Encoding } from '../text-codec.js';

/** `create_file`: a new file, refused when the name exists (checked atomically by link(2)). */
export function createFileTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'create_file',
    title: 'Create a file',
    description: 'Create a new file with the given content. Fails if anything already has that name (use write_file to replace a file).',
    inputSchema: {
      type: 'object',
      properties: {
        path: PATH_SCHEMA,
        content: { type: 'string', maxLength: 100_000_000, default: '', description: 'Initial content (default empty)' },
        encoding: ENCODING_SCHEMA,
        create_parents: { type: 'boolean', default: false, description: 'Create missing folders on the way' },
      },
      required: ['path'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    call: (args) => createFile(editor, args),
  };
}

export async function createFile(editor: EditorContext, args: Record<string, unknown>) {
  const data = encodeText(String(args.content ?? ''), (args.encoding as Encoding | undefined) ?? 'utf-8', editor.service);
  return editor.workspace.within(args.path, { follow: false, createParents: args.create_parents === true }, async (target) => {
    if (target.name === '') throw refuse(editor.service, `${target.display} is a workspace folder; name a file inside it`);
    editor.policy.checkName(target.name, target.display);
    editor.policy.checkSize(data.length, target.display, 'the content');
    await writeAtomic(editor.workspace, target, data, { exclusive: true });
    return done(`created ${target.display} (${data.length} bytes)`, { path: target.display, bytes: data.length });
  });
}

/** `create_directory`: a folder (and its missing parents); succeeds when the folder already exists. */
export function createDirectoryTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'create_directory',
    title: 'Create a folder',
    description: 'Create a folder, and any missing folders on the way. Succeeds when it already exists.',
    inputSchema: { type: 'object', properties: { path: PATH_SCHEMA }, required: ['path'], additionalProperties: false },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    call: (args) => createDirectory(editor, args),
  };
}

export async function createDirectory(editor: EditorContext, args: Record<string, unknown>) {
  return editor.workspace.within(args.path, { follow: true, createParents: true }, async (target) => {
    if (target.name === '') return done(`${target.display} already exists`, { path: target.display, created: false });
    const path = editor.workspace.at(target.dir, target.name);
    try {
      await fs.mkdir(path);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw fsFailure(error, editor.service, 'create the folder', target.display);
      const existing = await lstatOrNone(path);
      if (!existing?.isDirectory()) throw refuse(editor.service, `${target.display} already exists and is not a folder`);
      return done(`${target.display} already exists`, { path: target.display, created: false });
    }
    return done(`created the folder ${target.display}`, { path: target.display, created: true });
  });
}
