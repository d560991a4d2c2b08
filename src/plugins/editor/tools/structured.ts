import type { ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { readFileAt, writeAtomic } from '../file-io.js';
import { refuse } from '../fs-errors.js';
import type { SyntaxProblem } from '../json-syntax.js';
import { formatOfName, formatText, STRUCTURED_FORMATS, type StructuredFormat, validateText } from '../structured-text.js';
import { decodeText } from '../text-codec.js';

const SOURCE_PROPERTIES = {
  path: { ...PATH_SCHEMA, description: 'A .json, .yaml or .yml file of the workspace (or give content)' },
  content: { type: 'string', maxLength: 10_000_000, description: 'Text to check instead of a file' },
  format: { type: 'string', enum: [...STRUCTURED_FORMATS] as string[], description: 'json or yaml; default: from the file extension' },
};

/** `validate`: checks JSON or YAML, every problem with its line and column. */
export function validateTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'validate',
    title: 'Validate JSON or YAML',
    description: 'Check that a JSON or YAML file (or text) is well-formed; lists each problem with its line and column.',
    inputSchema: { type: 'object', properties: SOURCE_PROPERTIES, additionalProperties: false },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    call: (args) => validate(editor, args),
  };
}

/** `format`: pretty-prints JSON or YAML; a file is rewritten in place (atomically) unless dry_run. */
export function formatTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'format',
    title: 'Format JSON or YAML',
    description:
      'Re-indent a JSON or YAML file in place (atomically; YAML comments are kept, JSON numbers stay exactly as written), or return the formatted text of content / with dry_run: true. Invalid input is left alone and its problems listed.',
    inputSchema: {
      type: 'object',
      properties: {
        ...SOURCE_PROPERTIES,
        indent: { type: 'integer', minimum: 0, maximum: 8, default: 2, description: 'Spaces per level (0: compact JSON)' },
        dry_run: { type: 'boolean', default: false, description: 'Return the formatted text without writing the file' },
      },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    call: (args) => format(editor, args),
  };
}

export async function validate(editor: EditorContext, args: Record<string, unknown>) {
  return withSource(editor, args, async ({ text, format, shown }) => {
    const { problems, documents } = validateText(text, format);
    if (problems.length === 0) return done(`${shown} is valid ${format.toUpperCase()}`, { valid: true, format, documents });
    return done(`${shown} is not valid ${format.toUpperCase()}:\n${describe(problems)}`, { valid: false, format, problems });
  });
}

export async function format(editor: EditorContext, args: Record<string, unknown>) {
  const indent = (args.indent as number | undefined) ?? 2;
  return withSource(editor, args, async ({ text, format, shown, write }) => {
    const result = formatText(text, format, indent);
    if ('problems' in result) {
      return {
        ...done(`${shown} was not formatted: it is not valid ${format.toUpperCase()}:\n${describe(result.problems)}`, { formatted: false, format, problems: result.problems }),
        isError: true,
      };
    }
    if (!write || args.dry_run === true) return done(result.text, { formatted: true, format, changed: result.text !== text, written: false });
    if (result.text === text) return done(`${shown} is already formatted`, { formatted: true, format, changed: false, written: false });
    await write(Buffer.from(result.text, 'utf8'));
    return done(`formatted ${shown} (${format.toUpperCase()}, indent ${indent})`, { formatted: true, format, changed: true, written: true });
  });
}

interface Source {
  text: string;
  format: StructuredFormat;
  shown: string;
  /** Replaces the file the text came from (absent for content). */
  write?: (data: Buffer) => Promise<void>;
}

async function withSource<T>(editor: EditorContext, args: Record<string, unknown>, use: (source: Source) => Promise<T>): Promise<T> {
  const given = args.format as StructuredFormat | undefined;
  if ((args.path === undefined) === (args.content === undefined)) throw refuse(editor.service, 'give either path (a file) or content (text), not both and not neither');
  if (typeof args.content === 'string') {
    if (!given) throw refuse(editor.service, 'with content, say which format it is: format: json or format: yaml');
    return use({ text: args.content, format: given, shown: 'the content' });
  }
  return editor.workspace.within(args.path, { follow: true }, async (target) => {
    editor.policy.checkName(target.name, target.display);
    const format = given ?? formatOfName(target.name);
    if (!format) throw refuse(editor.service, `${target.display} is not named .json, .yaml or .yml: say which format it is with format: json or format: yaml`);
    return editor.lock.run(`${target.dir.real}/${target.name}`, async () => {
      const { bytes, stat } = await readFileAt(editor.workspace, target, editor.policy);
      const text = decodeText(bytes, 'utf-8', target.display, editor.service);
      const write = async (data: Buffer) => {
        editor.policy.checkSize(data.length, target.display, 'the formatted file');
        await writeAtomic(editor.workspace, target, data, { expect: stat });
      };
      return use({ text, format, shown: target.display, write });
    });
  });
}

function describe(problems: readonly SyntaxProblem[]): string {
  return problems.map((problem) => `  line ${problem.line}, column ${problem.column}: ${problem.message}`).join('\n');
}
