import type { ToolDefinition } from '../../sdk/service-type.js';

type SchemaProperties = NonNullable<ToolDefinition['inputSchema']['properties']>;
import type { HttpClient } from '../http-client/http-client.js';
import { buildRequest, type RequestShape } from '../http-client/request-builder.js';
import { callHttpTool } from '../http-client/tool-call.js';
import { methodAnnotations } from '../http-client/method-annotations.js';
import type { Endpoint } from './config.js';

/**
 * A declared endpoint as a tool: its parameters become the input schema (path parameters always
 * required), and a call becomes one request built from them — path values %-encoded as one segment
 * each, query and header values serialized, body parameters gathered into the body.
 */
export function endpointTool(options: { service: string; name: string; endpoint: Endpoint; base: URL; client: HttpClient; maxResponseSize: number }): ToolDefinition {
  const { endpoint, name } = options;
  const properties: SchemaProperties = {};
  const required: string[] = [];
  for (const [argument, parameter] of Object.entries(endpoint.parameters)) {
    const schema: Record<string, unknown> = { ...(parameter.schema ?? { type: parameter.type ?? 'string' }) };
    if (parameter.description !== undefined) schema.description = parameter.description;
    if (parameter.default !== undefined) schema.default = parameter.default;
    properties[argument] = schema as SchemaProperties[string];
    if (parameter.in === 'path' || (parameter.required === true && parameter.default === undefined)) required.push(argument);
  }
  const shape: RequestShape = {
    method: endpoint.method,
    path: endpoint.path,
    parameters: Object.entries(endpoint.parameters).map(([argument, parameter]) => ({ argument, wire: parameter.name ?? argument, in: parameter.in })),
    bodyType: endpoint.body_type,
    headers: Object.fromEntries(Object.entries(endpoint.headers).map(([header, value]) => [header.toLowerCase(), value])),
  };
  const defaults = Object.fromEntries(
    Object.entries(endpoint.parameters)
      .filter(([, parameter]) => parameter.default !== undefined)
      .map(([argument, parameter]) => [argument, parameter.default]),
  );
  return {
    name,
    ...(endpoint.title !== undefined ? { title: endpoint.title } : {}),
    description: `${endpoint.description} (${endpoint.method} ${endpoint.path})`,
    inputSchema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false },
    annotations: { ...methodAnnotations(endpoint.method), ...(endpoint.annotations ?? {}) },
    call: (args, ctx) =>
      callHttpTool(
        {
          service: options.service,
          tool: name,
          client: options.client,
          maxResponseSize: options.maxResponseSize,
          select: endpoint.select,
          build: () => buildRequest(options.base, shape, { ...defaults, ...args }),
        },
        ctx,
      ),
  };
}
