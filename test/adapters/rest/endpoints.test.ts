// Declared endpoints as tools, through a real gateway against the stand-in API — and the seed's weather
// service through a real MCP client over the HTTP front door.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import restType from '../../../src/adapters/rest/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { startStandInApi, type StandInApi } from '../../fixtures/http/stand-in-api.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { httpClient, serveHttp } from '../../helpers/servers.js';

const types = [restType as ServiceType<unknown>];

describe('rest: declared endpoints', () => {
  let api: StandInApi;
  let gateway: Gateway;
  const call = (tool: string, args: Record<string, unknown>) => gateway.dispatcher.callTool(tool, args, scope());
  const body = (result: unknown) => (result as { structuredContent: { body: any } }).structuredContent.body;

  beforeAll(async () => {
    api = await startStandInApi();
    gateway = await gatewayFrom(
      `services:
  users:
    driver: rest
    base_url: ${api.url}/echo
    endpoints:
      get_user:
        description: One user by id
        path: /users/{id}
        parameters:
          id: { in: path, type: string, description: The user id }
          verbose: { type: boolean }
      search:
        description: Search users by tags
        path: /users
        parameters:
          tags: { name: tag, schema: { type: array, items: { type: string } } }
          limit: { schema: { type: integer, minimum: 1, maximum: 100 }, default: 10 }
          filter: { name: filter, schema: { type: object }, required: true }
      create_user:
        method: post
        description: Create a user
        path: /users
        headers: { X-Client: mcpeg }
        parameters:
          name: { in: body, required: true }
          age: { in: body, type: integer }
          trace: { in: header, name: X-Trace-Id }
      subscribe:
        method: PUT
        description: Subscribe with a form
        path: /subscriptions/{list}
        body_type: form
        parameters:
          list: { in: path }
          email: { in: body, required: true }
      remove_user:
        method: DELETE
        description: Remove a user
        path: /users/{id}
        parameters:
          id: { in: path, type: integer }
        annotations: { destructiveHint: true, idempotentHint: true }
  weather:
    type: rest
    base_url: ${api.url}
    endpoints:
      forecast_url:
        description: The forecast URL of a point
        path: /points/{point}
        select: /properties/forecast
        parameters:
          point: { in: path, description: "lat,lon" }
      city:
        description: The nearest city of a point
        path: /points/{point}
        select: properties.relativeLocation.city
        parameters:
          point: { in: path }
      missing:
        description: A field the API does not return
        path: /points/{point}
        select: /properties/nothing/here
        parameters:
          point: { in: path }
`,
      types,
    );
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    await api?.close();
  });

  it('each endpoint is a tool with an input schema from its parameters and hints from its method', () => {
    const tools = new Map(gateway.dispatcher.listTools(undefined).tools.map((tool) => [tool.name, tool]));
    expect([...tools.keys()].filter((name) => name.startsWith('users__')).sort()).toEqual(['users__create_user', 'users__get_user', 'users__remove_user', 'users__search', 'users__subscribe']);
    // Declared endpoints replace the generic request tool.
    expect(tools.has('users__request')).toBe(false);
    expect(tools.get('users__get_user')!.inputSchema).toEqual({
      type: 'object',
      properties: { id: { type: 'string', description: 'The user id' }, verbose: { type: 'boolean' } },
      required: ['id'],
      additionalProperties: false,
    });
    expect(tools.get('users__get_user')!.description).toBe('One user by id (GET /users/{id})');
    expect(tools.get('users__get_user')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.get('users__create_user')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(tools.get('users__subscribe')!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(tools.get('users__remove_user')!.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
  });

  it('path parameters are %-encoded as exactly one segment; "." and ".." and empty values are refused', async () => {
    expect(body(await call('users__get_user', { id: '42', verbose: true }))).toMatchObject({ path: '/echo/users/42', query: { verbose: ['true'] } });
    expect(body(await call('users__get_user', { id: 'a/b?c=1#x' })).path).toBe('/echo/users/a%2Fb%3Fc%3D1%23x');
    // Encoded, this would be one segment — but servers that decode %2F would walk up: refused as well.
    const traversal = await call('users__get_user', { id: '../../admin' });
    expect(text(traversal)).toContain('has a "." or ".." segment (possibly %-encoded)');
    const before = api.requests.length;
    for (const id of ['..', '.', '']) {
      const result = await call('users__get_user', { id });
      expect(result.isError, id).toBe(true);
      expect(text(result)).toContain('may not be empty, "." or ".."');
    }
    expect(api.requests.length).toBe(before);
    const typed = await call('users__remove_user', { id: 'not-a-number' });
    expect(text(typed)).toContain('invalid arguments');
  });

  it('query: arrays repeat, defaults apply, objects explode into their fields', async () => {
    const result = body(await call('users__search', { tags: ['a b', 'c&d'], filter: { role: 'admin', active: true } }));
    expect(result.query).toEqual({ tag: ['a b', 'c&d'], limit: ['10'], role: ['admin'], active: ['true'] });
  });

  it('body parameters become a JSON object; header parameters and fixed headers are sent', async () => {
    const result = body(await call('users__create_user', { name: 'Ada', age: 36, trace: 't-1' }));
    expect(result.method).toBe('POST');
    expect(JSON.parse(result.body)).toEqual({ name: 'Ada', age: 36 });
    expect(result.headers).toMatchObject({ 'x-trace-id': 't-1', 'x-client': 'mcpeg', 'content-type': 'application/json' });
    const injected = await call('users__create_user', { name: 'Ada', trace: 'x\r\nX-Evil: 1' });
    expect(text(injected)).toContain('may not contain line breaks');
  });

  it('a form body is url-encoded', async () => {
    const result = body(await call('users__subscribe', { list: 'news', email: 'a+b@example.com' }));
    expect(result).toMatchObject({ method: 'PUT', path: '/echo/subscriptions/news', body: 'email=a%2Bb%40example.com' });
    expect(result.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('select returns part of the answer (JSON Pointer or field path), and says when it is missing', async () => {
    const url = await call('weather__forecast_url', { point: '39.7456,-104.9994' });
    expect(body(url)).toBe(`${api.url}/gridpoints/BOU/39.7456,-104.9994/forecast`);
    expect(api.requests.at(-1)!.url).toBe('/points/39.7456%2C-104.9994');
    expect(body(await call('weather__city', { point: '1,2' }))).toBe('Denver');
    const missing = await call('weather__missing', { point: '1,2' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('the answer has nothing at properties/nothing (select: /properties/nothing/here)');
  });
});

describe('rest: the seed weather service through a real MCP client over HTTP', () => {
  let api: StandInApi;
  let client: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    api = await startStandInApi();
    // ADR-010's advanced form, enabled and pointed at the stand-in instead of api.weather.gov.
    const gateway = await gatewayFrom(
      `services:
  weather:
    enabled: true
    type: rest
    config:
      base_url: ${api.url}
      cache_ttl: 5m
`,
      types,
    );
    const served = await serveHttp(gateway);
    close = served.close;
    client = await httpClient(served.url, 'auto');
  });
  afterAll(async () => {
    await client?.close();
    await close?.();
    await api?.close();
  });

  it('lists weather__request and answers a call, the second one from the cache', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['weather__request']);
    const first = await client.callTool({ name: 'weather__request', arguments: { path: '/points/39.7456,-104.9994' } });
    expect(first.isError).toBeFalsy();
    expect((first.structuredContent as { body: any }).body.properties.gridId).toBe('BOU');
    const second = await client.callTool({ name: 'weather__request', arguments: { path: '/points/39.7456,-104.9994' } });
    expect(second.structuredContent).toEqual(first.structuredContent);
    expect(api.hits('/points/')).toHaveLength(1);
    const refused = await client.callTool({ name: 'weather__request', arguments: { path: 'https://evil.example/' } });
    expect(refused.isError).toBe(true);
    expect((refused.content as { text: string }[])[0]!.text).toContain('is an absolute URL');
  });
});
