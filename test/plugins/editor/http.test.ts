// The editor through a real MCP client over Streamable HTTP, in both protocol eras: the catalog, a
// write/read/edit round trip, an escape refused as an isError result carrying its code, and progress
// of a long search reaching the client.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type Mode, serveHttp } from '../../helpers/servers.js';
import { cleanup, editorGateway, expectOutsideUntouched, type Sandbox, sandbox, SECRET } from './editor-fixture.js';

const textOf = (result: { content?: unknown }) => ((result.content ?? []) as { text?: string }[]).map((block) => block.text ?? '').join('\n');

describe.each(['auto', 'legacy'] as Mode[])('editor over HTTP (%s client)', (mode) => {
  let box: Sandbox;
  let server: Awaited<ReturnType<typeof serveHttp>>;
  let client: Client;

  beforeAll(async () => {
    box = sandbox();
    mkdirSync(join(box.ws, 'many'));
    for (let i = 0; i < 450; i++) writeFileSync(join(box.ws, 'many', `f${String(i).padStart(3, '0')}.md`), i === 449 ? 'needle\n' : 'hay\n');
    server = await serveHttp(await editorGateway(box));
    client = await httpClient(server.url, mode);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await cleanup();
  });

  it('lists the editor tools with their annotations', async () => {
    const { tools } = await client.listTools();
    const read = tools.find((tool) => tool.name === 'ed__read_file');
    const remove = tools.find((tool) => tool.name === 'ed__delete');
    expect(read?.annotations).toMatchObject({ readOnlyHint: true });
    expect(remove?.annotations).toMatchObject({ destructiveHint: true });
    expect(tools.filter((tool) => tool.name.startsWith('ed__'))).toHaveLength(12);
  });

  it('writes, reads and edits a file', async () => {
    const written = await client.callTool({ name: 'ed__write_file', arguments: { path: `notes/${mode}.md`, content: 'hello world\n', create_parents: true } });
    expect(written.isError).toBeFalsy();
    const edited = await client.callTool({ name: 'ed__edit_file', arguments: { path: `notes/${mode}.md`, old_text: 'world', new_text: 'gateway' } });
    expect(edited.isError).toBeFalsy();
    const read = await client.callTool({ name: 'ed__read_file', arguments: { path: `notes/${mode}.md` } });
    expect(textOf(read)).toBe('hello gateway\n');
    expect(readFileSync(join(box.ws, 'notes', `${mode}.md`), 'utf8')).toBe('hello gateway\n');
  });

  it('refuses an escape as an isError result with its code, and reads nothing outside', async () => {
    const escaped = await client.callTool({ name: 'ed__read_file', arguments: { path: '../outside/secret.txt' } });
    expect(escaped.isError).toBe(true);
    expect(textOf(escaped)).toContain('is outside the workspace');
    expect(textOf(escaped)).not.toContain(SECRET);
    expect(escaped._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    expectOutsideUntouched(box);
  });

  it('a long search reports progress to the client', async () => {
    const updates: { progress: number; message?: string }[] = [];
    const result = await client.callTool({ name: 'ed__search', arguments: { pattern: 'needle', path: 'many' } }, { onprogress: (update) => updates.push(update) });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('many/f449.md:1:1: needle');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates[0]!.message).toMatch(/^searched \d+ files$/);
  });
});
