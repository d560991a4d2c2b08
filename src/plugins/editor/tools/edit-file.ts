import type { ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { readFileAt, writeAtomic } from '../file-io.js';
import { refuse } from '../fs-errors.js';
import { decodeText } from '../text-codec.js';

/** Line numbers listed in an "ambiguous" message. */
const SHOWN_LINES = 10;

/** `edit_file`: replaces an exact piece of text, refusing when it is missing or ambiguous. */
export function editFileTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'edit_file',
    title: 'Edit a file',
    description:
      'Replace an exact piece of text in a UTF-8 file. old_text must occur exactly once (include surrounding lines to make it unique), or pass replace_all: true. The file is rewritten atomically.',
    inputSchema: {
      type: 'object',
      properties: {
        path: PATH_SCHEMA,
        old_text: { type: 'string', minLength: 1, maxLength: 10_000_000, description: 'The exact text to replace, whitespace and line breaks included' },
        new_text: { type: 'string', maxLength: 10_000_000, description: 'What replaces it (may be empty to delete it)' },
        replace_all: { type: 'boolean', default: false, description: 'Replace every occurrence instead of requiring exactly one' },
      },
      required: ['path', 'old_text', 'new_text'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    call: (args) => editFile(editor, args),
  };
}

export async function editFile(editor: EditorContext, args: Record<string, unknown>) {
  const oldText = String(args.old_text);
  const newText = String(args.new_text);
  if (oldText === newText) throw refuse(editor.service, 'old_text and new_text are the same: there is nothing to change');
  return editor.workspace.within(args.path, { follow: true }, async (target) => {
    editor.policy.checkName(target.name, target.display);
    return editor.lock.run(`${target.dir.real}/${target.name}`, async () => {
      const { bytes, stat } = await readFileAt(editor.workspace, target, editor.policy);
      const text = decodeText(bytes, 'utf-8', target.display, editor.service);
      const at = occurrences(text, oldText);
      if (at.length === 0) throw refuse(editor.service, notFound(text, oldText, target.display), { reason: 'not_found', matches: 0 });
      if (at.length > 1 && args.replace_all !== true) {
        const lines = at.slice(0, SHOWN_LINES).map((offset) => lineOf(text, offset));
        throw refuse(
          editor.service,
          `old_text occurs ${at.length} times in ${target.display} (at lines ${lines.join(', ')}${at.length > SHOWN_LINES ? ', …' : ''}) — include more surrounding text so it occurs once, or pass replace_all: true`,
          { reason: 'ambiguous', matches: at.length, lines },
        );
      }
      const updated = text.split(oldText).join(newText);
      const data = Buffer.from(updated, 'utf8');
      editor.policy.checkSize(data.length, target.display, 'the edited file');
      await writeAtomic(editor.workspace, target, data, { expect: stat });
      const lines = at.map((offset) => lineOf(text, offset));
      return done(`replaced ${at.length} occurrence(s) in ${target.display} (line${lines.length > 1 ? 's' : ''} ${lines.slice(0, SHOWN_LINES).join(', ')})`, {
        path: target.display,
        replacements: at.length,
        lines,
        bytes: data.length,
      });
    });
  });
}

/** Offsets of the non-overlapping occurrences of `needle`, as String.split would cut them. */
function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Says the text is missing, and why it may look present: other line endings, or other whitespace. */
function notFound(text: string, needle: string, shown: string): string {
  const base = `old_text was not found in ${shown} — nothing was changed; read the file and copy the text exactly`;
  if (text.includes('\r\n') && !needle.includes('\r\n') && text.includes(needle.replace(/\n/g, '\r\n'))) {
    return `${base} (the file uses CRLF line endings: write \\r\\n in old_text)`;
  }
  const squash = (value: string) => value.replace(/\s+/g, ' ').trim();
  if (squash(needle) !== '' && squash(text).includes(squash(needle))) return `${base} (it occurs with different whitespace or indentation)`;
  return base;
}
