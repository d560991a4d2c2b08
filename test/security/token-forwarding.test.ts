// The client's credential never travels upstream: a real upstream MCP server over HTTP records the
// headers of every request it gets while authenticated clients (API key, OAuth token) call through
// the gateway in both eras. Nothing of their credentials may appear there — nor at a REST API behind a
// `rest` service, which gets its own configured credential and nothing else.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-key-hash.js';
import { gatewayOnHttp, resultText, startHttpUpstream } from '../adapters/mcp/helpers.js';
import { type Issuer, rsaKey, signJwt, startIssuer } from './helpers.js';

const API_KEY = 'client-api-key-that-must-stay-here-0123456789';
const RESOURCE = 'https://gateway.example.test/mcp';
const key = rsaKey('fwd');

describe('the client token is never forwarded upstream', () => {
  let upstream: Awaited<ReturnType<typeof startHttpUpstream>>;
  let issuer: Issuer;
  let keyed: Awaited<ReturnType<typeof gatewayOnHttp>>;
  let oauth: Awaited<ReturnType<typeof gatewayOnHttp>>;

  beforeAll(async () => {
    upstream = await startHttpUpstream();
    issuer = await startIssuer([key]);
    const services = `
services:
  up: { type: mcp, url: ${upstream.url}, headers: { X-Gateway: mcpeg } }
authorization:
  policies: [{ effect: allow, roles: ["*"] }]
`;
    keyed = await gatewayOnHttp(`server: { auth: { mode: api_keys, api_keys: [{ principal: c, hash: ${hashApiKey(API_KEY)} }] } }\n${services}`);
    oauth = await gatewayOnHttp(`server: { auth: { mode: oauth, oauth: { issuer: ${issuer.issuer}, resource: ${RESOURCE} } } }\n${services}`);
  }, 60_000);
  afterAll(async () => {
    await keyed?.close();
    await oauth?.close();
    await upstream?.stop();
    await issuer?.close();
  });

  async function callThrough(url: URL, headers: Record<string, string>, mode: 'legacy' | 'auto'): Promise<Record<string, string>[]> {
    const client = new Client({ name: 'downstream', version: '1' }, { versionNegotiation: { mode } });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    try {
      expect(resultText(await client.callTool({ name: 'up__echo', arguments: { text: 'hi' } }))).toContain('hi');
      return JSON.parse(resultText(await client.callTool({ name: 'up__headers', arguments: {} }))) as Record<string, string>[];
    } finally {
      await client.close();
    }
  }

  for (const mode of ['legacy', 'auto'] as const) {
    it(`${mode}: neither an API key nor an OAuth access token reaches the upstream`, async () => {
      const token = signJwt(key, issuer.claims(RESOURCE, { sub: 'tok-user' }));
      const seen = [
        ...(await callThrough(keyed.url, { Authorization: `Bearer ${API_KEY}` }, mode)),
        ...(await callThrough(keyed.url, { 'X-API-Key': API_KEY }, mode)),
        ...(await callThrough(oauth.url, { Authorization: `Bearer ${token}` }, mode)),
      ];
      expect(seen.length).toBeGreaterThan(3);
      const everything = JSON.stringify(seen);
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.split('.')[2]!);
      for (const headers of seen) {
        expect(headers.authorization).toBeUndefined();
        expect(headers['x-api-key']).toBeUndefined();
        expect(headers['x-gateway']).toBe('mcpeg');
      }
    }, 60_000);
  }

  it('a rest service sends its own credential, never the client\'s', async () => {
    const received: IncomingHttpHeaders[] = [];
    const api = createServer((req, res) => {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const gateway = await gatewayOnHttp(`server: { auth: { mode: api_keys, api_keys: [{ principal: c, hash: ${hashApiKey(API_KEY)} }] } }
services:
  api: { driver: rest, base_url: "http://127.0.0.1:${(api.address() as AddressInfo).port}", auth: { type: bearer, token: service-own-token } }
authorization:
  policies: [{ effect: allow, roles: ["*"] }]
`);
    try {
      for (const headers of [{ Authorization: `Bearer ${API_KEY}` }, { 'X-API-Key': API_KEY }] as Record<string, string>[]) {
        const client = new Client({ name: 'downstream', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(gateway.url, { requestInit: { headers } }));
        try {
          expect(resultText(await client.callTool({ name: 'api__request', arguments: { path: '/things' } }))).toContain('ok');
        } finally {
          await client.close();
        }
      }
      expect(received).toHaveLength(2);
      expect(JSON.stringify(received)).not.toContain(API_KEY);
      for (const headers of received) {
        expect(headers.authorization).toBe('Bearer service-own-token');
        expect(headers['x-api-key']).toBeUndefined();
      }
    } finally {
      await gateway.close();
      api.close();
    }
  }, 60_000);
});
