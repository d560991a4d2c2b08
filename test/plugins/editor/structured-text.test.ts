// The pure parts of the editor: the strict JSON checker's positions, YAML problems and formatting,
// globs, and the path-argument checks.
import { describe, expect, it } from 'vitest';
import { globMatcher } from '../../../src/plugins/editor/glob.js';
import { checkJson } from '../../../src/plugins/editor/json-syntax.js';
import { parsePathArgument } from '../../../src/plugins/editor/path-input.js';
import { formatText, validateText } from '../../../src/plugins/editor/structured-text.js';

describe('checkJson', () => {
  it.each([
    ['{"a": 1,}', 1, 9, 'a trailing comma is not allowed before }'],
    ['[1, 2,]', 1, 7, 'a trailing comma is not allowed before ]'],
    ["{'a': 1}", 1, 2, 'expected a property name in double quotes'],
    ['{"a" 1}', 1, 6, 'expected ":" after the property name'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'expected "," or "}" after a property value'],
    ['{"a": tru}', 1, 7, 'expected a value'],
    ['{"a": 01}', 1, 8, 'not a valid number'],
    ['{"a": "x\ny"}', 1, 9, 'a control character'],
    ['{"a": "\\q"}', 1, 8, 'invalid escape \\q'],
    ['{"a": "\\u12"}', 1, 8, 'four hex digits'],
    ['{"a": "open', 1, 7, 'a string is not closed'],
    ['[1] [2]', 1, 5, 'after the end of the JSON value'],
    ['', 1, 1, 'the text is empty'],
    ['// c\n{}', 1, 1, 'expected a value'],
    ['{"a": [1, {"b": }]}', 1, 17, 'expected a value'],
    ['\ufeff{}', 1, 1, 'byte-order mark'],
  ])('%j → line %i, column %i', (text, line, column, message) => {
    const result = checkJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ line, column, message: expect.stringContaining(message) });
  });

  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', '0', '-1.5e+10', '"\\u00e9\\n"', 'null', ' {"a": [true, false, null]} ']) expect(checkJson(text).ok).toBe(true);
  });
});

describe('YAML', () => {
  it('reports every problem with line and column, across documents', () => {
    const { problems } = validateText('a: 1\na: 2\n---\nb: [1\n', 'yaml');
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems[0]).toMatchObject({ line: 2, column: 1, message: 'Map keys must be unique' });
    expect(validateText('', 'yaml').problems).toEqual([]);
  });

  it('formats keeping comments, big integers and every document', () => {
    const result = formatText('# top\nbig:    12345678901234567890\nlist:\n      - a\n---\nsecond:   2\n', 'yaml', 2);
    expect(result).toEqual({ text: '# top\nbig: 12345678901234567890\nlist:\n  - a\n---\nsecond: 2\n' });
  });

  it('refuses to format an alias bomb instead of expanding it', () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    let previous = 'a';
    for (const name of 'bcdefghi') {
      text += `${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]\n`;
      previous = name;
    }
    expect(formatText(text, 'yaml', 2)).toMatchObject({ problems: [{ message: expect.stringContaining('resource exhaustion') }] });
    expect(validateText(text, 'yaml').problems).toEqual([]);
  });

  it('never formats invalid input', () => {
    expect(formatText('a: [1', 'yaml', 2)).toMatchObject({ problems: [expect.objectContaining({ line: expect.any(Number) })] });
  });
});

describe('JSON formatting', () => {
  it('re-indents without touching numbers, escapes or key order', () => {
    expect(formatText('{"z":1e400,"a":[1,{"b":"\\u00e9\\"}"}],"e":{}}', 'json', 4)).toEqual({
      text: '{\n    "z": 1e400,\n    "a": [\n        1,\n        {\n            "b": "\\u00e9\\"}"\n        }\n    ],\n    "e": {}\n}\n',
    });
    expect(formatText('{ "a" : [ 1 , 2 ] }', 'json', 0)).toEqual({ text: '{"a":[1,2]}\n' });
  });
});

describe('globs', () => {
  it.each([
    ['*.md', 'docs/a.md', true],
    ['*.md', 'a.mdx', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/lib/a.ts', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['**', 'a/b/c', true],
    ['*.{md,txt}', 'a.txt', true],
    ['*.{md,txt}', 'a.ts', false],
    ['file?.md', 'file1.md', true],
    ['file?.md', 'file10.md', false],
    ['[ab].md', 'b.md', true],
    ['[!ab].md', 'b.md', false],
    ['a+b(c).md', 'a+b(c).md', true],
    ['../**', 'a/b', false],
    ['[a-c]x.md', 'bx.md', true],
    ['[a-c]x.md', 'dx.md', false],
    ['{a,b{c,d}}.md', 'bd.md', true],
    ['{a,b{c,d}}.md', 'b.md', false],
    ['{unclosed.md', '{unclosed.md', true],
    ['**/*.md', 'x.md', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/x/y/c', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globMatcher(pattern)(path)).toBe(expected);
  });

  it('a hostile glob costs at most pattern × path, never exponential backtracking', () => {
    const started = Date.now();
    const hostile = globMatcher(`${'*a'.repeat(30)}b`);
    expect(hostile('a'.repeat(250))).toBe(false);
    const deep = globMatcher(`${'**/'.repeat(30)}z`);
    expect(deep(Array(60).fill('d').join('/'))).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(() => globMatcher('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}')).toThrow('more than 256 alternatives');
  });
});

describe('path arguments', () => {
  it('folds . and .. by name and keeps everything else literal', () => {
    expect(parsePathArgument('a/./b/../c.md', 'path', 'ed')).toEqual({ absolute: false, normalized: 'a/c.md' });
    expect(parsePathArgument('%2e%2e/x', 'path', 'ed').normalized).toBe('%2e%2e/x');
    expect(parsePathArgument('/srv/ws/../x', 'path', 'ed')).toEqual({ absolute: true, normalized: '/srv/x' });
  });

  it.each([
    ['a\u0000b', 'U+0000'],
    ['a\nb', 'U+000A'],
    ['a\u202eb', 'U+202E'],
    ['a\u200fb', 'U+200F'],
    ['a\u0085b', 'U+0085'],
    ['', 'is empty'],
    ['x'.repeat(4097), 'the limit is 4096'],
    [`${'é'.repeat(128)}`, 'longer than 255 bytes'],
  ])('refuses %j', (value, message) => {
    expect(() => parsePathArgument(value, 'path', 'ed')).toThrow(message);
  });
});

describe('the tool boundary', () => {
  it('turns a stray file-system error into a coded error naming the path as given, and passes others on', async () => {
    const { atBoundary } = await import('../../../src/plugins/editor/tool-boundary.js');
    const { scope } = await import('../../helpers/scope.js');
    const { quietLogger } = await import('../../helpers/gateway.js');
    const failing = (error: unknown) =>
      atBoundary({ name: 'list_directory', inputSchema: { type: 'object' }, call: () => Promise.reject(error) }, 'ed', quietLogger());
    const context = { ...scope(), service: 'ed' };
    const vanished = Object.assign(new Error("ENOENT: no such file or directory, scandir '/proc/self/fd/23/'"), { code: 'ENOENT' });
    await expect(failing(vanished).call({ path: 'docs' }, context)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENTS',
      message: '[ed] cannot list docs: it does not exist — list_directory shows what does',
    });
    const full = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    await expect(failing(full).call({}, context)).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('the disk is full') });
    const bug = new TypeError('x is undefined');
    await expect(failing(bug).call({}, context)).rejects.toBe(bug);
  });
});
