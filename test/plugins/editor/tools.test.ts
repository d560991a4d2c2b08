// The editor's tools through the real call path (gateway.dispatcher: argument validation, pipeline, error
// boundary) on real files in a temp workspace.
import { chmodSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { scope } from '../../helpers/scope.js';
import { call, cleanup, editorGateway, ok, type Sandbox, sandbox } from './editor-fixture.js';

afterAll(cleanup);

let box: Sandbox;
let gateway: Gateway;
const file = (...parts: string[]) => join(box.ws, ...parts);

beforeEach(async () => {
  box = sandbox();
  gateway = await editorGateway(box);
});

describe('catalog', () => {
  it('declares every tool with honest annotations', () => {
    const tools = new Map(gateway.dispatcher.listTools(undefined).tools.map((tool) => [tool.name.replace(/^ed__/, ''), tool]));
    expect([...tools.keys()].sort()).toEqual(
      ['create_directory', 'create_file', 'delete', 'edit_file', 'format', 'list_directory', 'list_workspaces', 'move', 'read_file', 'search', 'validate', 'write_file'].sort(),
    );
    for (const name of ['read_file', 'list_directory', 'search', 'validate', 'list_workspaces']) {
      expect(tools.get(name)?.annotations, name).toMatchObject({ readOnlyHint: true });
    }
    for (const name of ['write_file', 'edit_file', 'delete', 'move']) {
      expect(tools.get(name)?.annotations, name).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    }
    for (const name of ['create_file', 'create_directory', 'format']) {
      expect(tools.get(name)?.annotations, name).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    }
    expect(tools.get('delete')?.inputSchema.required).toContain('confirm');
  });

  it('read_only: true offers only the tools that read', async () => {
    const readOnly = await editorGateway(sandbox(), 'read_only: true', 'ro');
    const names = readOnly.dispatcher.listTools(undefined).tools.map((tool) => tool.name).filter((name) => name.startsWith('ro__'));
    expect(names.sort()).toEqual(['ro__list_directory', 'ro__list_workspaces', 'ro__read_file', 'ro__search', 'ro__validate']);
  });
});

describe('read_file', () => {
  it('reads a whole file and a range of lines', async () => {
    writeFileSync(file('a.txt'), 'one\ntwo\nthree\nfour\n');
    expect((await ok(gateway, 'ed__read_file', { path: 'a.txt' })).text).toBe('one\ntwo\nthree\nfour\n');
    const range = await ok(gateway, 'ed__read_file', { path: 'a.txt', start_line: 2, end_line: 3 });
    expect(range.text).toBe('two\nthree\n');
    expect(range.structured).toMatchObject({ start_line: 2, end_line: 3, total_lines: 4 });
    expect((await ok(gateway, 'ed__read_file', { path: 'a.txt', start_line: 4, end_line: 99 })).text).toBe('four\n');
    const past = await call(gateway, 'ed__read_file', { path: 'a.txt', start_line: 9 });
    expect(past).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    expect(past.text).toContain('has 4 line(s)');
    expect((await call(gateway, 'ed__read_file', { path: 'a.txt', start_line: 3, end_line: 2 })).text).toContain('before start_line');
  });

  it('says clearly what is missing, a folder, or not a regular file', async () => {
    mkdirSync(file('folder'));
    const missing = await call(gateway, 'ed__read_file', { path: 'nope.md' });
    expect(missing).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    expect(missing.text).toBe('[ed] cannot read nope.md: it does not exist — list_directory shows what does');
    expect((await call(gateway, 'ed__read_file', { path: 'folder' })).text).toContain('is a folder');
    expect((await call(gateway, 'ed__read_file', { path: '.' })).text).toContain('is a workspace folder');
    expect((await call(gateway, 'ed__read_file', { path: 'nope/x.md' })).text).toContain('the folder nope does not exist');
    writeFileSync(file('plain'), 'x');
    expect((await call(gateway, 'ed__read_file', { path: 'plain/x.md' })).text).toContain('needs plain to be a folder');
  });

  it('refuses binary files for text, and returns them as base64', async () => {
    writeFileSync(file('blob.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    writeFileSync(file('latin.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1: invalid UTF-8
    const binary = await call(gateway, 'ed__read_file', { path: 'blob.bin' });
    expect(binary.ok).toBe(false);
    expect(binary.text).toContain('looks like a binary file (it has a NUL byte at offset 4)');
    expect(binary.text).toContain('encoding: base64');
    expect((await call(gateway, 'ed__read_file', { path: 'latin.txt' })).text).toContain('not valid UTF-8');
    expect((await ok(gateway, 'ed__read_file', { path: 'latin.txt', encoding: 'latin1' })).text).toBe('café');
    expect((await ok(gateway, 'ed__read_file', { path: 'blob.bin', encoding: 'base64' })).text).toBe('iVBORwAB');
    expect((await call(gateway, 'ed__read_file', { path: 'blob.bin', encoding: 'base64', start_line: 1 })).text).toContain('drop them');
    expect((await call(gateway, 'ed__read_file', { path: 'blob.bin', encoding: 'utf-32' })).code).toBe('INVALID_ARGUMENTS');
  });

  it('reads UTF-16LE and keeps a UTF-8 byte-order mark', async () => {
    writeFileSync(file('wide.txt'), Buffer.from('hé', 'utf16le'));
    expect((await ok(gateway, 'ed__read_file', { path: 'wide.txt', encoding: 'utf-16le' })).text).toBe('hé');
    writeFileSync(file('bom.txt'), '\ufeffbom');
    expect((await ok(gateway, 'ed__read_file', { path: 'bom.txt' })).text).toBe('\ufeffbom');
  });

  it('refuses devices and FIFOs without blocking', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [file('pipe')]);
    const fifo = await call(gateway, 'ed__read_file', { path: 'pipe' });
    expect(fifo.text).toContain('not a regular file');
  });
});

describe('max_file_size and allowed_extensions', () => {
  it('refuses reading, writing and editing past max_file_size, and skips big files in search', async () => {
    const small = await editorGateway(box, 'max_file_size: 10', 'small');
    writeFileSync(file('big.md'), 'x'.repeat(11));
    writeFileSync(file('fits.md'), 'x'.repeat(10));
    const read = await call(small, 'small__read_file', { path: 'big.md' });
    expect(read).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    expect(read.text).toContain('the file is 11 bytes, more than max_file_size (10 bytes)');
    expect((await ok(small, 'small__read_file', { path: 'fits.md' })).text).toBe('x'.repeat(10));
    expect((await call(small, 'small__write_file', { path: 'new.md', content: 'y'.repeat(11) })).text).toContain('the new content is 11 bytes');
    expect((await call(small, 'small__edit_file', { path: 'fits.md', old_text: 'xxxxxxxxxx', new_text: 'yyyyyyyyyyy' })).text).toContain('the edited file is 11 bytes');
    expect(readFileSync(file('fits.md'), 'utf8')).toBe('x'.repeat(10));
    const search = await ok(small, 'small__search', { pattern: 'x' });
    expect(search.structured?.skipped).toMatchObject({ too_large: 1 });
    expect(search.structured?.matches).toHaveLength(1);
  });

  it('allows only the configured extensions, case-insensitively, and whole names', async () => {
    const strict = await editorGateway(box, 'allowed_extensions: [".md", ".JSON", "Makefile"]', 'strict');
    writeFileSync(file('README.MD'), 'readme');
    writeFileSync(file('data.json'), '{}');
    writeFileSync(file('Makefile'), 'all:');
    writeFileSync(file('.env'), 'SECRET=1');
    writeFileSync(file('script.sh'), 'echo');
    writeFileSync(file('noext'), 'x');
    for (const path of ['README.MD', 'data.json', 'Makefile']) await ok(strict, 'strict__read_file', { path });
    for (const path of ['.env', 'script.sh', 'noext']) {
      const refused = await call(strict, 'strict__read_file', { path });
      expect(refused, path).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
      expect(refused.text).toContain('allowed_extensions');
    }
    expect((await call(strict, 'strict__write_file', { path: 'x.sh', content: '' })).ok).toBe(false);
    expect((await call(strict, 'strict__create_file', { path: 'x.txt' })).ok).toBe(false);
    expect((await call(strict, 'strict__delete', { path: 'script.sh', confirm: true })).ok).toBe(false);
    expect((await call(strict, 'strict__move', { from: 'README.MD', to: 'README.sh' })).ok).toBe(false);
    expect((await call(strict, 'strict__move', { from: 'script.sh', to: 'script.md' })).ok).toBe(false);
    // Search only reads allowed files; the listing shows names only.
    const search = await ok(strict, 'strict__search', { pattern: 'SECRET|echo', include_hidden: true });
    expect(search.structured?.matches).toEqual([]);
    expect(search.structured?.skipped.not_allowed).toBe(3);
    // A folder holding a file the editor may not touch is not deleted at all.
    mkdirSync(file('mixed'));
    writeFileSync(file('mixed', 'a.md'), 'a');
    writeFileSync(file('mixed', 'b.sh'), 'b');
    const refused = await call(strict, 'strict__delete', { path: 'mixed', confirm: true, recursive: true });
    expect(refused.text).toContain('mixed/b.sh');
    expect(readdirSync(file('mixed')).sort()).toEqual(['a.md', 'b.sh']);
  });
});

describe('write_file and create_file', () => {
  it('writes atomically, keeps the mode, and keeps a backup on request', async () => {
    writeFileSync(file('a.md'), 'old');
    chmodSync(file('a.md'), 0o640);
    const inode = statSync(file('a.md')).ino;
    const written = await ok(gateway, 'ed__write_file', { path: 'a.md', content: 'new', backup: true });
    expect(written.structured).toMatchObject({ path: 'a.md', bytes: 3, created: false, backup: 'a.md.bak' });
    expect(readFileSync(file('a.md'), 'utf8')).toBe('new');
    expect(readFileSync(file('a.md.bak'), 'utf8')).toBe('old');
    expect(statSync(file('a.md.bak')).ino).toBe(inode); // the old file itself, not a copy
    expect(statSync(file('a.md')).mode & 0o777).toBe(0o640);
    await ok(gateway, 'ed__write_file', { path: 'a.md', content: 'newer', backup: true });
    expect(readFileSync(file('a.md.bak'), 'utf8')).toBe('new');
    expect(readdirSync(box.ws).sort()).toEqual(['a.md', 'a.md.bak']); // no temp file left behind
  });

  it('creates parents only when asked, and writes bytes from base64', async () => {
    const noParents = await call(gateway, 'ed__write_file', { path: 'x/y/z.md', content: 'z' });
    expect(noParents.text).toContain('pass create_parents: true');
    await ok(gateway, 'ed__write_file', { path: 'x/y/z.md', content: 'z', create_parents: true });
    expect(readFileSync(file('x', 'y', 'z.md'), 'utf8')).toBe('z');
    await ok(gateway, 'ed__write_file', { path: 'b.bin', content: 'AAEC/w==', encoding: 'base64' });
    expect([...readFileSync(file('b.bin'))]).toEqual([0, 1, 2, 255]);
    expect((await call(gateway, 'ed__write_file', { path: 'b.bin', content: '!!notbase64', encoding: 'base64' })).text).toContain('not valid base64');
    expect((await call(gateway, 'ed__write_file', { path: 'l.txt', content: 'π', encoding: 'latin1' })).text).toContain('Latin-1 cannot hold');
  });

  it('refuses to replace a folder, and create refuses any existing name', async () => {
    mkdirSync(file('dir'));
    expect((await call(gateway, 'ed__write_file', { path: 'dir', content: 'x' })).text).toContain('is a folder');
    writeFileSync(file('taken.md'), 'keep');
    const taken = await call(gateway, 'ed__create_file', { path: 'taken.md', content: 'new' });
    expect(taken).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    expect(taken.text).toBe('[ed] cannot create taken.md: it already exists');
    expect(readFileSync(file('taken.md'), 'utf8')).toBe('keep');
    symlinkSync('nowhere.md', file('dangling.md'));
    expect((await call(gateway, 'ed__create_file', { path: 'dangling.md' })).text).toContain('already exists');
    await ok(gateway, 'ed__create_file', { path: 'fresh.md', content: 'hi' });
    expect(readFileSync(file('fresh.md'), 'utf8')).toBe('hi');
    expect(readdirSync(box.ws).filter((name) => name.includes('mcpeg'))).toEqual([]);
  });

  it('only one of many concurrent creates of the same name wins', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call(gateway, 'ed__create_file', { path: 'race.md', content: `writer ${i}` })));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(readFileSync(file('race.md'), 'utf8')).toMatch(/^writer \d+$/);
  });

  it('create_directory creates parents and accepts an existing folder', async () => {
    await ok(gateway, 'ed__create_directory', { path: 'p/q/r' });
    expect(statSync(file('p', 'q', 'r')).isDirectory()).toBe(true);
    expect((await ok(gateway, 'ed__create_directory', { path: 'p/q' })).structured).toMatchObject({ created: false });
    writeFileSync(file('f.md'), '');
    expect((await call(gateway, 'ed__create_directory', { path: 'f.md' })).text).toContain('not a folder');
  });
});

