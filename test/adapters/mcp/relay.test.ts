// The `mcp` service type against a real upstream (test/fixtures/upstreams/sdk-upstream.mjs, an SDK v2
// McpServer) over stdio and over Streamable HTTP, spoken to in either era, with a real SDK v2 client
// downstream in either negotiation mode: everything passes through the gateway.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../helpers/servers.js';
import { capableClient, gatewayOnHttp, NODE, resultText, SDK_UPSTREAM, startHttpUpstream, yamlList } from './helpers.js';

type Transport = 'stdio' | 'http';
type Negotiation = 'auto' | 'legacy';
const cases: [Transport, Negotiation, Mode][] = [];
for (const transport of ['stdio', 'http'] as const) for (const negotiation of ['auto', 'legacy'] as const) for (const mode of ['legacy', 'auto'] as const) cases.push([transport, negotiation, mode]);

describe.each(cases)('upstream over %s (negotiation %s), downstream client in %s mode', (transport, negotiation, mode) => {
  let upstream: Awaited<ReturnType<typeof startHttpUpstream>> | undefined;
  let gateway: Awaited<ReturnType<typeof gatewayOnHttp>>;
  let client: Client;

  beforeAll(async () => {
    let where: string;
    if (transport === 'http') {
      upstream = await startHttpUpstream();
      where = `url: ${upstream.url}`;
    } else {
      where = `command: ${JSON.stringify(NODE)}\n    args: ${yamlList([SDK_UPSTREAM, 'stdio'])}`;
    }
    gateway = await gatewayOnHttp(`
services:
  up:
    type: mcp
    ${where}
    negotiation: ${negotiation}
    timeout: 5s
`);
    client = await capableClient(gateway.url, mode);
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await upstream?.stop();
  });

  it('lists the upstream tools with their annotations, icons, _meta and outputSchema', async () => {
    const { tools } = await client.listTools();
    const echo = tools.find((tool) => tool.name === 'up__echo');
    expect(echo).toMatchObject({
      title: 'Echo',
      description: 'Returns its text',
      annotations: { readOnlyHint: true, idempotentHint: true },
      icons: [{ src: 'https://example.com/echo.png', mimeType: 'image/png' }],
      _meta: { 'example.com/owner': 'fixture' },
    });
    expect(tools.find((tool) => tool.name === 'up__add')?.outputSchema).toMatchObject({ properties: { sum: { type: 'number' } } });
  });

  it('relays a call, structured content and isError', async () => {
    expect(resultText(await client.callTool({ name: 'up__echo', arguments: { text: 'hi' } }))).toBe('echo: hi');
    const added = await client.callTool({ name: 'up__add', arguments: { a: 2, b: 3 } });
    expect(added.structuredContent).toEqual({ sum: 5 });
    const failed = await client.callTool({ name: 'up__fail', arguments: {} });
    expect(failed.isError).toBe(true);
    expect(resultText(failed)).toBe('it failed on purpose');
  });

  it('validates arguments against the upstream schema before calling', async () => {
    const result = await client.callTool({ name: 'up__echo', arguments: { text: 7 } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('arguments/text');
  });

  it('relays a tool that throws upstream as the error result the upstream made of it', async () => {
    const result = await client.callTool({ name: 'up__explode', arguments: {} });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('kaboom');
  });

  it('relays progress', async () => {
    const updates: number[] = [];
    const result = await client.callTool({ name: 'up__slow', arguments: { ms: 100, steps: 4 } }, { onprogress: (p) => updates.push(p.progress) });
    expect(resultText(result)).toBe('slept 100');
    expect(updates).toEqual([1, 2, 3, 4]);
  });

  it('cancellation by the client cancels the upstream request', async () => {
    const before = JSON.parse(resultText(await client.callTool({ name: 'up__stats', arguments: {} }))).cancelled as number;
    const controller = new AbortController();
    const call = client.callTool({ name: 'up__slow', arguments: { ms: 5000, steps: 50 } }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await expect(call).rejects.toThrow();
    await expect
      .poll(async () => JSON.parse(resultText(await client.callTool({ name: 'up__stats', arguments: {} }))).cancelled, { timeout: 5000 })
      .toBe(before + 1);
  });

  it('relays elicitation, sampling and roots to the calling client', async () => {
    expect(resultText(await client.callTool({ name: 'up__ask', arguments: {} }))).toBe('colour: teal');
    expect(resultText(await client.callTool({ name: 'up__sample', arguments: { prompt: 'capital?' } }))).toBe('model said: answer to "capital?"');
    expect(resultText(await client.callTool({ name: 'up__roots', arguments: {} }))).toBe('roots: file:///work');
  });

  it('reads resources and templates, gets prompts, completes arguments', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('fixture://static');
    expect((await client.readResource({ uri: 'fixture://static' })).contents).toEqual([{ uri: 'fixture://static', mimeType: 'text/plain', text: 'static content' }]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('fixture://items/{id}');
    expect((await client.readResource({ uri: 'fixture://items/42' })).contents[0]).toMatchObject({ text: '{"id":"42"}' });
    const prompt = await client.getPrompt({ name: 'up__greet', arguments: { name: 'Ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Hello, Ada!' });
    const names = await client.complete({ ref: { type: 'ref/prompt', name: 'up__greet' }, argument: { name: 'name', value: 'A' } });
    expect(names.completion.values).toEqual(['Ada', 'Alan']);
    const ids = await client.complete({ ref: { type: 'ref/resource', uri: 'fixture://items/{id}' }, argument: { name: 'id', value: 'ap' } });
    expect(ids.completion.values).toEqual(['apple', 'apricot']);
  });

  it('a resource the upstream does not have is not found', async () => {
    await expect(client.readResource({ uri: 'fixture://nothing-here' })).rejects.toMatchObject({ code: -32602 });
  });
});
