import type { ToolDefinition } from '../../sdk/service-type.js';

type SchemaProperties = NonNullable<ToolDefinition['inputSchema']['properties']>;
import { confinedUrl } from '../http-client/confined-url.js';
import type { HttpClient, OutgoingRequest } from '../http-client/http-client.js';
import { appendQuery, ArgumentRefused } from '../http-client/request-builder.js';
import { callHttpTool } from '../http-client/tool-call.js';
import { combinedAnnotations } from '../http-client/method-annotations.js';
import { FORBIDDEN_HEADERS } from '../http-client/config.js';
import type { Method } from './config.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const QUERY_VALUE = { type: ['string', 'number', 'boolean'] };
const HEADER_UNSAFE = /[\r\n\0]/;

export interface RequestToolOptions {
  readonly service: string;
  readonly base: URL;
  readonly client: HttpClient;
  readonly methods: readonly Method[];
  /** Lower-case header names a caller may set. */
  readonly allowedHeaders: readonly string[];
  /** Lower-case header names that carry credentials: never settable, whatever the allowlist says. */
  readonly credentialHeaders: readonly string[];
  readonly maxResponseSize: number;
}

/**
 * The generic `request` tool of a rest service: any path under `base_url`, with the configured
 * methods, query parameters, allowlisted headers, and (when a method with a body is allowed) a body.
 * A path that would leave the base (absolute URL, `//host`, `..` in any encoding) is refused, and a
 * caller can never set a header that carries credentials.
 */
export function requestTool(options: RequestToolOptions): ToolDefinition {
  const bodyAllowed = options.methods.some((method) => WITH_BODY.has(method));
  const allowed = new Set(options.allowedHeaders.filter((name) => !FORBIDDEN_HEADERS.has(name) && !options.credentialHeaders.includes(name)));
  const properties: Record<string, unknown> = {
    method: { type: 'string', enum: [...options.methods], default: options.methods.includes('GET') ? 'GET' : options.methods[0]!, description: 'HTTP method' },
    path: {
      type: 'string',
      maxLength: 4096,
      description: `Path relative to ${options.base.href}, e.g. /points/39.7,-104.9 (may end with ?query). Absolute URLs and .. segments are refused.`,
    },
    query: {
      type: 'object',
      description: 'Query parameters; an array value repeats the parameter',
      additionalProperties: { anyOf: [QUERY_VALUE, { type: 'array', items: QUERY_VALUE, maxItems: 100 }] },
    },
    headers: {
      type: 'object',
      description: `Request headers; allowed: ${[...allowed].join(', ')}`,
      additionalProperties: { type: 'string', maxLength: 8192 },
    },
  };
  if (bodyAllowed) {
    properties.body = { description: 'Request body: an object or array is sent as JSON; a string is sent as is (set content-type in headers)' };
  }
  return {
    name: 'request',
    title: `HTTP request to ${options.base.host}`,
    description: `Send an HTTP request (${options.methods.join(', ')}) to the ${options.service} API at ${options.base.href}. Give a path relative to that URL. JSON answers come back as JSON, text as text, anything else as an embedded resource.`,
    inputSchema: { type: 'object', properties: properties as SchemaProperties, required: ['path'], additionalProperties: false },
    annotations: combinedAnnotations(options.methods),
    call: (args, ctx) =>
      callHttpTool(
        {
          service: options.service,
          tool: 'request',
          client: options.client,
          maxResponseSize: options.maxResponseSize,
          build: () => buildGenericRequest(options, allowed, args),
        },
        ctx,
      ),
  };
}

function buildGenericRequest(options: RequestToolOptions, allowed: ReadonlySet<string>, args: Record<string, unknown>): OutgoingRequest {
  const method = String(args.method ?? (options.methods.includes('GET') ? 'GET' : options.methods[0])).toUpperCase();
  if (!(options.methods as readonly string[]).includes(method)) {
    throw new ArgumentRefused(`method ${method} is not allowed for this service (allowed: ${options.methods.join(', ')}; see request.methods)`);
  }
  const url = confinedUrl(options.base, String(args.path ?? ''));
  for (const [name, value] of Object.entries((args.query as Record<string, unknown> | undefined) ?? {})) {
    appendQuery(url.searchParams, { argument: name, wire: name, in: 'query' }, value);
  }
  const headers: Record<string, string> = {};
  for (const [rawName, value] of Object.entries((args.headers as Record<string, string> | undefined) ?? {})) {
    const name = rawName.toLowerCase();
    if (!allowed.has(name)) {
      throw new ArgumentRefused(`the header ${rawName} is not allowed (allowed: ${[...allowed].join(', ')}; an operator can add more with request.allowed_headers, never credential headers)`);
    }
    if (HEADER_UNSAFE.test(value)) throw new ArgumentRefused(`the header ${rawName} may not contain line breaks or NUL`);
    headers[name] = value;
  }
  let body: string | undefined;
  if (args.body !== undefined) {
    if (!WITH_BODY.has(method)) throw new ArgumentRefused(`${method} requests carry no body; use POST, PUT, PATCH or DELETE`);
    if (typeof args.body === 'string') {
      body = args.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      body = JSON.stringify(args.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  return { method, url, headers, body };
}
