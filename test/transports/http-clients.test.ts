import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/core/gateway.js';
import { createProbe, echoType, type Probe } from '../fixtures/test-types.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { httpClient, type Mode, serveHttp } from '../helpers/servers.js';

const CONFIG = `
global:
  page_size: 5
services:
  alpha:
    driver: echo
    extra_tools: 4
  beta:
    driver: echo
    greeting: hi
    timeout: 400ms
`;

describe.each<Mode>(['legacy', 'auto'])('HTTP front door with an SDK v2 client (%s negotiation)', (mode) => {
  let probe: Probe;
  let gateway: Gateway;
  let server: Awaited<ReturnType<typeof serveHttp>>;
  let client: Client;

  beforeEach(async () => {
    probe = createProbe();
    gateway = await gatewayFrom(CONFIG, [echoType(probe)]);
    server = await serveHttp(gateway);
    client = await httpClient(server.url, mode, { elicitation: {} });
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('negotiates the expected era', () => {
    expect(client.getProtocolEra()).toBe(mode === 'auto' ? 'modern' : 'legacy');
  });

  it('lists tools of several services across pages (the client walks the cursors)', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual([
      'alpha__echo',
      'alpha__slow',
      'alpha__fail',
      'alpha__confirm',
      'alpha__mutate',
      'alpha__t0',
      'alpha__t1',
      'alpha__t2',
      'alpha__t3',
      'beta__echo',
      'beta__slow',
      'beta__fail',
      'beta__confirm',
      'beta__mutate',
    ]);
  });

  it('rejects an invalid cursor with a JSON-RPC error', async () => {
    await expect(client.listTools({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: -32602 });
  });

  it('routes calls to the right service', async () => {
    const alpha = await client.callTool({ name: 'alpha__echo', arguments: { text: 'x' } });
    const beta = await client.callTool({ name: 'beta__echo', arguments: { text: 'x' } });
    expect(alpha.content).toEqual([{ type: 'text', text: 'hello x' }]);
    expect(beta.content).toEqual([{ type: 'text', text: 'hi x' }]);
  });

  it('answers wrong argument types with a tool error naming the path', async () => {
    const result = await client.callTool({ name: 'alpha__echo', arguments: { text: 42 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('arguments/text must be string');
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'INVALID_ARGUMENTS' });
  });

  it('answers an unknown tool with -32602', async () => {
    await expect(client.callTool({ name: 'nope__echo', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('reports a backend failure as a tool error naming the service', async () => {
    const result = await client.callTool({ name: 'beta__fail', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('[beta] connection refused at 127.0.0.1:1');
  });

  it('relays progress from the service to the client', async () => {
    const updates: number[] = [];
    const result = await client.callTool({ name: 'alpha__slow', arguments: { ms: 50 } }, { onprogress: (update) => updates.push(update.progress) });
    expect(result.isError).toBeFalsy();
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect([...updates].sort((a, b) => a - b)).toEqual(updates);
  });

  it('cancellation by the client stops the backend work', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'alpha__slow', arguments: { ms: 5000 } }, { signal: controller.signal });
    await expect.poll(() => probe.active).toBe(1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await expect.poll(() => probe.aborted, { timeout: 3000 }).toBe(1);
    expect(probe.finished).toBe(0);
  });

  it('a timeout aborts the backend work and answers a clear tool error', async () => {
    const result = await client.callTool({ name: 'beta__slow', arguments: { ms: 5000 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/\[beta\] tools\/call beta__slow timed out after 400 ms/);
    await expect.poll(() => probe.aborted, { timeout: 3000 }).toBe(1);
  });

  it('asks the client for input: MRTR on modern, a real elicitation request on legacy sessions', async () => {
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { word: 'yes' } };
    });
    const result = await client.callTool({ name: 'alpha__confirm', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'confirmed yes' }]);
    expect(asked).toEqual(['Which word?']);
  });

  it('tells the client when the tool list changes', async () => {
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', async () => {
      changed++;
    });
    const subscription = mode === 'auto' ? await client.listen({ toolsListChanged: true }) : undefined;
    await client.callTool({ name: 'alpha__mutate', arguments: {} });
    await expect.poll(() => changed, { timeout: 3000 }).toBeGreaterThanOrEqual(1);
    await subscription?.close();
  });
});
