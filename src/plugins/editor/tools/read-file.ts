import type { ToolDefinition } from '../../../sdk/index.js';
import { done, ENCODING_SCHEMA, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { readFileAt } from '../file-io.js';
import { refuse } from '../fs-errors.js';
import { decodeText, type Encoding } from '../text-codec.js';

/** `read_file`: a whole text file or a range of its lines; base64 for bytes. */
export function readFileTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'read_file',
    title: 'Read a file',
    description: `Read a file of the workspace: all of it, or lines start_line..end_line (1-based, inclusive). Text files only unless encoding is base64; at most ${editor.policy.maxBytes} bytes.`,
    inputSchema: {
      type: 'object',
      properties: {
        path: PATH_SCHEMA,
        start_line: { type: 'integer', minimum: 1, description: 'First line to return (1-based)' },
        end_line: { type: 'integer', minimum: 1, description: 'Last line to return (inclusive)' },
        encoding: ENCODING_SCHEMA,
      },
      required: ['path'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    call: (args) => readFile(editor, args),
  };
}

export async function readFile(editor: EditorContext, args: Record<string, unknown>) {
  const encoding = (args.encoding as Encoding | undefined) ?? 'utf-8';
  const start = args.start_line as number | undefined;
  const end = args.end_line as number | undefined;
  if ((start !== undefined || end !== undefined) && encoding === 'base64') {
    throw refuse(editor.service, 'start_line/end_line select lines of text; with encoding: base64 the whole file is returned — drop them');
  }
  if (start !== undefined && end !== undefined && end < start) throw refuse(editor.service, `end_line (${end}) is before start_line (${start})`);
  return editor.workspace.within(args.path, { follow: true }, async (target) => {
    editor.policy.checkName(target.name, target.display);
    const { bytes } = await readFileAt(editor.workspace, target, editor.policy);
    const text = decodeText(bytes, encoding, target.display, editor.service);
    if (start === undefined && end === undefined) {
      return done(text, { path: target.display, size: bytes.length, encoding });
    }
    const lines = text.split(/(?<=\n)/);
    const total = text === '' ? 0 : lines.length;
    const first = start ?? 1;
    if (first > total) throw refuse(editor.service, `${target.display} has ${total} line(s); start_line ${first} is past the end`);
    const last = Math.min(end ?? total, total);
    return done(lines.slice(first - 1, last).join(''), { path: target.display, size: bytes.length, encoding, start_line: first, end_line: last, total_lines: total });
  });
}
