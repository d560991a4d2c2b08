// Hostile upstreams (FAKES: test/fixtures/upstreams/fake-upstream.mjs — no real server misbehaves on
// demand) are isolated: the gateway stays up, every other service keeps working, and each error names
// the service and says what happened.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../helpers/servers.js';
import { FAKE_UPSTREAM, NODE, recordedGateway, resultText, SDK_UPSTREAM, yamlList } from './helpers.js';

const fake = (name: string, mode: string, extra = '') => `
  ${name}:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([FAKE_UPSTREAM, mode])}
    connect_timeout: 2s
    recovery: { initial_delay: 300ms, max_delay: 1s }
${extra}`;

describe('hostile upstreams', () => {
  let gateway: Awaited<ReturnType<typeof recordedGateway>>;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args });
  const warnings = (service: string) => gateway.log.filter((entry) => entry.bindings.service === service && ['warn', 'error'].includes(entry.level)).map((entry) => entry.message);

  beforeAll(async () => {
    gateway = await recordedGateway(`
services:
  healthy:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([SDK_UPSTREAM, 'stdio'])}
${fake('paged', 'well-behaved', '    timeout: 500ms')}
${fake('garbage', 'garbage')}
${fake('silent', 'no-init')}
${fake('huge', 'well-behaved', '    max_message_size: 100KB')}
${fake('schemas', 'invalid-schema')}
${fake('dupes', 'duplicate-ids')}
${fake('probe_exit', 'exit-on-probe')}
${fake('crashy', 'exit-on-call')}
  missing:
    type: mcp
    command: /nonexistent/mcp-server
`);
    client = await httpClient(gateway.url, 'auto');
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('follows every page of the upstream’s lists', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name).filter((name) => name.startsWith('paged__'));
    expect(names).toEqual(['paged__hello', 'paged__explode', 'paged__huge', 'paged__hang', 'paged__grandchild_pid']);
  });

  it('relays an upstream JSON-RPC error as a tool error naming the service and the upstream’s code', async () => {
    const result = await call('paged__explode');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe('[paged] the upstream answered tools/call explode with JSON-RPC error -32000: the fake upstream exploded');
  });

  it('garbage on stdout: skipped and logged, the protocol keeps working', async () => {
    expect(resultText(await call('garbage__hello', { who: 'there' }))).toBe('hello there');
    expect(warnings('garbage').some((message) => /not a JSON-RPC message; skipped/.test(message))).toBe(true);
  });

  it('a hanging tool times out with a clear error; the same upstream keeps answering', async () => {
    const result = await call('paged__hang');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe('[paged] tools/call paged__hang timed out after 500 ms');
    expect(resultText(await call('paged__hello'))).toBe('hello world');
  });

  it('no answer to initialize: the service fails to start, saying so', () => {
    const status = gateway.gateway.host('silent')!.status();
    expect(['failed', 'initializing']).toContain(status.phase); // it keeps trying, with backoff
    expect(status.lastError?.message).toMatch(/^\[silent\] ".*fake-upstream\.mjs no-init" did not complete the MCP handshake within 2000 ms \(connect_timeout\)/);
  });

  it('a message over max_message_size fails the call it answers and nothing else', async () => {
    const result = await call('huge__huge', { bytes: 1_000_000 });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^\[huge\] .*more than max_message_size \(100000 bytes\): raise max_message_size/);
    expect(resultText(await call('huge__huge', { bytes: 1000 }))).toHaveLength(1000);
    expect(resultText(await call('huge__hello'))).toBe('hello world');
  });

  it('invalid tool schemas and duplicate names are left out, each named in the log; valid tools are served', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name).filter((name) => name.startsWith('schemas__'));
    expect(names).toEqual(['schemas__good']);
    const logged = warnings('schemas').join('\n');
    expect(logged).toMatch(/tool "banana" does not match the MCP schema|tool banana has an input schema the gateway cannot use/);
    expect(logged).toContain('"schemaless" does not match the MCP schema');
    expect(logged).toContain('lists tool good twice');
  });

  it('duplicate and unknown response ids: the first answer wins, the rest is logged and dropped', async () => {
    expect(resultText(await call('dupes__hello', { who: 'a' }))).toBe('hello a');
    expect(resultText(await call('dupes__hello', { who: 'b' }))).toBe('hello b');
    await expect.poll(() => warnings('dupes').some((message) => /protocol error from the upstream/.test(message))).toBe(true);
  });

  it('a server that exits on the server/discover probe is started again as a legacy server', async () => {
    expect(resultText(await call('probe_exit__hello'))).toBe('hello world');
  });

  it('an upstream that dies during a call: the call fails with the exit and its last stderr, then it restarts', async () => {
    const result = await call('crashy__hello');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^\[crashy\] the upstream process exited with code 3; its last stderr lines: fatal: hello is not allowed here while tools\/call hello was running/);
    // The restart spawns a fresh child (and its era probe): generous under a loaded CI machine.
    await expect.poll(() => gateway.gateway.host('crashy')!.status().phase, { timeout: 20_000 }).toBe('running');
  });

  it('a program that does not exist fails its service with the reason', () => {
    const status = gateway.gateway.host('missing')!.status();
    expect(status.phase).toBe('failed');
    expect(status.lastError?.message).toBe('[missing] the upstream process could not be started: "/nonexistent/mcp-server" was not found — check command: (and PATH, or give an absolute path)');
  });

  it('through all of it, the gateway and the healthy service keep working', async () => {
    expect(resultText(await call('healthy__echo', { text: 'ok' }))).toBe('echo: ok');
    expect(gateway.gateway.host('healthy')!.status()).toMatchObject({ phase: 'running', restarts: 0 });
  });
});
