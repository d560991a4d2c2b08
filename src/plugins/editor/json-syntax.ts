/** Where a JSON or YAML text is wrong: 1-based line and column, and what is wrong there. */
export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const MAX_DEPTH = 10_000;

/**
 * Parses strict JSON (RFC 8259). On failure, finds the first mistake with its line and column —
 * `JSON.parse` in Node 20 often says only "Unexpected token", with no position.
 *
 * @example checkJson('{"a": 1,}') // { ok: false, problem: { line: 1, column: 9, message: 'a trailing comma is not allowed before }' } }
 */
export function checkJson(text: string): { ok: true; value: unknown } | { ok: false; problem: SyntaxProblem } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const found = locateJsonError(text);
    return { ok: false, problem: found ?? { line: 1, column: 1, message: (error as Error).message } };
  }
}

/** Line and column (1-based, in characters) of an offset. */
export function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

class Mistake {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

function locateJsonError(text: string): SyntaxProblem | undefined {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new Mistake(at, message);
  };
  const describe = () => (i >= text.length ? 'the end of the text' : `"${text[i]}"`);
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    space();
    const char = text[i];
    if (char === '{') return object(depth);
    if (char === '[') return array(depth);
    if (char === '"') return string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (char === "'") fail('strings must use double quotes (") in JSON');
    if (char === '\ufeff') fail('a byte-order mark (U+FEFF) is not allowed in JSON: save the file as UTF-8 without BOM');
    fail(`expected a value (object, array, string, number, true, false or null) but found ${describe()}`);
  };
  const object = (depth: number) => {
    i++;
    space();
    if (text[i] === '}') return void i++;
    for (;;) {
      space();
      if (text[i] === '}') fail('a trailing comma is not allowed before }');
      if (text[i] !== '"') fail(`expected a property name in double quotes but found ${describe()}`);
      string();
      space();
      if (text[i] !== ':') fail(`expected ":" after the property name but found ${describe()}`);
      i++;
      value(depth + 1);
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') return void i++;
      fail(`expected "," or "}" after a property value but found ${describe()}`);
    }
  };
  const array = (depth: number) => {
    i++;
    space();
    if (text[i] === ']') return void i++;
    for (;;) {
      space();
      if (text[i] === ']') fail('a trailing comma is not allowed before ]');
      value(depth + 1);
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') return void i++;
      fail(`expected "," or "]" after an array element but found ${describe()}`);
    }
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 34) return void i++;
      if (code < 0x20) fail('a control character (such as a line break) must be escaped inside a string');
      if (code === 92) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by four hex digits');
          i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) fail(`invalid escape \\${next ?? ''} in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    fail('a string is not closed (missing ")', start);
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 1000));
    if (!match) fail('not a valid number (no leading +, leading zeros, or lone "." in JSON)');
    i += match![0].length;
    if (i < text.length && /[0-9.eE]/.test(text[i]!)) fail('not a valid number (no leading zeros, no lone "." in JSON)');
  };
  try {
    space();
    if (i >= text.length) fail('the text is empty: JSON needs a value');
    value(0);
    space();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (!(error instanceof Mistake)) throw error;
    return { ...position(text, error.offset), message: error.message };
  }
}
