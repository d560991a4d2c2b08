// The injection corpus: hostile values run through real programs (a node script that prints its argv as
// JSON, and /bin/echo). No shell ever sees them, each arrives as exactly one argv element, byte for byte;
// none creates the marker file or deletes the victim file; values that would become an option, that hold a
// NUL byte or that no argv element can carry are refused with a clear INVALID_ARGUMENTS error.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { text } from '../../helpers/scope.js';
import { call, cleanup, errorCode, FIXTURE, gateway, NODE, q, structured, tempDir } from './script-fixture.js';

let dir: string;
let marker: string;
let victim: string;
let gw: Gateway;

/** Hostile values that must arrive verbatim, each as one element. */
function acceptedCorpus(): [string, string][] {
  return [
    ['semicolon rm', `; rm -rf ${victim}`],
    ['command substitution', `$(touch ${marker})`],
    ['backticks', `\`touch ${marker}\``],
    ['pipe', `| touch ${marker}`],
    ['and-and', `&& touch ${marker}`],
    ['or-or', `|| touch ${marker}`],
    ['background', `& touch ${marker}`],
    ['redirect out', `> ${marker}`],
    ['redirect in', '< /etc/passwd'],
    ['newline then command', `x\ntouch ${marker}`],
    ['CRLF then command', `x\r\ntouch ${marker}`],
    ['bare carriage return', 'a\rb'],
    ['glob star', '*'],
    ['glob class', '[a-z]*.?'],
    ['tilde', '~'],
    ['tilde path', '~/.ssh/id_rsa'],
    ['$HOME', '$HOME'],
    ['${HOME}', '${HOME}'],
    ['arithmetic', '$((1+1))'],
    ['brace expansion', '{a,b}'],
    ['history', '!!'],
    ['single quotes', "'single'"],
    ['double quotes', '"double"'],
    ['lone backtick', '`'],
    ['mixed quotes', `it's "mixed" \`quoted\` and 'unbalanced`],
    ['typographic quotes', '“double” ‘single’ «guillemets» ＂fullwidth＂'],
    ['backslashes', '\\\\server\\share\\'],
    ['unicode', 'héllo wörld 日本語 🎉'],
    ['bidi and zero-width', 'abc\u202edef\u200bghi\ufeff'],
    ['ANSI escape', '\u001b[31mred\u001b[0m'],
    ['spaces', '  leading, inner   and trailing  '],
    ['tabs', '\t\ttabbed\t'],
    ['empty string', ''],
    ['path traversal', '../../../../etc/passwd'],
    ['windows variable', '%PATH%'],
    ['format string', '%s%n%x'],
    ['IFS', '$IFS'],
    ['equals', '=value'],
    ['120 KB', 'z'.repeat(120_000)],
  ];
}

/** Values that must be refused before anything runs, with what the error says. */
const REFUSED: [string, unknown, string][] = [
  ['short option', '-rf', 'starts with "-"'],
  ['long option with value', '--output=/etc/x', 'starts with "-"'],
  ['git upload-pack', '--upload-pack=touch /tmp/mcpeg-pwned', 'starts with "-"'],
  ['echo option', '-n', 'starts with "-"'],
  ['double dash', '--', 'starts with "-"'],
  ['lone dash', '-', 'starts with "-"'],
  ['negative-looking number text', '-5', 'starts with "-"'],
  ['NUL byte', 'a\u0000b', 'NUL byte'],
  ['NUL first', '\u0000-rf', 'NUL byte'],
  ['1 MB', 'y'.repeat(1_000_000), 'at most 131071'],
];

beforeAll(async () => {
  dir = tempDir();
  marker = join(dir, 'pwned');
  victim = join(dir, 'victim');
  writeFileSync(victim, 'still here');
  gw = await gateway(`services:
  sh:
    driver: script
    # The temp dir: were anything ever run by a shell, the files it made would land here and fail the last test.
    cwd: ${q(dir)}
    commands:
      argv:
        description: Prints its argv as JSON
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, argv, '{value}']
        parameters: { value: { type: string } }
        output: json
      after_dashes:
        description: The value after a literal --
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, argv, --, '{value}']
        parameters: { value: { type: string } }
        output: json
      embedded:
        description: The value inside an option
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, argv, '--out={value}', 'x{value}y']
        parameters: { value: { type: string } }
        output: json
      many:
        description: Each item one element
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, argv, --, '{values...}']
        parameters: { values: { type: array, items: { type: string } } }
        output: json
      via_sh:
        description: The documented way to use a shell - the script is fixed text, the value is $1
        command: /bin/sh
        args: [-c, 'printf %s "$1"', sh, '{value}']
        parameters: { value: { type: string } }
      echo:
        description: /bin/echo
        command: /bin/echo
        args: ['{value}']
        parameters: { value: { type: string } }
`);
});
afterAll(cleanup);

