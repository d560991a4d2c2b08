// The generic request tool through a real gateway (validation, pipeline, error boundary) against the
// stand-in API on port 0: JSON, text, binary, confinement to base_url, headers, methods, auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import restType from '../../../src/adapters/rest/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { PNG, startStandInApi, type StandInApi } from '../../fixtures/http/stand-in-api.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';

const TOKEN = 'rest-test-token-3f9a1c';

describe('rest: the generic request tool', () => {
  let api: StandInApi;
  let gateway: Gateway;
  const call = (tool: string, args: Record<string, unknown>) => gateway.dispatcher.callTool(tool, args, scope());
  const errorCode = (result: unknown) => ((result as { _meta?: Record<string, { code?: string }> })._meta?.['dev.mcpeg/error']?.code);

  beforeAll(async () => {
    api = await startStandInApi();
    process.env.REST_TEST_TOKEN = TOKEN;
    gateway = await gatewayFrom(
      `services:
  weather:
    enabled: true
    type: rest
    config:
      base_url: ${api.url}
      cache_ttl: 5m
  api:
    driver: rest
    base_url: ${api.url}/echo
    auth: { type: bearer, token: "\${REST_TEST_TOKEN}" }
    headers: { User-Agent: mcpeg-test/1.0 }
    request:
      methods: [GET, POST, DELETE]
      allowed_headers: [X-Trace-Id]
  keyed:
    driver: rest
    base_url: ${api.url}
    auth: { type: api_key, in: query, name: api_key, value: "\${REST_TEST_TOKEN}" }
`,
      [restType as ServiceType<unknown>],
    );
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    await api?.close();
    delete process.env.REST_TEST_TOKEN;
  });

  it('the seed weather service (type: rest, base_url, cache_ttl) offers one read-only request tool', () => {
    const tools = gateway.dispatcher.listTools(undefined).tools.filter((tool) => tool.name.startsWith('weather__'));
    expect(tools.map((tool) => tool.name)).toEqual(['weather__request']);
    expect(tools[0]!.annotations).toMatchObject({ readOnlyHint: true });
    expect((tools[0]!.inputSchema.properties as Record<string, { enum?: string[] }>).method!.enum).toEqual(['GET', 'HEAD']);
    expect(tools[0]!.inputSchema.properties).not.toHaveProperty('body');
    const writable = gateway.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'api__request')!;
    expect(writable.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(writable.inputSchema.properties).toHaveProperty('body');
  });

  it('GET with a JSON answer: pretty JSON text and structuredContent { status, body }', async () => {
    const result = await call('weather__request', { path: '/points/39.7456,-104.9994' });
    expect(result.isError).toBeFalsy();
    const structured = (result as { structuredContent: { status: number; body: any } }).structuredContent;
    expect(structured.status).toBe(200);
    expect(structured.body.properties.relativeLocation.city).toBe('Denver');
    expect(JSON.parse(text(result))).toEqual(structured.body);
  });

  it('paths stay under base_url: absolute URLs, //host, .. in any encoding, backslashes and control characters are refused before sending', async () => {
    const before = api.requests.length;
    const hostile = [
      'http://evil.example/steal',
      'https://127.0.0.1/',
      '//evil.example/x',
      '/../admin',
      '../admin',
      '/echo/../../admin',
      '/%2e%2e/admin',
      '/%2E%2E%2Fadmin',
      '/%252e%252e/admin',
      '/..%2fadmin',
      '/.%2e/admin',
      '/a/./b',
      '/..;/admin',
      '/echo/..;foo=bar/admin',
      '\\\\evil.example\\x',
      '/a\\..\\b',
      '/x\r\nHost: evil',
      '/x%0d%0aHost:%20evil',
      '/x%00',
      '/x#frag',
      'javascript:alert(1)',
      'mailto:a@b',
      '/%zz',
    ];
    for (const path of hostile) {
      const result = await call('api__request', { path });
      expect(result.isError, path).toBe(true);
      expect(errorCode(result), path).toBe('INVALID_ARGUMENTS');
      expect(text(result), path).toContain('nothing was sent');
    }
    expect(api.requests.length).toBe(before);
  });

  it('a path under the base keeps the base path; a ?query in the path and the query argument both arrive', async () => {
    const result = await call('api__request', { path: '/sub/item?x=1', query: { tag: ['a', 'b'], n: 2, flag: true } });
    const body = (result as { structuredContent: { body: any } }).structuredContent.body;
    expect(body.path).toBe('/echo/sub/item');
    expect(body.query).toEqual({ x: ['1'], tag: ['a', 'b'], n: ['2'], flag: ['true'] });
    // Segments with encoded slashes stay one segment (the API decides what they mean).
    const encoded = await call('api__request', { path: 'group%2Fproject' });
    expect((encoded as { structuredContent: { body: any } }).structuredContent.body.path).toBe('/echo/group%2Fproject');
  });

  it('auth is sent, never overridable by a caller, and never echoed back: the token is scrubbed from results', async () => {
    const result = await call('api__request', { path: '/', headers: { 'X-Trace-Id': 'trace-1', Accept: 'application/json' } });
    const body = (result as { structuredContent: { body: any } }).structuredContent.body;
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(api.requests.at(-1)!.headers['user-agent']).toBe('mcpeg-test/1.0');
    expect(body.headers['x-trace-id']).toBe('trace-1');
    expect(body.headers.authorization).toBe('Bearer [REDACTED]');
    expect(text(result)).not.toContain(TOKEN);
    for (const header of ['Authorization', 'authorization', 'Cookie', 'Host', 'Content-Length', 'X-Not-Allowed']) {
      const refused = await call('api__request', { path: '/', headers: { [header]: 'Bearer mine' } });
      expect(refused.isError, header).toBe(true);
      expect(text(refused), header).toContain(`the header ${header} is not allowed`);
    }
    const injected = await call('api__request', { path: '/', headers: { 'X-Trace-Id': 'a\r\nAuthorization: x' } });
    expect(text(injected)).toContain('may not contain line breaks');
  });

  it('an API key in the query is added at send time and scrubbed from what comes back', async () => {
    const result = await call('keyed__request', { path: '/echo', query: { q: 'denver' } });
    expect(api.requests.at(-1)!.url).toContain(`api_key=${TOKEN}`);
    expect(text(result)).not.toContain(TOKEN);
    expect((result as { structuredContent: { body: any } }).structuredContent.body.query).toEqual({ q: ['denver'], api_key: ['[REDACTED]'] });
    // A caller cannot replace it: the configured key wins over a query argument of the same name.
    await call('keyed__request', { path: '/echo', query: { api_key: 'attacker' } });
    expect(new URL(api.requests.at(-1)!.url, api.url).searchParams.getAll('api_key')).toEqual([TOKEN]);
  });

  it('methods: only the configured ones; a body only with a method that has one; JSON and string bodies', async () => {
    const put = await call('api__request', { method: 'PUT', path: '/' });
    expect(put.isError).toBe(true);
    expect(text(put)).toMatch(/must be equal to one of the allowed values|not allowed/);
    const post = await call('api__request', { method: 'POST', path: '/items', body: { name: 'umbrella', qty: 2 } });
    const echoed = (post as { structuredContent: { body: any } }).structuredContent.body;
    expect(echoed).toMatchObject({ method: 'POST', path: '/echo/items' });
    expect(JSON.parse(echoed.body)).toEqual({ name: 'umbrella', qty: 2 });
    expect(echoed.headers['content-type']).toBe('application/json');
    const raw = await call('api__request', { method: 'POST', path: '/', body: 'a,b\n1,2', headers: { 'Content-Type': 'text/csv' } });
    expect((raw as { structuredContent: { body: any } }).structuredContent.body).toMatchObject({ body: 'a,b\n1,2' });
    const getWithBody = await call('api__request', { method: 'GET', path: '/', body: { a: 1 } });
    expect(text(getWithBody)).toContain('GET requests carry no body');
  });

  it('text comes back as text, binary as an embedded resource with mimeType and base64 blob, 204 as a short note', async () => {
    const plain = await call('weather__request', { path: '/text' });
    expect(text(plain)).toBe('Sunny, 21 °C');
    const image = await call('weather__request', { path: '/binary' });
    const content = (image as { content: any[] }).content;
    expect(content[1]).toEqual({ type: 'resource', resource: { uri: `${api.url}/binary`, mimeType: 'image/png', blob: PNG.toString('base64') } });
    const none = await call('weather__request', { path: '/no-content' });
    expect(text(none)).toBe('HTTP 204 (no content)');
    const head = await call('weather__request', { method: 'HEAD', path: '/text' });
    expect(text(head)).toMatch(/^HTTP 200\n(.+\n)*content-type: text\/plain; charset=utf-8/);
    expect((head as { structuredContent: { headers: Record<string, string> } }).structuredContent.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('4xx is an isError result quoting the API (the call was wrong); the breaker stays closed', async () => {
    for (let i = 0; i < 6; i++) {
      const result = await call('weather__request', { path: '/status/404' });
      expect(result.isError).toBe(true);
      expect(text(result)).toBe('[weather] GET /status/404 answered HTTP 404: {"error":"status 404","count":' + (i + 1) + '}');
    }
    expect(gateway.host('weather')!.status().breaker).toBe('closed');
    const denied = await call('weather__request', { path: '/status/401' });
    expect(text(denied)).toContain('check the credentials configured for this service (auth:)');
  });
});
