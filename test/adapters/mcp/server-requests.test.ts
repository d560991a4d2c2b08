// Server→client requests (elicitation, sampling, roots) reach the downstream client whose call caused
// them — exactly over Streamable HTTP (the stream they arrive on says which call), and over stdio only
// when that cannot be mistaken; a modern client answers by retrying, with the upstream call waiting
// (bounded by input_timeout); a missing client capability is refused the way the protocol says.
import { Client, type InputRequiredResult, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { httpClient, type Mode } from '../../helpers/servers.js';
import { gatewayOnHttp, NODE, resultText, SDK_UPSTREAM, startHttpUpstream, yamlList } from './helpers.js';

const stdioUpstream = (extra = '') => `
services:
  up:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([SDK_UPSTREAM, 'stdio'])}
    negotiation: legacy
${extra}`;

/** A client that answers elicitation with `colour`, after `delayMs`. */
async function answering(url: URL, mode: Mode, colour: string, delayMs: number): Promise<Client> {
  const client = await httpClient(url, mode, { elicitation: { form: {} } });
  client.setRequestHandler('elicitation/create', async () => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { action: 'accept', content: { colour } };
  });
  return client;
}

describe('server→client requests from an upstream', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    cleanup.length = 0;
  });

  it('over Streamable HTTP, concurrent calls each get their own client’s answer', async () => {
    const upstream = await startHttpUpstream();
    cleanup.push(() => upstream.stop());
    const gateway = await gatewayOnHttp(`
services:
  up:
    type: mcp
    url: ${upstream.url}
    negotiation: legacy
`);
    cleanup.push(() => gateway.close());
    const clients = await Promise.all([
      answering(gateway.url, 'legacy', 'red', 150),
      answering(gateway.url, 'auto', 'green', 50),
      answering(gateway.url, 'legacy', 'blue', 10),
      answering(gateway.url, 'auto', 'amber', 100),
    ]);
    cleanup.push(() => Promise.all(clients.map((client) => client.close())));
    const answers = await Promise.all(clients.map(async (client) => resultText(await client.callTool({ name: 'up__ask', arguments: {} }))));
    expect(answers).toEqual(['colour: red', 'colour: green', 'colour: blue', 'colour: amber']);
  });

  it('over stdio, a request that cannot be tied to one of several calls is refused, saying why and what to do', async () => {
    const gateway = await gatewayOnHttp(stdioUpstream());
    cleanup.push(() => gateway.close());
    const [first, second] = await Promise.all([answering(gateway.url, 'legacy', 'red', 0), answering(gateway.url, 'legacy', 'blue', 0)]);
    cleanup.push(() => Promise.all([first!.close(), second!.close()]));
    const busy = first!.callTool({ name: 'up__slow', arguments: { ms: 1000, steps: 2 } });
    const refused = await second!.callTool({ name: 'up__ask', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toContain('[up] elicitation/create refused by the gateway: 2 calls are in flight on its shared connection');
    expect(resultText(refused)).toContain('set bulkhead.max_concurrent: 1 for this service');
    await busy;
    // Alone, the same call goes through.
    expect(resultText(await second!.callTool({ name: 'up__ask', arguments: {} }))).toBe('colour: blue');
  });

  it('over stdio with bulkhead.max_concurrent: 1, concurrent calls are serialized and each asks its own client', async () => {
    const gateway = await gatewayOnHttp(stdioUpstream('    bulkhead: { max_concurrent: 1, max_queue: 10 }\n'));
    cleanup.push(() => gateway.close());
    const clients = await Promise.all([answering(gateway.url, 'legacy', 'red', 30), answering(gateway.url, 'auto', 'green', 0)]);
    cleanup.push(() => Promise.all(clients.map((client) => client.close())));
    const answers = await Promise.all(clients.map(async (client) => resultText(await client.callTool({ name: 'up__ask', arguments: {} }))));
    expect(answers).toEqual(['colour: red', 'colour: green']);
  });

  it('a modern client that never answers: the waiting upstream call is cancelled after input_timeout, and a late retry is told to call again', async () => {
    const gateway = await gatewayOnHttp(stdioUpstream('    input_timeout: 300ms\n'));
    cleanup.push(() => gateway.close());
    const client = new Client({ name: 'manual', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } });
    await client.connect(new StreamableHTTPClientTransport(gateway.url));
    cleanup.push(() => client.close());
    const first = (await client.callTool({ name: 'up__ask', arguments: {} }, { allowInputRequired: true })) as unknown as InputRequiredResult;
    expect(first.resultType).toBe('input_required');
    const [key, request] = Object.entries(first.inputRequests ?? {})[0]!;
    expect(request).toMatchObject({ method: 'elicitation/create', params: { message: 'Favourite colour?' } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const late = await client.callTool({ name: 'up__ask', arguments: {}, inputResponses: { [key]: { action: 'accept', content: { colour: 'late' } } }, requestState: first.requestState } as never);
    expect(late.isError).toBe(true);
    expect(resultText(late)).toMatch(/^\[up\] the tools\/call ask call that was waiting for your answer is gone .*call it again/);
    // The upstream saw the cancellation and is free for the next call.
    expect(resultText(await client.callTool({ name: 'up__echo', arguments: { text: 'next' } }))).toBe('echo: next');
  });

  it('a modern upstream needing a capability the modern client lacks: -32021, as the upstream said', async () => {
    const gateway = await gatewayOnHttp(`
services:
  up:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([SDK_UPSTREAM, 'stdio'])}
`);
    cleanup.push(() => gateway.close());
    const client = await httpClient(gateway.url, 'auto', {});
    cleanup.push(() => client.close());
    await expect(client.callTool({ name: 'up__sample', arguments: { prompt: 'x' } })).rejects.toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
  });
});