describe('hard links', () => {
  it('are refused by default and, with allow_hardlinks, replaced without touching the other name', async () => {
    writeFileSync(file('one.md'), 'shared');
    linkSync(file('one.md'), file('two.md'));
    expect((await call(gateway, 'ed__read_file', { path: 'two.md' })).text).toContain('has 2 hard links');
    const allowing = await editorGateway(box, 'allow_hardlinks: true', 'hl');
    expect((await ok(allowing, 'hl__read_file', { path: 'two.md' })).text).toBe('shared');
    await ok(allowing, 'hl__write_file', { path: 'two.md', content: 'changed' });
    expect(readFileSync(file('one.md'), 'utf8')).toBe('shared');
    expect(readFileSync(file('two.md'), 'utf8')).toBe('changed');
  });
});

describe('edit_file', () => {
  beforeEach(() => writeFileSync(file('code.md'), 'alpha\nbeta\nalpha\ngamma\n'));

  it('replaces exactly one occurrence', async () => {
    const edited = await ok(gateway, 'ed__edit_file', { path: 'code.md', old_text: 'beta', new_text: 'BETA' });
    expect(edited.structured).toMatchObject({ replacements: 1, lines: [2] });
    expect(readFileSync(file('code.md'), 'utf8')).toBe('alpha\nBETA\nalpha\ngamma\n');
  });

  it('refuses an ambiguous edit naming the count and lines, unless replace_all', async () => {
    const ambiguous = await call(gateway, 'ed__edit_file', { path: 'code.md', old_text: 'alpha', new_text: 'x' });
    expect(ambiguous).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    expect(ambiguous.text).toContain('old_text occurs 2 times in code.md (at lines 1, 3)');
    expect(readFileSync(file('code.md'), 'utf8')).toBe('alpha\nbeta\nalpha\ngamma\n');
    await ok(gateway, 'ed__edit_file', { path: 'code.md', old_text: 'alpha', new_text: '$&$1', replace_all: true });
    expect(readFileSync(file('code.md'), 'utf8')).toBe('$&$1\nbeta\n$&$1\ngamma\n');
  });

  it('says when the text is missing, and why it may seem present', async () => {
    const missing = await call(gateway, 'ed__edit_file', { path: 'code.md', old_text: 'delta', new_text: 'x' });
    expect(missing.text).toBe('[ed] old_text was not found in code.md — nothing was changed; read the file and copy the text exactly');
    expect((await call(gateway, 'ed__edit_file', { path: 'code.md', old_text: 'alpha  beta', new_text: 'x' })).text).toContain('different whitespace');
    writeFileSync(file('crlf.md'), 'one\r\ntwo\r\n');
    expect((await call(gateway, 'ed__edit_file', { path: 'crlf.md', old_text: 'one\ntwo', new_text: 'x' })).text).toContain('CRLF');
    expect((await call(gateway, 'ed__edit_file', { path: 'code.md', old_text: 'same', new_text: 'same' })).text).toContain('nothing to change');
  });

  it('serializes concurrent edits of one file: none is lost', async () => {
    writeFileSync(file('counter.md'), Array.from({ length: 30 }, (_, i) => `<${i}>`).join('\n'));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(gateway, 'ed__edit_file', { path: 'counter.md', old_text: `<${i}>`, new_text: `done ${i}` })),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(readFileSync(file('counter.md'), 'utf8')).toBe(Array.from({ length: 30 }, (_, i) => `done ${i}`).join('\n'));
  });

  it('refuses binary files', async () => {
    writeFileSync(file('bin.md'), Buffer.from([0x61, 0, 0x62]));
    expect((await call(gateway, 'ed__edit_file', { path: 'bin.md', old_text: 'a', new_text: 'c' })).text).toContain('binary');
  });
});

