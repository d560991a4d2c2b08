// What is special about HTTP upstreams: only the configured headers go upstream (a token from a secret
// file), never the downstream client's own token; an unreachable or refusing upstream fails its own
// service with a message saying what to check.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedGateway, resultText, startHttpUpstream } from './helpers.js';

describe('an HTTP upstream', () => {
  let upstream: Awaited<ReturnType<typeof startHttpUpstream>>;
  let gateway: Awaited<ReturnType<typeof recordedGateway>>;
  let refusing: Server;
  let client: Client;

  beforeAll(async () => {
    upstream = await startHttpUpstream();
    const secrets = mkdtempSync(join(tmpdir(), 'mcpeg-secret-'));
    writeFileSync(join(secrets, 'token'), 'upstream-token-from-file\n');
    refusing = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end('{"error":"unauthorized"}');
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const closedPort = await freePort();
    gateway = await recordedGateway(`
services:
  up:
    type: mcp
    url: ${upstream.url}
    headers:
      Authorization: Bearer \${file:${join(secrets, 'token')}}
      X-Team: platform
  refused:
    type: mcp
    url: http://127.0.0.1:${(refusing.address() as AddressInfo).port}/mcp
  gone:
    type: mcp
    url: http://127.0.0.1:${closedPort}/mcp
`);
    client = new Client({ name: 'downstream', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(gateway.url, { requestInit: { headers: { Authorization: 'Bearer downstream-client-token', 'X-Client-Only': 'yes' } } }),
    );
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await upstream?.stop();
    refusing?.close();
  });

  it('sends upstream only the configured headers, with the secret resolved — never the client’s token', async () => {
    await client.callTool({ name: 'up__echo', arguments: { text: 'x' } });
    const seen = JSON.parse(resultText(await client.callTool({ name: 'up__headers', arguments: {} }))) as Record<string, string>[];
    expect(seen.length).toBeGreaterThan(0);
    for (const headers of seen) {
      expect(headers.authorization).toBe('Bearer upstream-token-from-file');
      expect(headers['x-team']).toBe('platform');
      expect(headers['x-client-only']).toBeUndefined();
    }
    expect(JSON.stringify(seen)).not.toContain('downstream-client-token');
  });

  it('an upstream that refuses the credentials fails only its own service, saying what to check', async () => {
    const status = gateway.gateway.host('refused')!.status();
    expect(status.phase).toBe('failed');
    expect(status.lastError?.message).toMatch(/^\[refused\] .*refused the gateway's credentials \(HTTP 401\): check the headers:/);
  });

  it('an unreachable upstream fails only its own service, saying so', async () => {
    const status = gateway.gateway.host('gone')!.status();
    expect(status.phase).toBe('failed');
    expect(status.lastError?.message).toMatch(/^\[gone\] cannot connect to http:\/\/127\.0\.0\.1:\d+\/mcp: connection refused/);
    expect(resultText(await client.callTool({ name: 'up__echo', arguments: { text: 'fine' } }))).toBe('echo: fine');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