describe('script injection corpus', () => {
  it('has at least 30 hostile values', () => {
    expect(acceptedCorpus().length + REFUSED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(acceptedCorpus().map(([label, value]) => [label, value] as const))('%s arrives as exactly one argv element, unmodified', async (_, value) => {
    const result = await call(gw, 'sh__argv', { value });
    expect(result.isError, text(result)).toBeFalsy();
    expect(structured<{ result: string[] }>(result).result).toEqual([value]);
  });

  it.each(acceptedCorpus().map(([label, value]) => [label, value] as const))('%s reaches /bin/echo untouched by any shell', async (_, value) => {
    const result = await call(gw, 'sh__echo', { value });
    expect(result.isError, text(result)).toBeFalsy();
    expect(structured<{ stdout: string }>(result).stdout).toBe(`${value}\n`);
  });

  it.each(acceptedCorpus().map(([label, value]) => [label, value] as const))('%s passes through sh -c \'… "$1"\' as data, never as code', async (_, value) => {
    const result = await call(gw, 'sh__via_sh', { value });
    expect(result.isError, text(result)).toBeFalsy();
    expect(structured<{ stdout: string }>(result).stdout).toBe(value);
  });

  it.each(REFUSED.map(([label, value, why]) => [label, value, why] as const))('%s is refused with a clear error', async (_, value, why) => {
    for (const tool of ['sh__argv', 'sh__echo', 'sh__via_sh']) {
      const result = await call(gw, tool, { value });
      expect(result.isError).toBe(true);
      expect(errorCode(result)).toBe('INVALID_ARGUMENTS');
      expect(text(result)).toContain(`[sh] invalid arguments for ${tool.slice(4)}: argument "value"`);
      expect(text(result)).toContain(why as string);
    }
  });

  it('after a literal "--", option-like values arrive verbatim (the program reads no options there)', async () => {
    for (const value of ['-rf', '--output=/etc/x', '--upload-pack=touch x', '--', '-']) {
      const result = await call(gw, 'sh__after_dashes', { value });
      expect(structured<{ result: string[] }>(result).result).toEqual(['--', value]);
    }
  });

  it('embedded in an element, a value stays inside that one element', async () => {
    for (const value of ['-rf', ' --evil ', `$(touch ${marker})`, 'a b']) {
      const result = await call(gw, 'sh__embedded', { value });
      expect(structured<{ result: string[] }>(result).result).toEqual([`--out=${value}`, `x${value}y`]);
    }
    const nul = await call(gw, 'sh__embedded', { value: 'a\u0000b' });
    expect(errorCode(nul)).toBe('INVALID_ARGUMENTS');
  });

  it('an array parameter written {values...} gives one element per item, never more', async () => {
    const values = acceptedCorpus().map(([, value]) => value).filter((value) => value.length < 1000);
    const result = await call(gw, 'sh__many', { values });
    expect(structured<{ result: string[] }>(result).result).toEqual(['--', ...values]);
  });

  it('a value that is not a string is refused by the input schema before anything runs', async () => {
    for (const value of [['-rf'], { a: 1 }, 42, null]) {
      const result = await call(gw, 'sh__argv', { value });
      expect(errorCode(result)).toBe('INVALID_ARGUMENTS');
    }
    const extra = await call(gw, 'sh__argv', { value: 'x', extra: '--evil' });
    expect(errorCode(extra)).toBe('INVALID_ARGUMENTS');
  });

  it('a real MCP client over HTTP gets the same: verbatim values, refused options', async () => {
    const server = await serveHttp(gw);
    let client: Client | undefined;
    try {
      client = await httpClient(server.url, 'auto');
      for (const [, value] of acceptedCorpus().slice(0, 12)) {
        const result = await client.callTool({ name: 'sh__argv', arguments: { value } });
        expect(result.structuredContent).toEqual({ result: [value] });
      }
      const refused = await client.callTool({ name: 'sh__argv', arguments: { value: '--upload-pack=touch x' } });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain('starts with \\"-\\"');
    } finally {
      await client?.close();
      await server.close();
    }
  });

  it('left no marker file and deleted nothing', () => {
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(victim)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['victim']);
  });
});
