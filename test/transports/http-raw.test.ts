// The HTTP front door against raw requests: what a buggy or hostile client can send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoType } from '../fixtures/test-types.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { serveHttp } from '../helpers/servers.js';

const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

let server: Awaited<ReturnType<typeof serveHttp>>;
let id = 0;

beforeAll(async () => {
  const gateway = await gatewayFrom(
    `
global: { page_size: 3 }
server: { http: { max_body: 4KB } }
services:
  alpha: { driver: echo, extra_tools: 4 }
`,
    [echoType()],
  );
  server = await serveHttp(gateway);
});
afterAll(() => server.close());

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A modern request with matching headers; returns status and the parsed JSON-RPC message. */
async function modern(method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const name: Record<string, string> = typeof params.name === 'string' ? { 'mcp-name': params.name } : {};
  const response = await post(
    { jsonrpc: '2.0', id: ++id, method, params: { ...params, _meta: META } },
    { 'mcp-protocol-version': MODERN, 'mcp-method': method, ...name, ...headers },
  );
  return { status: response.status, body: await readMessage(response) };
}

async function readMessage(response: Response): Promise<Record<string, any>> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return JSON.parse(text);
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)));
  return data.find((message) => 'result' in message || 'error' in message);
}

describe('modern era over raw HTTP', () => {
  it('pages tools/list with opaque cursors', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await modern('tools/list', cursor ? { cursor } : {});
      expect(status).toBe(200);
      expect(body.result.resultType).toBe('complete');
      expect(body.result.ttlMs).toBeGreaterThanOrEqual(0);
      names.push(...body.result.tools.map((tool: { name: string }) => tool.name));
      cursor = body.result.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(names).toHaveLength(9);
    expect(new Set(names).size).toBe(9);
  });

  it('answers a forged cursor with -32602 echoing the request id', async () => {
    const { status, body } = await modern('tools/list', { cursor: Buffer.from('{"l":"tools","o":999}').toString('base64url') });
    expect(status).toBeGreaterThanOrEqual(200);
    expect(body.error.code).toBe(-32602);
    expect(body.id).toBe(id);
  });

  it('answers an unknown method with 404 and -32601', async () => {
    const { status, body } = await modern('no/such/method');
    expect(status).toBe(404);
    expect(body.error.code).toBe(-32601);
  });

  it('rejects a Mcp-Method header that does not match the body', async () => {
    const { status, body } = await modern('tools/list', {}, { 'mcp-method': 'prompts/list' });
    expect(status).toBe(400);
    expect(body.error.code).toBe(-32020);
  });

  it('rejects an unsupported protocol version with -32022', async () => {
    const response = await post(
      { jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } },
      { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32022);
  });
});

