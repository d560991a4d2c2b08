import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { checkJson, type SyntaxProblem } from './json-syntax.js';

export const STRUCTURED_FORMATS = ['json', 'yaml'] as const;
export type StructuredFormat = (typeof STRUCTURED_FORMATS)[number];

/** The format a file name implies, if any. */
export function formatOfName(name: string): StructuredFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

/** YAML options: integers as BigInt, so formatting keeps 12345678901234567890 exact. */
const YAML_OPTIONS = { intAsBigInt: true, prettyErrors: true } as const;

/**
 * Checks JSON or YAML text; every problem with its 1-based line and column (YAML: all of them,
 * in every document of the stream; JSON: the first).
 *
 * @example validateText('a: [1', 'yaml').problems[0].line // 1
 */
export function validateText(text: string, format: StructuredFormat): { problems: SyntaxProblem[]; documents: number } {
  if (format === 'json') {
    const checked = checkJson(text);
    return { problems: checked.ok ? [] : [checked.problem], documents: checked.ok ? 1 : 0 };
  }
  const documents = parseAllDocuments(text, YAML_OPTIONS);
  if (!Array.isArray(documents)) return { problems: [], documents: 0 }; // an empty stream
  const problems = documents.flatMap((document) =>
    document.errors.map((error) => ({
      line: error.linePos?.[0].line ?? 1,
      column: error.linePos?.[0].col ?? 1,
      message: error.message.split(' at line ')[0]!,
    })),
  );
  return { problems, documents: documents.length };
}

/**
 * Formats valid JSON or YAML with `indent` spaces. JSON is re-indented token by token, so numbers,
 * escapes and key order stay exactly as written (a parse and stringify would round 2^53 + 1). YAML
 * keeps comments and anchors; a result whose values differ from the input's is refused. Returns
 * the problems instead when the text is not valid.
 */
export function formatText(text: string, format: StructuredFormat, indent: number): { text: string } | { problems: SyntaxProblem[] } {
  const { problems } = validateText(text, format);
  if (problems.length > 0) return { problems };
  if (format === 'json') return { text: reindentJson(text, indent) };
  const documents = parseAllDocuments(text, YAML_OPTIONS);
  if (!Array.isArray(documents)) return { text };
  const formatted = documents.map((document) => document.toString({ indent: Math.max(indent, 1) })).join('');
  let same: boolean;
  try {
    const before = documents.map((document) => document.toJS());
    const again = parseAllDocuments(formatted, YAML_OPTIONS);
    same = isDeepStrictEqual(before, Array.isArray(again) ? again.map((document) => document.toJS()) : []);
  } catch (error) {
    // toJS refuses documents whose aliases expand too much ("billion laughs"): not formatted either.
    return { problems: [{ line: 1, column: 1, message: `cannot be formatted safely: ${(error as Error).message}` }] };
  }
  if (!same) {
    return { problems: [{ line: 1, column: 1, message: 'formatting this YAML would change its values (the YAML library cannot reproduce it faithfully) — it was left as it is' }] };
  }
  return { text: formatted };
}

/** Re-indents valid JSON without parsing values: strings and numbers are copied verbatim. */
function reindentJson(text: string, indent: number): string {
  const pad = (level: number) => (indent === 0 ? '' : `\n${' '.repeat(indent * level)}`);
  let out = '';
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      out += text.slice(i, end + 1);
      i = end;
    } else if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      let next = i + 1;
      while (' \t\n\r'.includes(text[next]!)) next++;
      if (text[next] === close) {
        out += char + close;
        i = next;
      } else {
        out += char + pad(++level);
      }
    } else if (char === '}' || char === ']') {
      out += pad(--level) + char;
    } else if (char === ',') {
      out += `,${pad(level) || (indent === 0 ? '' : ' ')}`;
    } else if (char === ':') {
      out += indent === 0 ? ':' : ': ';
    } else if (!' \t\n\r'.includes(char)) {
      out += char;
    }
  }
  return `${out}\n`;
}