describe('delete and move', () => {
  it('delete needs confirm: true, deletes files, empty folders, and trees with recursive', async () => {
    writeFileSync(file('a.md'), 'a');
    const unconfirmed = await call(gateway, 'ed__delete', { path: 'a.md', confirm: false });
    expect(unconfirmed.code).toBe('INVALID_ARGUMENTS');
    expect((await call(gateway, 'ed__delete', { path: 'a.md' })).code).toBe('INVALID_ARGUMENTS');
    expect(readFileSync(file('a.md'), 'utf8')).toBe('a');
    await ok(gateway, 'ed__delete', { path: 'a.md', confirm: true });
    mkdirSync(file('tree', 'deep', 'deeper'), { recursive: true });
    writeFileSync(file('tree', 'deep', 'x.md'), 'x');
    writeFileSync(file('tree', '.hidden'), 'h');
    expect((await call(gateway, 'ed__delete', { path: 'tree', confirm: true })).text).toContain('pass recursive: true');
    const deleted = await ok(gateway, 'ed__delete', { path: 'tree', confirm: true, recursive: true });
    expect(deleted.structured).toMatchObject({ kind: 'directory', deleted: 5 });
    expect(readdirSync(box.ws)).toEqual([]);
    expect((await call(gateway, 'ed__delete', { path: 'tree', confirm: true })).text).toContain('does not exist');
  });

  it('a recursive delete of a big tree reports progress', async () => {
    mkdirSync(file('big', 'a'), { recursive: true });
    for (let i = 0; i < 1100; i++) writeFileSync(file('big', i % 2 ? 'a' : '', `f${i}.md`), '');
    const updates: string[] = [];
    const result = await gateway.dispatcher.callTool(
      'ed__delete',
      { path: 'big', confirm: true, recursive: true },
      scope({ progress: async (_progress, _total, message) => void updates.push(String(message)) }),
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ deleted: 1102 });
    expect(updates).toEqual(['deleted 500 entries', 'deleted 1000 entries']);
  });

  it('move renames files and folders, refuses to overwrite unless asked, never replaces a folder', async () => {
    writeFileSync(file('a.md'), 'a');
    writeFileSync(file('b.md'), 'b');
    mkdirSync(file('dir'));
    const exists = await call(gateway, 'ed__move', { from: 'a.md', to: 'b.md' });
    expect(exists.text).toContain('already exists — pass overwrite: true');
    expect(readFileSync(file('b.md'), 'utf8')).toBe('b');
    await ok(gateway, 'ed__move', { from: 'a.md', to: 'b.md', overwrite: true });
    expect(readFileSync(file('b.md'), 'utf8')).toBe('a');
    expect((await call(gateway, 'ed__move', { from: 'b.md', to: 'dir', overwrite: true })).text).toContain('does not replace folders');
    await ok(gateway, 'ed__move', { from: 'b.md', to: 'dir/sub/b.md', create_parents: true });
    await ok(gateway, 'ed__move', { from: 'dir', to: 'renamed' });
    expect(readFileSync(file('renamed', 'sub', 'b.md'), 'utf8')).toBe('a');
    expect((await call(gateway, 'ed__move', { from: 'renamed', to: 'renamed/sub/inner' })).text).toContain('into itself');
    expect((await call(gateway, 'ed__move', { from: '.', to: 'x' })).text).toContain('cannot be moved');
    expect(statSync(file('renamed', 'sub', 'b.md')).nlink).toBe(1);
  });
});