describe('bad input', () => {
  it('malformed JSON → 400 parse error', async () => {
    const response = await post('{"jsonrpc":"2.0",', { 'mcp-protocol-version': MODERN });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('a body over server.http.max_body → 413, nothing read past the limit', async () => {
    const response = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(10_000) } });
    expect(response.status).toBe(413);
  });

  it('deep nesting does not crash the gateway', async () => {
    const deep = `${'['.repeat(1900)}${']'.repeat(1900)}`;
    const response = await post(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":${deep}}}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it('a JSON-RPC batch on the modern path is refused', async () => {
    const response = await post([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }], {
      'mcp-protocol-version': MODERN,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('a body that is not JSON-RPC is refused', async () => {
    const response = await post({ hello: 'world' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('an unknown path is 404 and PUT is 405', async () => {
    expect((await fetch(new URL('/elsewhere', server.url), { method: 'POST' })).status).toBe(404);
    expect((await fetch(server.url, { method: 'PUT' })).status).toBe(405);
  });

  it('a foreign Host or Origin is refused with 403 (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
      });
    expect(await status({ host: 'evil.example.com' })).toBe(403);
    expect(await status({ origin: 'http://evil.example.com' })).toBe(403);
    expect(await status({ origin: `http://localhost:${server.url.port}` })).not.toBe(403);
  });
});

describe('legacy sessions', () => {
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

  async function open(): Promise<string> {
    const response = await post(initialize);
    expect(response.status).toBe(200);
    const session = response.headers.get('mcp-session-id');
    expect(session).toMatch(/^[\x21-\x7E]+$/);
    await response.text();
    const initialized = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': session!, 'mcp-protocol-version': '2025-11-25' });
    expect(initialized.status).toBe(202);
    return session!;
  }

  it('opens a session, serves it, and answers 404 after DELETE', async () => {
    const session = await open();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers);
    expect(list.status).toBe(200);
    expect((await readMessage(list)).result.tools).toHaveLength(3);
    const deleted = await fetch(server.url, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    const after = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, headers);
    expect(after.status).toBe(404);
  });

  it('an unknown session id is 404; a request without one (not initialize) is 400', async () => {
    const unknown = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'no-such-session' });
    expect(unknown.status).toBe(404);
    const none = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(none.status).toBe(400);
  });

  it('the GET stream carries notifications and resumes after a drop with Last-Event-ID', async () => {
    const session = await open();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const listen = async (extra: Record<string, string> = {}) => {
      const controller = new AbortController();
      const response = await fetch(server.url, { headers: { accept: 'text/event-stream', ...headers, ...extra }, signal: controller.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      let buffer = '';
      const events: { id?: string; data?: string }[] = [];
      const pump = (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            buffer += new TextDecoder().decode(value);
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              const event: { id?: string; data?: string } = {};
              for (const line of buffer.slice(0, end).split('\n')) {
                if (line.startsWith('id: ')) event.id = line.slice(4);
                if (line.startsWith('data: ')) event.data = line.slice(6);
              }
              if (event.data) events.push(event);
              buffer = buffer.slice(end + 2);
              end = buffer.indexOf('\n\n');
            }
          }
        } catch {
          // aborted
        }
      })();
      return { events, close: () => controller.abort(), pump };
    };
    const mutate = async (n: number) => {
      const response = await post({ jsonrpc: '2.0', id: 100 + n, method: 'tools/call', params: { name: 'alpha__mutate', arguments: {} } }, headers);
      await response.text();
    };
    const first = await listen();
    await mutate(1);
    await expect.poll(() => first.events.length).toBe(1);
    expect(JSON.parse(first.events[0]!.data!).method).toBe('notifications/tools/list_changed');
    const lastId = first.events[0]!.id!;
    first.close();
    await first.pump;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await mutate(2);
    const resumed = await listen({ 'last-event-id': lastId });
    await expect.poll(() => resumed.events.length, { timeout: 3000 }).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(resumed.events[0]!.data!).method).toBe('notifications/tools/list_changed');
    expect(resumed.events[0]!.id).not.toBe(lastId);
    resumed.close();
  });

  it('ping and logging/setLevel answer exactly {}', async () => {
    const session = await open();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    expect((await readMessage(await post({ jsonrpc: '2.0', id: 5, method: 'ping' }, headers))).result).toEqual({});
    const level = await post({ jsonrpc: '2.0', id: 6, method: 'logging/setLevel', params: { level: 'debug' } }, headers);
    expect((await readMessage(level)).result).toEqual({});
  });
});

describe('health endpoints', () => {
  it('/healthz is alive and /readyz reports services', async () => {
    const alive = await fetch(new URL('/healthz', server.url));
    expect(alive.status).toBe(200);
    const ready = await fetch(new URL('/readyz', server.url));
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { services: unknown[] }).services[0]).toMatchObject({ name: 'alpha', type: 'echo' });
  });

  it('the gateway is still serving after all of the above', async () => {
    const { status } = await modern('tools/call', { name: 'alpha__echo', arguments: { text: 'still here' } });
    expect(status).toBe(200);
  });
});

describe('endless bodies', () => {
  it('a chunked body that never ends past max_body gets 413 at once, and the gateway keeps serving', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => {});
      const chunk = 'x'.repeat(1024);
      const pump = () => {
        if (req.destroyed) return reject(new Error('no answer before the connection closed'));
        req.write(chunk);
        setTimeout(pump, 1);
      };
      pump();
    });
    expect(status).toBe(413);
    const { status: after } = await modern('tools/list');
    expect(after).toBe(200);
  });
});
