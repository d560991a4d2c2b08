// Authorization: policies by service, name glob and class; deny wins; lists filtered; checks on the
// name the catalog resolved, so no spelling of a name reaches a tool the principal may not call.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/core/gateway.js';
import { hashApiKey } from '../../src/security/api-key-hash.js';
import { echoType } from '../fixtures/test-types.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { scope, text } from '../helpers/scope.js';
import { serveHttp } from '../helpers/servers.js';
import { storeType } from './helpers.js';

const KEYS = { reader: 'reader-key-0123456789abcdef', writer: 'writer-key-0123456789abcdef', auditor: 'auditor-key-0123456789abcd', ops: 'ops-key-0123456789abcdefgh' };
const principal = (id: string, roles: string[]) => ({ id, roles });

const CONFIG = `
server:
  auth:
    mode: api_keys
    api_keys:
      - { principal: reader, hash: ${hashApiKey(KEYS.reader)}, roles: [reader] }
      - { principal: writer, hash: ${hashApiKey(KEYS.writer)}, roles: [writer] }
      - { principal: auditor, hash: ${hashApiKey(KEYS.auditor)}, roles: [auditor] }
      - { principal: ops, hash: ${hashApiKey(KEYS.ops)}, roles: [ops] }
authorization:
  admin_tools: ["*__delete_item", "delete_item"]
  policies:
    - { description: writers write the shops, effect: allow, roles: [writer], services: ["shop*"], classes: [write] }
    - { description: nobody writes the vault, effect: deny, roles: ["*"], tools: ["vault__*"], classes: [write, admin] }
    - { description: ops may do everything, effect: allow, roles: [ops] }
    - { description: auditors see only the audit shop, effect: deny, roles: [auditor], services: ["shop_b"] }
    - { description: readme hidden from auditors, effect: deny, roles: [auditor], resources: ["store://shop_a/*"], prompts: ["shop_a__*"] }
services:
  shop_a: { driver: store }
  shop_b: { driver: store, prefix: on_collision }
  vault: { driver: store, prefix: never, tools: { include: [add_item, delete_item, list_items] } }
  notes: { driver: echo }
`;

let gateway: Gateway;
let server: Awaited<ReturnType<typeof serveHttp>>;

beforeAll(async () => {
  gateway = await gatewayFrom(CONFIG, [storeType(), echoType()]);
  server = await serveHttp(gateway);
});
afterAll(() => server.close());

async function client(key: string): Promise<Client> {
  const created = new Client({ name: 'rbac', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await created.connect(new StreamableHTTPClientTransport(server.url, { requestInit: { headers: { 'X-API-Key': key } } }));
  return created;
}

describe('a read-only principal', () => {
  it('reaches no write tool through any service: every tool of the whole catalog tried', async () => {
    const reader = await client(KEYS.reader);
    try {
      const listed = new Set((await reader.listTools()).tools.map((tool) => tool.name));
      const writes = gateway.catalog.tools.filter((entry) => entry.descriptor.annotations?.readOnlyHint !== true);
      expect(writes.length).toBeGreaterThan(8); // add/delete in three stores, every echo tool
      expect(new Set(writes.map((entry) => entry.host.name))).toEqual(new Set(['shop_a', 'shop_b', 'vault', 'notes']));
      for (const entry of writes) {
        expect(listed.has(entry.name), `${entry.name} must not be listed`).toBe(false);
        const result = await reader.callTool({ name: entry.name, arguments: entry.name.endsWith('echo') ? { text: 'x' } : {} });
        expect(result.isError, `${entry.name} must be refused`).toBe(true);
        expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'ACCESS_DENIED' });
      }
      for (const entry of gateway.catalog.tools.filter((tool) => tool.descriptor.annotations?.readOnlyHint === true)) {
        expect(listed.has(entry.name), `${entry.name} is read-only and listed`).toBe(true);
      }
    } finally {
      await reader.close();
    }
  });

  it('cannot reach a write tool by spelling its name differently', async () => {
    const reader = await client(KEYS.reader);
    try {
      const tricks = [
        'SHOP_A__ADD_ITEM',
        'Shop_a__add_item',
        'shop_a__аdd_item', // Cyrillic а
        'shop_a__add_item\u200b',
        'shop_a__add_item ',
        ' shop_a__add_item',
        'shop_a.add_item',
        'shop_a/add_item',
        'shop_a___add_item',
        'shop_a_add_item',
        'shop_a__add_item\u0000',
        'shop_a__ａdd_item', // fullwidth a
        'add_item', // vault's un-prefixed write tool, denied by the vault policy and the default
        'shop_b__add_item', // shop_b is on_collision: its real name is prefixed only on collision
        'vault__add_item',
        'delete_item',
      ];
      for (const name of tricks) {
        const result = await reader.callTool({ name, arguments: {} }).catch((error: Error) => ({ isError: true, protocol: error.message }));
        const refused = 'protocol' in result ? /Unknown tool/.test(String(result.protocol)) : result.isError === true;
        expect(refused, `${JSON.stringify(name)} must be refused`).toBe(true);
        if (!('protocol' in result)) expect(text(result)).toMatch(/access denied/);
      }
    } finally {
      await reader.close();
    }
  });
});

