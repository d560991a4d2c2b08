import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mcpeg-stdio-'));
const config = join(dir, 'mcpeg.yaml');
writeFileSync(
  config,
  `global: { page_size: 2 }
plugins:
  notes:
    module: ${join(ROOT, 'examples/notes-plugin/index.js')}
    config: { seed: [first note] }
  slow:
    module: ${join(ROOT, 'test/fixtures/plugins/behaviours.js')}
`,
);

describe.each(['legacy', 'auto'] as const)('stdio front door (%s negotiation)', (mode) => {
  it('serves list, call, resources, prompts and progress to a real SDK client', async () => {
    const client = new Client({ name: 'stdio-test', version: '1.0.0' }, { versionNegotiation: { mode } });
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--stdio', '--config', config], stderr: 'pipe' });
    await client.connect(transport);
    try {
      expect(client.getProtocolEra()).toBe(mode === 'auto' ? 'modern' : 'legacy');
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toContain('notes__add_note');
      expect(tools).toContain('slow__sleep');
      const added = await client.callTool({ name: 'notes__add_note', arguments: { text: 'from stdio' } });
      expect(added.structuredContent).toMatchObject({ id: '2', text: 'from stdio' });
      const read = await client.readResource({ uri: 'notes://2' });
      expect(read.contents[0]).toMatchObject({ text: 'from stdio' });
      const prompt = await client.getPrompt({ name: 'notes__summarize_notes', arguments: { topic: 'stdio' } });
      expect(JSON.stringify(prompt.messages)).toContain('from stdio');
      // Pages of 2 across both services; the client walks the cursors.
      expect(tools).toEqual([
        'notes__add_note',
        'notes__list_notes',
        'notes__search_notes',
        'notes__delete_note',
        'slow__ping',
        'slow__sleep',
      ]);
      const updates: number[] = [];
      const slept = await client.callTool({ name: 'slow__sleep', arguments: { ms: 50 } }, { onprogress: (update) => updates.push(update.progress) });
      expect(slept.content).toEqual([{ type: 'text', text: 'slept 50' }]);
      expect(updates.length).toBeGreaterThanOrEqual(3);

      // Cancellation: the call ends at once, and the connection keeps serving.
      const controller = new AbortController();
      const started = Date.now();
      const long = client.callTool({ name: 'slow__sleep', arguments: { ms: 10_000 } }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(long).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3000);

      // list_changed: deleting a note changes the resource list.
      let changed = 0;
      client.setNotificationHandler('notifications/resources/list_changed', async () => {
        changed++;
      });
      const subscription = mode === 'auto' ? await client.listen({ resourcesListChanged: true }) : undefined;
      await client.callTool({ name: 'notes__delete_note', arguments: { id: '1' } });
      await expect.poll(() => changed, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
      await subscription?.close();
      expect((await client.callTool({ name: 'slow__sleep', arguments: { ms: 1 } })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});

describe('stdio hygiene', () => {
  it('writes nothing but JSON-RPC messages to stdout, logs go to stderr', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--stdio', '--config', config], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'notes__list_notes', arguments: {} } });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
    child.stdin.write('this is not json\n');
    send({ jsonrpc: '2.0', id: 4, method: 'ping' });
    await expect.poll(() => stdout.split('\n').filter(Boolean).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
    const lines = stdout.split('\n').filter(Boolean);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('jsonrpc', '2.0');
    const byId = new Map(lines.map((line) => JSON.parse(line)).map((message) => [message.id, message]));
    expect(byId.get(2).result.content[0].text).toContain('first note');
    expect(byId.get(3).error.code).toBe(-32602);
    expect(byId.get(4).result).toEqual({});
    expect(stderr).toContain('serving on stdio');
  });
});