describe('list_directory', () => {
  beforeEach(() => {
    mkdirSync(file('src', 'lib'), { recursive: true });
    writeFileSync(file('src', 'a.ts'), 'a');
    writeFileSync(file('src', 'lib', 'b.ts'), 'bb');
    writeFileSync(file('README.md'), 'r');
    writeFileSync(file('.hidden'), 'h');
    symlinkSync('src', file('link'));
  });

  it('lists one level, sorted, with kinds and sizes; hidden names only on request', async () => {
    const listed = await ok(gateway, 'ed__list_directory', {});
    expect(listed.structured?.entries.map((entry: any) => [entry.path, entry.kind])).toEqual([
      ['README.md', 'file'],
      ['link', 'symlink'],
      ['src', 'directory'],
    ]);
    expect(listed.structured?.entries[0].size).toBe(1);
    const hidden = await ok(gateway, 'ed__list_directory', { include_hidden: true });
    expect(hidden.structured?.entries.map((entry: any) => entry.path)).toContain('.hidden');
  });

  it('recurses (not through links), filters by glob, and bounds the result', async () => {
    const all = await ok(gateway, 'ed__list_directory', { recursive: true });
    expect(all.structured?.entries.map((entry: any) => entry.path)).toEqual(['README.md', 'link', 'src', 'src/a.ts', 'src/lib', 'src/lib/b.ts']);
    const ts = await ok(gateway, 'ed__list_directory', { recursive: true, glob: '*.ts' });
    expect(ts.structured?.entries.map((entry: any) => entry.path)).toEqual(['src/a.ts', 'src/lib/b.ts']);
    const deep = await ok(gateway, 'ed__list_directory', { recursive: true, glob: 'src/**/*.ts' });
    expect(deep.structured?.entries.map((entry: any) => entry.path)).toEqual(['src/a.ts', 'src/lib/b.ts']);
    const bounded = await ok(gateway, 'ed__list_directory', { recursive: true, max_entries: 2 });
    expect(bounded.structured).toMatchObject({ truncated: true });
    expect(bounded.structured?.entries).toHaveLength(2);
    expect(bounded.text).toContain('more entries not shown');
    const shallow = await ok(gateway, 'ed__list_directory', { recursive: true, max_depth: 1 });
    expect(shallow.structured?.entries).toHaveLength(3);
    const throughLink = await ok(gateway, 'ed__list_directory', { path: 'link' });
    expect(throughLink.structured?.entries.map((entry: any) => entry.path)).toEqual(['a.ts', 'lib']);
    expect((await call(gateway, 'ed__list_directory', { path: 'README.md' })).text).toContain('is a file');
  });
});