describe('policies', () => {
  const call = (who: ReturnType<typeof principal>, name: string) => gateway.dispatcher.callTool(name, {}, scope({ principal: who }));

  it('grant write by service glob and class, but deny wins (the vault stays read-only even for writers)', async () => {
    const writer = principal('writer', ['writer']);
    expect(text(await call(writer, 'shop_a__add_item'))).toBe('[shop_a] added');
    // shop_b tools carry no prefix (on_collision) except where they collide with shop_a's.
    expect((await call(writer, 'shop_b__add_item')).isError).toBeFalsy();
    const vault = await call(writer, 'add_item');
    expect(vault.isError).toBe(true);
    expect(text(vault)).toMatch(/decided by authorization\.policies\[1\] "nobody writes the vault" \(deny\)/);
    expect((await call(writer, 'notes__echo')).isError).toBe(true); // not in shop*: the default (read) applies
  });

  it('match a deny written for prefixed names against a service served with prefix: never', async () => {
    const ops = principal('ops', ['ops']);
    expect(text(await call(ops, 'shop_a__delete_item'))).toBe('[shop_a] deleted');
    const denied = await call(ops, 'delete_item');
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/class admin\).*policies\[1\]/);
  });

  it('class admin comes from admin_tools; nobody gets it by default, not even writers', async () => {
    const result = await call(principal('writer', ['writer']), 'shop_a__delete_item');
    expect(text(result)).toMatch(/class admin/);
    expect(gateway.security.policy.classify({ kind: 'tool', service: 'shop_a', names: ['shop_a__delete_item', 'delete_item'] })).toBe('admin');
  });

  it('filter every list to what the principal may use: tools, prompts, resources', () => {
    const auditor = principal('auditor', ['auditor']);
    const tools = gateway.dispatcher.listTools(undefined, auditor).tools.map((tool) => tool.name);
    expect(tools.every((name) => !name.startsWith('shop_b') && !['whoami', 'leak'].includes(name))).toBe(true);
    expect(tools).toContain('shop_a__list_items');
    const prompts = gateway.dispatcher.listPrompts(undefined, auditor).prompts.map((prompt) => prompt.name);
    expect(prompts).not.toContain('shop_a__summary');
    expect(gateway.dispatcher.listPrompts(undefined, principal('reader', ['reader'])).prompts.map((prompt) => prompt.name)).toContain('shop_a__summary');
    const resources = gateway.dispatcher.listResources(undefined, auditor).resources.map((resource) => resource.uri);
    expect(resources).toEqual(['store://vault/readme']);
  });

  it('check prompts and resources at the dispatcher too', async () => {
    const auditor = scope({ principal: principal('auditor', ['auditor']) });
    await expect(gateway.dispatcher.readResource('store://shop_a/readme', auditor)).rejects.toThrow(/access denied/);
    await expect(gateway.dispatcher.getPrompt('shop_a__summary', {}, auditor)).rejects.toThrow(/access denied/);
    await expect(gateway.dispatcher.readResource('store://vault/readme', auditor)).resolves.toBeDefined();
  });

  it('let authenticated principals read by default, and nothing with default: none', async () => {
    const strict = await gatewayFrom(
      `
server: { auth: { mode: api_keys, api_keys: [{ principal: p, hash: ${hashApiKey(KEYS.reader)} }] } }
authorization: { default: none, policies: [{ effect: allow, principals: [p], tools: ["*list_items"] }] }
services: { shop: { driver: store } }
`,
      [storeType()],
    );
    const p = scope({ principal: principal('p', []) });
    expect(strict.dispatcher.listTools(undefined, p.principal).tools.map((tool) => tool.name)).toEqual(['shop__list_items']);
    expect((await strict.dispatcher.callTool('shop__whoami', {}, p)).isError).toBe(true);
    expect(text(await strict.dispatcher.callTool('shop__list_items', {}, p))).toBe('[shop] items');
    await strict.shutdown();
  });

  it('trust everything when no authentication and no policy is configured (a local setup)', async () => {
    const local = await gatewayFrom('services: { shop: { driver: store } }', [storeType()]);
    expect(local.security.policy.enforced).toBe(false);
    expect(text(await local.dispatcher.callTool('shop__delete_item', {}, scope()))).toBe('[shop] deleted');
    await local.shutdown();
  });
});

describe('a read-only principal and a federated MCP server', () => {
  it('reaches none of the upstream write tools, while its read tools work', async () => {
    const { gatewayOnHttp, NODE, SDK_UPSTREAM } = await import('../adapters/mcp/helpers.js');
    const served = await gatewayOnHttp(
      `
server: { auth: { mode: api_keys, api_keys: [{ principal: reader, hash: ${hashApiKey(KEYS.reader)}, roles: [reader] }] } }
services:
  up: { type: mcp, command: ${JSON.stringify(NODE)}, args: [${JSON.stringify(SDK_UPSTREAM)}, stdio] }
  shop: { driver: store }
`,
      [storeType()],
    );
    const reader = new Client({ name: 'rbac-fed', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await reader.connect(new StreamableHTTPClientTransport(served.url, { requestInit: { headers: { 'X-API-Key': KEYS.reader } } }));
    try {
      const upstream = served.gateway.catalog.tools.filter((entry) => entry.host.name === 'up');
      const writes = upstream.filter((entry) => entry.descriptor.annotations?.readOnlyHint !== true);
      const reads = upstream.filter((entry) => entry.descriptor.annotations?.readOnlyHint === true);
      expect(writes.length).toBeGreaterThan(5);
      expect(reads.length).toBeGreaterThan(0);
      const listed = new Set((await reader.listTools()).tools.map((tool) => tool.name));
      for (const entry of writes) {
        expect(listed.has(entry.name)).toBe(false);
        const result = await reader.callTool({ name: entry.name, arguments: {} });
        expect(result._meta?.['dev.mcpeg/error'], entry.name).toMatchObject({ code: 'ACCESS_DENIED' });
      }
      for (const entry of reads) expect(listed.has(entry.name)).toBe(true);
    } finally {
      await reader.close();
      await served.close();
    }
  }, 60_000);
});
