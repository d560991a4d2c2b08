// Idle legacy sessions are closed; a session holding its GET notification stream is in use, not idle.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { echoType } from '../fixtures/test-types.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { serveHttp } from '../helpers/servers.js';

let server: Awaited<ReturnType<typeof serveHttp>>;
beforeAll(async () => {
  server = await serveHttp(await gatewayFrom('server: { http: { session_idle_timeout: 1s } }\nservices: { svc: { driver: echo } }', [echoType()]));
});
afterAll(() => server.close());

const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const post = (body: unknown, extra: Record<string, string> = {}) => fetch(server.url, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });

async function open(): Promise<Record<string, string>> {
  const response = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  await response.text();
  const session = { 'mcp-session-id': response.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
  return session;
}

it('closes a session idle past session_idle_timeout, but not one holding its GET stream', async () => {
  const idle = await open();
  const listening = await open();
  const controller = new AbortController();
  const stream = await fetch(server.url, { headers: { accept: 'text/event-stream', ...listening }, signal: controller.signal });
  expect(stream.status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 2600));
  expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, idle)).status).toBe(404);
  const alive = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, listening);
  expect(alive.status).toBe(200);
  await alive.text();
  controller.abort();
});
