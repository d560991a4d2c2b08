// rest and openapi configs: what validates (the seed's weather form, defaults, durations and sizes) and what
// is refused, each problem at its YAML path with a message that says what to do.
import { describe, expect, it } from 'vitest';
import openapiType from '../../../src/adapters/openapi/index.js';
import restType from '../../../src/adapters/rest/index.js';
import type { RestConfig } from '../../../src/adapters/rest/config.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { issueAt, loadInvalid, loadValid, serviceNamed } from '../../config/load.js';

const types = [restType as ServiceType<unknown>, openapiType as ServiceType<unknown>];

describe('rest config', () => {
  it("the seed's weather service validates, with every default filled in", async () => {
    const config = await loadValid(
      `services:
  weather:
    enabled: false
    type: rest
    config:
      base_url: https://api.weather.gov
      cache_ttl: 5m
`,
      { types },
    );
    const weather = serviceNamed(config, 'weather');
    expect(weather.type).toBe('rest');
    expect(weather.config as RestConfig).toMatchObject({
      base_url: 'https://api.weather.gov',
      cache_ttl: 300_000,
      cache_max_entries: 500,
      max_response_size: 1_000_000,
      max_redirects: 5,
      retries: { max: 2, initial_delay: 200, max_delay: 5000, max_retry_after: 30_000 },
      endpoints: {},
      headers: {},
    });
  });

  it('durations, sizes and lower-case methods parse', async () => {
    const config = await loadValid(
      `services:
  api:
    driver: rest
    base_url: https://api.example.com/v1/
    config: { timeout: 2.5s }
    max_response_size: 2MiB
    rate_limit: { requests: 10, per: 1m, max_wait: 500ms }
    endpoints:
      get_thing: { method: get, path: "/things/{id}", description: A thing, parameters: { id: { in: path } } }
`,
      { types },
    );
    const api = serviceNamed(config, 'api').config as RestConfig;
    expect(api.timeout).toBe(2500);
    expect(api.max_response_size).toBe(2 * 1024 * 1024);
    expect(api.rate_limit).toMatchObject({ requests: 10, per: 60_000, max_wait: 500 });
    expect(api.endpoints.get_thing!.method).toBe('GET');
  });

  it.each([
    ['base_url: ftp://files.example.com', 'services.api.base_url', 'Invalid URL'],
    ['base_url: https://user:pw@api.example.com', 'services.api.base_url', 'may not hold a user name or password'],
    ['base_url: "https://api.example.com/?key=1"', 'services.api.base_url', 'may not have a query or fragment'],
    ['base_url: https://a.example\n    cache_ttl: 5 minutes', 'services.api.cache_ttl', 'is not a duration'],
    ['base_url: https://a.example\n    retries: { max: 50 }', 'services.api.retries.max', '<=10'],
    ['base_url: https://a.example\n    auth: { type: bearer }', 'services.api.auth.token', ''],
    ['base_url: https://a.example\n    auth: { type: oauth, token: x }', 'services.api.auth.type', ''],
    ['base_url: https://a.example\n    headers: { "Bad Header": x }', 'services.api.headers.Bad Header', 'not a valid HTTP header name'],
    ['base_url: https://a.example\n    headers: { X-A: "a\\r\\nb" }', 'services.api.headers.X-A', 'line breaks'],
    ['base_url: https://a.example\n    request: { allowed_headers: [Authorization] }', 'services.api.request.allowed_headers', 'a caller may never set it'],
    ['base_url: https://a.example\n    base_urll: https://b.example', 'services.api.base_urll', 'unknown key'],
  ])('refuses %j at %s', async (settings, path, message) => {
    const issues = await loadInvalid(`services:\n  api:\n    driver: rest\n    ${settings}\n`, { types });
    expect(issueAt(issues, path).message).toContain(message);
  });

  it('endpoints: template placeholders and path parameters must match; no URLs, no credential headers, no GET bodies', async () => {
    const issues = await loadInvalid(
      `services:
  api:
    driver: rest
    base_url: https://api.example.com
    endpoints:
      a: { path: "/users/{id}", description: d }
      b: { path: /users, description: d, parameters: { id: { in: path } } }
      c: { path: "https://evil.example/x", description: d }
      d: { path: "/x?y=1", description: d }
      e: { path: /x, description: d, parameters: { auth: { in: header, name: Authorization } } }
      f: { path: /x, description: d, parameters: { q: { in: body } } }
      g: { path: /x, description: d, select: "a..b" }
      h: { path: /x, description: d, parameters: { q: { type: string, schema: { type: string } } } }
      i: { path: /x, description: d, parameters: { q: { schema: { type: strin } } } }
`,
      { types },
    );
    expect(issueAt(issues, 'services.api.endpoints.a.parameters').message).toBe('the path has {id}, but no parameter id with in: path');
    expect(issueAt(issues, 'services.api.endpoints.b.parameters.id').message).toBe('is in: path, but the path /users has no {id}');
    expect(issueAt(issues, 'services.api.endpoints.c.path').message).toContain('must be a path relative to base_url');
    expect(issueAt(issues, 'services.api.endpoints.d.path').message).toContain('declare query parameters under parameters:');
    expect(issueAt(issues, 'services.api.endpoints.e.parameters.auth').message).toContain('Authorization cannot be a header parameter');
    expect(issueAt(issues, 'services.api.endpoints.f.parameters').message).toContain('body parameters need a method with a body');
    expect(issueAt(issues, 'services.api.endpoints.g.select').message).toContain('is not a field path');
    expect(issueAt(issues, 'services.api.endpoints.h.parameters.q').message).toBe('set type: or schema:, not both');
    expect(issueAt(issues, 'services.api.endpoints.i.parameters.q.schema').message).toBe('is not valid JSON Schema: type must be JSONType or JSONType[]: strin');
  });

  it('an endpoint name must be a valid tool name', async () => {
    const issues = await loadInvalid(`services:\n  api:\n    driver: rest\n    base_url: https://a.example\n    endpoints:\n      "9 bad": { path: /x, description: d }\n`, { types });
    expect(issueAt(issues, 'services.api.endpoints.9 bad').message).toContain('"9 bad" cannot name a tool: start with a letter');
  });
});

describe('openapi config', () => {
  it('validates a document with credentials per scheme and selectors', async () => {
    const config = await loadValid(
      `services:
  pets:
    driver: openapi
    spec: specs/petstore.yaml
    base_url: https://petstore.example.com/v1
    include: ["tag:pets", "GET /pets/*"]
    credentials:
      api_key: { value: abc123 }
      basicAuth: { username: u, password: p }
`,
      { types },
    );
    expect(serviceNamed(config, 'pets').config).toMatchObject({ spec: 'specs/petstore.yaml', exclude: [], spec_timeout: 20_000 });
  });

  it('refuses auth: (credentials go per scheme) and half a basic credential', async () => {
    const issues = await loadInvalid(
      `services:
  pets:
    driver: openapi
    spec: petstore.yaml
    auth: { type: bearer, token: abc123 }
    credentials:
      basicAuth: { username: u }
      empty: {}
`,
      { types },
    );
    expect(issueAt(issues, 'services.pets.auth').message).toContain('write credentials: { <scheme name>: { token: … } } instead of auth:');
    expect(issueAt(issues, 'services.pets.credentials.basicAuth').message).toBe('username: and password: go together');
    expect(issueAt(issues, 'services.pets.credentials.empty').message).toBe('give value:, token:, username: and password:, or client_id: and client_secret:');
  });
});
