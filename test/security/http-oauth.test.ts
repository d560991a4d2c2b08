// The HTTP front door as an OAuth 2.1 resource server: a real issuer (JWKS on port 0), real SDK clients
// of both eras sending bearer tokens, RFC 9728 metadata, 401/403 challenges, and principals flowing into calls.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../helpers/servers.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { serveHttp } from '../helpers/servers.js';
import { type Issuer, rsaKey, signJwt, startIssuer, storeType } from './helpers.js';

const RESOURCE = 'https://mcp.example.test/mcp';
const METADATA_URL = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';
const key = rsaKey('k1');
let issuer: Issuer;
let server: Awaited<ReturnType<typeof serveHttp>>;

beforeAll(async () => {
  issuer = await startIssuer([key]);
  const gateway = await gatewayFrom(
    `
server:
  auth:
    mode: oauth
    oauth:
      issuer: ${issuer.issuer}
      resource: ${RESOURCE}
      scopes_supported: [mcp:read, mcp:write]
      required_scopes: [mcp:read]
authorization:
  admin_tools: ["*__delete_item"]
  policies:
    - { effect: allow, roles: [mcp:write], classes: [write] }
services:
  shop: { driver: store }
`,
    [storeType()],
  );
  server = await serveHttp(gateway);
});
afterAll(async () => {
  await server.close();
  await issuer.close();
});

const token = (extra: Record<string, unknown> = {}) => signJwt(key, issuer.claims(RESOURCE, extra));

function post(headers: Record<string, string>, body: unknown = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

async function client(mode: Mode, bearer: string): Promise<Client> {
  const created = new Client({ name: 'security-test', version: '1.0.0' }, { versionNegotiation: { mode } });
  await created.connect(new StreamableHTTPClientTransport(server.url, { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
  return created;
}

const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0]?.text ?? '');

describe('OAuth resource server over HTTP', () => {
  it('answers a request without a token with 401 and a challenge naming the metadata and the scope', async () => {
    const response = await post({});
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
    expect(challenge).toContain('scope="mcp:read"');
    expect(challenge).not.toContain('error=');
  });

  it('serves RFC 9728 metadata at both well-known paths', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(new URL(path, server.url));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        resource: RESOURCE,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['mcp:read', 'mcp:write'],
        bearer_methods_supported: ['header'],
      });
    }
    expect((await fetch(new URL('/.well-known/oauth-protected-resource/other', server.url))).status).toBe(404);
  });

  it('answers an invalid, expired or wrong-audience token with 401 invalid_token', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const bad of ['nonsense', token({ exp: now - 3600 }), token({ aud: 'https://elsewhere.test/mcp' }), token({ nbf: now + 3600 })]) {
      const response = await post({ authorization: `Bearer ${bad}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${METADATA_URL}"`);
    }
  });

  it('answers a valid token without the required scope with 403 insufficient_scope', async () => {
    const response = await post({ authorization: `Bearer ${token({ scope: 'profile' })}` });
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="mcp:read"');
  });

  for (const mode of ['legacy', 'auto'] as const) {
    it(`${mode}: a read-scoped token lists and calls only read tools, as its own principal`, async () => {
      const reader = await client(mode, token({ sub: 'carol' }));
      try {
        const names = (await reader.listTools()).tools.map((tool) => tool.name).sort();
        expect(names).toEqual(['shop__leak', 'shop__list_items', 'shop__whoami']);
        expect(JSON.parse(textOf(await reader.callTool({ name: 'shop__whoami', arguments: {} })))).toEqual({ id: 'carol', roles: ['mcp:read'] });
        // No scope grants the admin-class tool: a plain ACCESS_DENIED tool error.
        const denied = await reader.callTool({ name: 'shop__delete_item', arguments: {} });
        expect(denied.isError).toBe(true);
        expect(textOf(denied)).toMatch(/^\[shop\] access denied: principal "carol" \(roles: mcp:read\) may not use tool shop__delete_item \(class admin\)/);
        expect(denied._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'ACCESS_DENIED' });
        // One more scope would grant the write tool: the client is told which (403 insufficient_scope).
        await expect(reader.callTool({ name: 'shop__add_item', arguments: {} })).rejects.toThrow(/Insufficient scope: required "mcp:read mcp:write"/);
      } finally {
        await reader.close();
      }
    });

    it(`${mode}: a write-scoped token reaches the write tools`, async () => {
      const writer = await client(mode, token({ sub: 'dave', scope: 'mcp:read mcp:write' }));
      try {
        const names = (await writer.listTools()).tools.map((tool) => tool.name);
        expect(names).toContain('shop__add_item');
        expect(names).not.toContain('shop__delete_item');
        expect(textOf(await writer.callTool({ name: 'shop__add_item', arguments: {} }))).toBe('[shop] added');
      } finally {
        await writer.close();
      }
    });
  }

  it('answers a tools/call that one more scope would allow with 403 insufficient_scope naming the scopes to ask for', async () => {
    const modern = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'shop__add_item' };
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'shop__add_item', arguments: {}, _meta: meta } };
    const response = await post({ authorization: `Bearer ${token()}`, ...modern }, call);
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="mcp:read mcp:write"');
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
    // With the scope, the same call goes through.
    const allowed = await post({ authorization: `Bearer ${token({ scope: 'mcp:read mcp:write' })}`, ...modern }, call);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('[shop] added');
  });

  it('does not let another principal use a legacy session it did not open', async () => {
    const opened = await post({ authorization: `Bearer ${token({ sub: 'erin' })}` });
    expect(opened.status).toBe(200);
    const session = opened.headers.get('mcp-session-id')!;
    await opened.body?.cancel();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const hijack = await post({ authorization: `Bearer ${token({ sub: 'mallory', scope: 'mcp:read mcp:write' })}`, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' }, list);
    expect(hijack.status).toBe(404);
    const stolenWithoutToken = await post({ 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' }, list);
    expect(stolenWithoutToken.status).toBe(401);
  });
});
