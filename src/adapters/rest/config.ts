import { fromJsonSchema } from '@modelcontextprotocol/server';
import { z } from '../../sdk/index.js';
import { FORBIDDEN_HEADERS, headerMap, headerName, httpClientShape } from '../http-client/config.js';
import { templateNames } from '../http-client/confined-url.js';
import { selectorSteps } from '../http-client/select.js';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];
const method = () => z.preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), z.enum(METHODS));

/** Headers the generic request tool accepts from a caller without configuration. */
export const DEFAULT_ALLOWED_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'range',
  'cache-control',
  'prefer',
  'x-request-id',
] as const;

const parameterSchema = z.strictObject({
  in: z.enum(['path', 'query', 'header', 'body']).default('query').describe('Where the value goes: a {name} of the path, the query, a header, or a field of the JSON body'),
  name: z.string().min(1).optional().describe('The name on the wire, when it differs from the argument name (X-Trace-Id, page[size])'),
  type: z.enum(['string', 'integer', 'number', 'boolean', 'array', 'object']).optional().describe('Shorthand for schema: { type }'),
  schema: z.record(z.string(), z.unknown()).optional().describe('Full JSON Schema of the value (enum, minimum, pattern, items, …)'),
  description: z.string().optional(),
  required: z.boolean().optional().describe('Path parameters are always required'),
  default: z.unknown().optional().describe('Sent when the caller gives no value'),
});

const annotationsSchema = z.strictObject({
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

const endpointSchema = z.strictObject({
  method: method().default('GET'),
  path: z.string().min(1).describe('Path template relative to base_url, e.g. /users/{id}; each {name} is a path parameter'),
  description: z.string().min(1).describe('What the tool does, for the model'),
  title: z.string().optional(),
  parameters: z.record(z.string(), parameterSchema).default({}),
  body_type: z.enum(['json', 'form', 'text']).default('json').describe('How body parameters are sent: a JSON object, a form, or text'),
  headers: headerMap().default({}).describe('Fixed headers of this endpoint'),
  select: z.string().optional().describe('Return only part of a JSON answer: a JSON Pointer (/properties/periods) or a field path (properties.periods)'),
  annotations: annotationsSchema.optional().describe('Overrides the hints derived from the method'),
});

const requestToolSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Offer the generic request tool (default: only when no endpoints are declared)'),
  methods: z.array(method()).min(1).default(['GET', 'HEAD']).describe('Methods the request tool may use (default GET and HEAD: read-only)'),
  allowed_headers: z.array(headerName()).default([]).describe(`Request headers a caller may set, besides ${DEFAULT_ALLOWED_HEADERS.join(', ')}`),
});

/**
 * Config of a `rest` service: the API's `base_url`, the settings of the shared HTTP client (auth,
 * headers, timeout, retries, cache, rate limit, limits), declared `endpoints` (each a tool), and the
 * generic `request` tool (on when no endpoints are declared).
 *
 * @example restConfigSchema.parse({ base_url: 'https://api.weather.gov', cache_ttl: '5m' }).cache_ttl // 300000
 */