describe('search', () => {
  beforeEach(() => {
    mkdirSync(file('docs'));
    writeFileSync(file('docs', 'a.md'), 'TODO: one\nnothing\ntodo: two\n');
    writeFileSync(file('b.txt'), 'a TODO here\n');
    writeFileSync(file('bin.dat'), Buffer.from([0x54, 0x4f, 0x44, 0x4f, 0]));
    writeFileSync(file('.secret'), 'TODO hidden\n');
  });

  it('finds lines by regex with line and column, skipping binaries and hidden files', async () => {
    const found = await ok(gateway, 'ed__search', { pattern: 'TODO' });
    expect(found.structured?.matches).toEqual([
      { path: 'b.txt', line: 1, column: 3, text: 'a TODO here' },
      { path: 'docs/a.md', line: 1, column: 1, text: 'TODO: one' },
    ]);
    expect(found.structured?.skipped.binary).toBe(1);
    expect(found.text).toContain('docs/a.md:1:1: TODO: one');
    const insensitive = await ok(gateway, 'ed__search', { pattern: 'todo', case_insensitive: true, path: 'docs' });
    expect(insensitive.structured?.matches.map((match: any) => match.path)).toEqual(['docs/a.md', 'docs/a.md']);
    const hidden = await ok(gateway, 'ed__search', { pattern: 'hidden', include_hidden: true });
    expect(hidden.structured?.matches).toHaveLength(1);
    const globbed = await ok(gateway, 'ed__search', { pattern: 'TODO', glob: '*.md' });
    expect(globbed.structured?.matches.map((match: any) => match.path)).toEqual(['docs/a.md']);
  });

  it('bounds results, takes literal text, and explains a bad pattern', async () => {
    const bounded = await ok(gateway, 'ed__search', { pattern: '.', max_results: 2 });
    expect(bounded.structured).toMatchObject({ truncated: true, stopped: 'max_results' });
    expect(bounded.structured?.matches).toHaveLength(2);
    writeFileSync(file('re.md'), 'a.b(c)\naxb(c)\n');
    expect((await ok(gateway, 'ed__search', { pattern: 'a.b(c)', literal: true })).structured?.matches).toHaveLength(1);
    const bad = await call(gateway, 'ed__search', { pattern: '(unclosed' });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    expect(bad.text).toContain('not a valid regular expression');
  });

  it('stops a catastrophic regular expression at search_timeout without freezing the gateway', async () => {
    const slow = await editorGateway(box, 'search_timeout: 300ms', 'slow');
    writeFileSync(file('redos.md'), `${'a'.repeat(40)}!\n`);
    const started = Date.now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const result = await ok(slow, 'slow__search', { pattern: '^(a+)+$', glob: 'redos.md' });
    clearInterval(ticker);
    expect(result.structured).toMatchObject({ truncated: true, stopped: 'timeout' });
    expect(result.text).toContain('search_timeout');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(ticks).toBeGreaterThan(3); // the event loop kept running while the pattern backtracked
  });

  it('is cancelled with the call', async () => {
    writeFileSync(file('redos.md'), `${'a'.repeat(40)}!\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('client went away')), 200);
    const cancelled = await call(gateway, 'ed__search', { pattern: '^(a+)+$', glob: 'redos.md' }, controller.signal);
    expect(cancelled.ok).toBe(false);
  });
});

describe('validate and format', () => {
  it('validates JSON and YAML files with line and column', async () => {
    writeFileSync(file('good.json'), '{"a": [1, 2]}');
    writeFileSync(file('bad.json'), '{\n  "a": 1,\n  "b": }\n');
    writeFileSync(file('bad.yaml'), 'a: 1\nb: [1, 2\nc: 3\n');
    expect((await ok(gateway, 'ed__validate', { path: 'good.json' })).structured).toMatchObject({ valid: true, format: 'json' });
    const json = await ok(gateway, 'ed__validate', { path: 'bad.json' });
    expect(json.structured).toMatchObject({ valid: false, problems: [{ line: 3, column: 8 }] });
    expect(json.text).toContain('line 3, column 8: expected a value');
    const yaml = await ok(gateway, 'ed__validate', { path: 'bad.yaml' });
    expect(yaml.structured?.valid).toBe(false);
    expect(yaml.structured?.problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect((await call(gateway, 'ed__validate', { content: '{}' })).text).toContain('format: json or format: yaml');
    expect((await call(gateway, 'ed__validate', {})).text).toContain('either path');
    writeFileSync(file('notes.txt'), '{}');
    expect((await call(gateway, 'ed__validate', { path: 'notes.txt' })).text).toContain('say which format');
    expect((await ok(gateway, 'ed__validate', { path: 'notes.txt', format: 'json' })).structured?.valid).toBe(true);
  });

  it('formats JSON in place keeping numbers exact, and YAML keeping comments', async () => {
    writeFileSync(file('n.json'), '{"big":12345678901234567890,"f":1.10,"s":"a\\"b","e":[],"o":{}}');
    const formatted = await ok(gateway, 'ed__format', { path: 'n.json' });
    expect(formatted.structured).toMatchObject({ formatted: true, written: true });
    expect(readFileSync(file('n.json'), 'utf8')).toBe('{\n  "big": 12345678901234567890,\n  "f": 1.10,\n  "s": "a\\"b",\n  "e": [],\n  "o": {}\n}\n');
    expect((await ok(gateway, 'ed__format', { path: 'n.json' })).structured).toMatchObject({ changed: false, written: false });
    writeFileSync(file('c.yaml'), '# keep me\na:   1\nb:\n    - x   # and me\n');
    const preview = await ok(gateway, 'ed__format', { path: 'c.yaml', dry_run: true });
    expect(preview.text).toBe('# keep me\na: 1\nb:\n  - x # and me\n');
    expect(readFileSync(file('c.yaml'), 'utf8')).toBe('# keep me\na:   1\nb:\n    - x   # and me\n');
    expect((await ok(gateway, 'ed__format', { content: '[1,2]', format: 'json', indent: 0 })).text).toBe('[1,2]\n');
  });

  it('leaves invalid input alone and lists its problems', async () => {
    writeFileSync(file('broken.json'), '{"a": 1,}');
    const refused = await call(gateway, 'ed__format', { path: 'broken.json' });
    expect(refused.ok).toBe(false);
    expect(refused.text).toContain('line 1, column 9: a trailing comma is not allowed before }');
    expect(readFileSync(file('broken.json'), 'utf8')).toBe('{"a": 1,}');
  });
});

it('list_workspaces shows the root and the limits', async () => {
  const shown = await ok(gateway, 'ed__list_workspaces', {});
  expect(shown.structured).toMatchObject({ workspaces: [expect.stringContaining('ws')], max_file_size: 10_000_000, allowed_extensions: [], read_only: false });
});

it('an attempt to reach outside the workspace is logged as a warning with the tool and principal', async () => {
  const pino = (await import('pino')).default;
  const { buildGateway, loadConfig } = await import('../../../src/bootstrap.js');
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn', base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line)) }) as never;
  const loaded = await loadConfig({ text: `plugins:\n  ed:\n    driver: editor\n    workspace_dir: ${JSON.stringify(box.ws)}\n`, origin: '/tmp/x.yaml', env: {}, logger, types: [] });
  if (!loaded.ok) throw new Error('invalid');
  const logged = buildGateway({ config: loaded.config, registry: loaded.registry, logger });
  try {
    expect((await call(logged, 'ed__read_file', { path: '../outside/secret.txt' })).ok).toBe(false);
    expect((await call(logged, 'ed__read_file', { path: 'missing.md' })).ok).toBe(false);
    const warnings = lines.filter((line) => line.tool !== undefined);
    expect(warnings).toEqual([expect.objectContaining({ level: 40, service: 'ed', tool: 'read_file', principal: 'anonymous', code: 'INVALID_ARGUMENTS', msg: expect.stringContaining('is outside the workspace') })]);
  } finally {
    await logged.shutdown(1000);
  }
});
