// An OpenAPI 3.1 document of our own (test/fixtures/openapi/library-3.1.yaml) through a real gateway,
// against the stand-in API's echo route: 2020-12 schemas, recursive and sibling $refs, parameter placement
// and serialization, security schemes of each kind mapped to configured credentials, include/exclude.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openapiType from '../../../src/adapters/openapi/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { type Route, startStandInApi, type StandInApi } from '../../fixtures/http/stand-in-api.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { FIXTURES } from './petstore-server.js';

const KEY = 'library-key-5d2e8b';
const TOKEN = 'library-token-a61c07';
const PASSWORD = 'library-pass-0f93aa';
const CLIENT_SECRET = 'client-secret-9e4b21';

describe('openapi: an OpenAPI 3.1 document', () => {
  let api: StandInApi;
  let gateway: Gateway;
  const call = (tool: string, args: Record<string, unknown> = {}) => gateway.dispatcher.callTool(tool, args, scope());
  const body = (result: unknown) => (result as { structuredContent: { body: any } }).structuredContent.body;
  const tools = (prefix: string) => gateway.dispatcher.listTools(undefined).tools.filter((tool) => tool.name.startsWith(prefix));
  const tool = (name: string) => gateway.dispatcher.listTools(undefined).tools.find((candidate) => candidate.name === name)!;

  let tokensIssued = 0;
  // An OAuth 2.0 token endpoint (RFC 6749 §4.4): Basic client authentication, a form body, a JSON answer.
  const tokenEndpoint: Route = (req, res, body) => {
    const expected = `Basic ${Buffer.from(`mcpeg-library:${CLIENT_SECRET}`).toString('base64')}`;
    const form = new URLSearchParams(body);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
      res.statusCode = 401;
      return void res.end(JSON.stringify({ error: 'invalid_client', echoed: req.headers.authorization }));
    }
    tokensIssued++;
    res.end(JSON.stringify({ access_token: `issued-token-${tokensIssued}-${form.get('scope') ?? 'none'}`, token_type: 'Bearer', expires_in: 3600 }));
  };
  const revoked: Route = (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":"invalid_token"}');
  };

  beforeAll(async () => {
    api = await startStandInApi({ extra: { '/oauth/token': tokenEndpoint, '/echo/orders/expired': revoked } });
    Object.assign(process.env, { LIB_KEY: KEY, LIB_TOKEN: TOKEN, LIB_PASSWORD: PASSWORD, LIB_CLIENT_SECRET: CLIENT_SECRET });
    const spec = `${FIXTURES}library-3.1.yaml`;
    gateway = await gatewayFrom(
      `services:
  library:
    driver: openapi
    spec: ${spec}
    base_url: ${api.url}/echo
    credentials:
      apiKey: { value: "\${LIB_KEY}" }
      queryKey: { value: "\${LIB_KEY}" }
      bearer: { token: "\${LIB_TOKEN}" }
      basic: { username: librarian, password: "\${LIB_PASSWORD}" }
      oauth: { client_id: mcpeg-library, client_secret: "\${LIB_CLIENT_SECRET}", scopes: ["orders:write"] }
  wrong_secret:
    driver: openapi
    spec: ${spec}
    base_url: ${api.url}/echo
    include: [placeOrder]
    credentials:
      oauth: { client_id: mcpeg-library, client_secret: "\${LIB_PASSWORD}" }
  anonymous:
    driver: openapi
    spec: ${spec}
    base_url: ${api.url}/echo
    exclude: ["tag:admin", "GET /categories/*", search]
  admin:
    driver: openapi
    spec: ${spec}
    base_url: ${api.url}/echo
    include: ["tag:admin", "/categories/*"]
    exclude: ["delete_*"]
  remote:
    driver: openapi
    spec: ${spec}
`,
      [openapiType as ServiceType<unknown>],
    );
    await gateway.warmUp(20_000);
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    await api?.close();
    for (const name of ['LIB_KEY', 'LIB_TOKEN', 'LIB_PASSWORD', 'LIB_CLIENT_SECRET']) delete process.env[name];
  });

  it('one tool per operation it can serve: names from operationId (sanitized) or method_path; multipart-only left out', () => {
    expect(tools('library__').map((candidate) => candidate.name).sort()).toEqual(
      [
        'library__addBook',
        'library__checkExpiredToken',
        'library__delete_books_isbn',
        'library__getBook',
        'library__get_category_tree',
        'library__listBooks',
        'library__placeOrder',
        'library__replaceBook',
        'library__search',
      ].sort(),
    );
    expect(tool('library__delete_books_isbn').description).toBe('Deprecated. Remove a book\n\n(DELETE /books/{isbn})');
    expect(tool('library__delete_books_isbn').annotations).toMatchObject({ destructiveHint: true });
    expect(tool('library__replaceBook').annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(tool('library__listBooks').description).toBe('List books\n\nBooks of the library, filtered by author and tags.\n\n(GET /books)');
  });

  it('input schemas: component parameters, 3.1 type arrays, path-level parameters, Accept ignored, same name twice', () => {
    expect(tool('library__listBooks').inputSchema).toEqual({
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Most books returned' },
        author: { type: ['string', 'null'] },
        tag: { type: 'array', items: { type: 'string' } },
        'X-Request-Id': { type: 'string', format: 'uuid' },
      },
      additionalProperties: false,
    });
    expect(tool('library__getBook').inputSchema).toMatchObject({
      properties: { isbn: { type: 'string', pattern: '^[0-9-]{10,17}$', description: 'ISBN-13 of the book' } },
      required: ['isbn'],
    });
    expect(tool('library__get_category_tree').inputSchema.properties).toEqual({
      id: { type: 'integer', minimum: 1 },
      id_query: { type: 'string', description: 'Same name as the path parameter, different place' },
    });
  });

  it('$refs become $defs: recursive schemas stay finite, a $ref with a sibling keyword becomes allOf', () => {
    const add = tool('library__addBook').inputSchema as any;
    expect(add.properties.body).toEqual({ $ref: '#/$defs/NewBook', description: 'The book to add' });
    expect(Object.keys(add.$defs).sort()).toEqual(['Author', 'NewBook']);
    expect(add.$defs.NewBook.properties.year).toEqual({ type: ['integer', 'null'] });
    expect(add.$defs.NewBook.properties.author).toEqual({ allOf: [{ $ref: '#/$defs/Author' }, { description: 'Who wrote it (a $ref with a sibling keyword, allowed in 3.1)' }] });
    const category = tool('library__get_category_tree');
    expect(category.inputSchema.$defs).toBeUndefined();
    const replace = tool('library__replaceBook').inputSchema as any;
    expect(replace.properties.body.properties.year).toEqual({ type: 'integer', exclusiveMinimum: 1400 });
  });

  it('each operation gets the credentials of its security scheme: API key header, bearer, basic, API key in the query', async () => {
    await call('library__listBooks', { tag: ['sf', 'classic'], author: 'Le Guin', 'X-Request-Id': '7f1c5a8e-0c4b-4d7e-9a51-3b0e5e1f2a10' });
    let sent = api.requests.at(-1)!;
    expect(sent.url).toBe('/echo/books?author=Le+Guin&tag=sf&tag=classic');
    expect(sent.headers['x-library-key']).toBe(KEY);
    expect(sent.headers['x-request-id']).toBe('7f1c5a8e-0c4b-4d7e-9a51-3b0e5e1f2a10');
    expect(sent.headers.authorization).toBeUndefined();

    const added = await call('library__addBook', { body: { isbn: '978-0-441-47812-5', title: 'The Left Hand of Darkness', year: null } });
    sent = api.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers['x-library-key']).toBeUndefined();
    expect(JSON.parse(sent.body)).toEqual({ isbn: '978-0-441-47812-5', title: 'The Left Hand of Darkness', year: null });
    expect(body(added).headers.authorization).toBe('Bearer [REDACTED]');

    await call('library__replaceBook', { isbn: '978-0-441-47812-5', body: { title: 'The Left Hand of Darkness', year: 1969 } });
    sent = api.requests.at(-1)!;
    expect(sent.method).toBe('PUT');
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`librarian:${PASSWORD}`).toString('base64')}`);
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.body).toBe('title=The+Left+Hand+of+Darkness&year=1969');

    const found = await call('library__search', { filter: { title: 'Dune', year: 1965 } });
    sent = api.requests.at(-1)!;
    expect(sent.url).toBe(`/echo/search?filter%5Btitle%5D=Dune&filter%5Byear%5D=1965&key=${KEY}`);
    expect(text(found)).not.toContain(KEY);

    // security: [] on the operation: no credentials at all.
    await call('library__get_category_tree', { id: 5, id_query: 'x' });
    sent = api.requests.at(-1)!;
    expect(sent.url).toBe('/echo/categories/5?id=x');
    expect(sent.headers['x-library-key']).toBeUndefined();
  });

  it('oauth2 client credentials: one token fetched with Basic client auth and the scopes, reused, scrubbed, renewed after a 401', async () => {
    const first = await call('library__placeOrder', { body: { isbn: '978-0-441-47812-5' } });
    expect(api.requests.at(-1)!.headers.authorization).toBe('Bearer issued-token-1-orders:write');
    expect(body(first).headers.authorization).toBe('Bearer [REDACTED]');
    await call('library__placeOrder', { body: { isbn: '978-0-441-47812-5' } });
    expect(api.requests.at(-1)!.headers.authorization).toBe('Bearer issued-token-1-orders:write');
    expect(tokensIssued).toBe(1);
    const refused = await call('library__checkExpiredToken');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('answered HTTP 401');
    await call('library__placeOrder', { body: {} });
    expect(tokensIssued).toBe(2);
    expect(api.requests.at(-1)!.headers.authorization).toBe('Bearer issued-token-2-orders:write');
  });

  it('a token endpoint that refuses the client is a clear error, without the secret', async () => {
    const result = await call('wrong_secret__placeOrder', { body: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`[wrong_secret] getting an access token for the security scheme oauth from ${api.url}/oauth/token failed: HTTP 401`);
    expect(text(result)).toContain('check client_id and client_secret (and scopes) under credentials.oauth');
    expect(text(result)).not.toContain(PASSWORD);
    expect(text(result)).not.toContain(Buffer.from(`mcpeg-library:${PASSWORD}`).toString('base64'));
  });

  it('without the credentials an operation needs, the call fails before anything is sent, naming the scheme', async () => {
    const before = api.requests.length;
    const result = await call('anonymous__listBooks', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      '[anonymous] listBooks (GET /books) needs credentials for the security scheme apiKey, and none are configured — add credentials: { apiKey: { … } } to the service; nothing was sent',
    );
    expect(api.requests.length).toBe(before);
  });

  it('include and exclude select operations by operationId, tag, path and method', () => {
    expect(tools('anonymous__').map((candidate) => candidate.name).sort()).toEqual(['anonymous__checkExpiredToken', 'anonymous__getBook', 'anonymous__listBooks', 'anonymous__placeOrder']);
    expect(tools('admin__').map((candidate) => candidate.name).sort()).toEqual(['admin__addBook', 'admin__get_category_tree', 'admin__replaceBook']);
  });

  it('without base_url, requests go to the first server of the document, its variables at their defaults', () => {
    expect(tools('remote__').length).toBe(9);
    expect(gateway.host('remote')!.status().phase).toBe('running');
  });
});