export const restConfigSchema = z
  .strictObject({
    base_url: z
      .url({ protocol: /^https?$/ })
      .describe('The API\'s root URL; every request stays under it'),
    ...httpClientShape,
    endpoints: z
      .record(z.string(), endpointSchema)
      .default({})
      .describe('Declared endpoints, each served as a tool of its own name'),
    request: requestToolSchema.optional().describe('The generic request tool'),
  })
  .superRefine((config, ctx) => {
    const base = new URL(config.base_url);
    if (base.search !== '' || base.hash !== '') {
      ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'may not have a query or fragment: put fixed query parameters in the endpoints, and credentials in auth:' });
    }
    if (base.username !== '' || base.password !== '') {
      ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'may not hold a user name or password: use auth: { type: basic, … } with a secret reference' });
    }
    const credentialHeader = config.auth?.type === 'api_key' && config.auth.in === 'header' ? config.auth.name.toLowerCase() : undefined;
    const refusedHeader = (name: string) => FORBIDDEN_HEADERS.has(name.toLowerCase()) || name.toLowerCase() === credentialHeader;
    for (const name of config.request?.allowed_headers ?? []) {
      if (refusedHeader(name)) {
        ctx.addIssue({ code: 'custom', path: ['request', 'allowed_headers'], message: `${name} carries credentials or frames the request: a caller may never set it` });
      }
    }
    if (config.endpoints['request'] !== undefined && (config.request?.enabled ?? false)) {
      ctx.addIssue({ code: 'custom', path: ['endpoints', 'request'], message: 'an endpoint named request collides with the generic request tool: rename it or set request.enabled: false' });
    }
    for (const [name, endpoint] of Object.entries(config.endpoints)) {
      const at = ['endpoints', name];
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) {
        ctx.addIssue({ code: 'custom', path: at, message: `"${name}" cannot name a tool: start with a letter and use letters, digits, _ and - (at most 64)` });
      }
      if (/^[A-Za-z][A-Za-z0-9+.-]*:|^\/\//.test(endpoint.path)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'path'], message: 'must be a path relative to base_url (like /users/{id}), not a URL' });
      }
      if (endpoint.path.includes('?') || endpoint.path.includes('#')) {
        ctx.addIssue({ code: 'custom', path: [...at, 'path'], message: 'may not hold a query or fragment: declare query parameters under parameters: with in: query' });
      }
      const inTemplate = templateNames(endpoint.path);
      const pathParams = Object.entries(endpoint.parameters).filter(([, parameter]) => parameter.in === 'path');
      for (const placeholder of inTemplate) {
        if (!pathParams.some(([argument, parameter]) => (parameter.name ?? argument) === placeholder)) {
          ctx.addIssue({ code: 'custom', path: [...at, 'parameters'], message: `the path has {${placeholder}}, but no parameter ${placeholder} with in: path` });
        }
      }
      for (const [argument, parameter] of Object.entries(endpoint.parameters)) {
        const wire = parameter.name ?? argument;
        if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(argument)) {
          ctx.addIssue({ code: 'custom', path: [...at, 'parameters', argument], message: `"${argument}" cannot name an argument: start with a letter or _ and use letters, digits, _ . and - (set name: for the wire name)` });
        }
        if (parameter.in === 'path' && !inTemplate.includes(wire)) {
          ctx.addIssue({ code: 'custom', path: [...at, 'parameters', argument], message: `is in: path, but the path ${endpoint.path} has no {${wire}}` });
        }
        if (parameter.in === 'header' && (refusedHeader(wire) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(wire))) {
          ctx.addIssue({ code: 'custom', path: [...at, 'parameters', argument], message: `${wire} cannot be a header parameter (it is not a valid header name, or it carries credentials or frames the request)` });
        }
        if (parameter.type !== undefined && parameter.schema !== undefined) {
          ctx.addIssue({ code: 'custom', path: [...at, 'parameters', argument], message: 'set type: or schema:, not both' });
        }
        if (parameter.schema !== undefined) {
          // Compiled here so a mistake is a config error with its path, not a failure at the first call.
          try {
            fromJsonSchema({ type: 'object', properties: { value: parameter.schema } } as Parameters<typeof fromJsonSchema>[0]);
          } catch (error) {
            ctx.addIssue({ code: 'custom', path: [...at, 'parameters', argument, 'schema'], message: `is not valid JSON Schema: ${(error as Error).message}` });
          }
        }
      }
      for (const header of Object.keys(endpoint.headers)) {
        if (refusedHeader(header)) ctx.addIssue({ code: 'custom', path: [...at, 'headers', header], message: 'carries credentials or frames the request: use auth: for credentials' });
      }
      const hasBody = Object.values(endpoint.parameters).some((parameter) => parameter.in === 'body');
      if (hasBody && ['GET', 'HEAD', 'OPTIONS'].includes(endpoint.method)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'parameters'], message: `body parameters need a method with a body (POST, PUT, PATCH, DELETE), not ${endpoint.method}` });
      }
      if (endpoint.select !== undefined) {
        try {
          selectorSteps(endpoint.select);
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: [...at, 'select'], message: (error as Error).message });
        }
      }
    }
    for (const header of Object.keys(config.headers)) {
      if (['authorization', 'proxy-authorization', 'cookie'].includes(header.toLowerCase())) continue; // a static credential header is the operator's choice
      if (FORBIDDEN_HEADERS.has(header.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['headers', header], message: 'frames the request; the HTTP client sets it' });
    }
  });

export type RestConfig = z.output<typeof restConfigSchema>;
export type Endpoint = RestConfig['endpoints'][string];
