import type { Tool } from '@modelcontextprotocol/server';

const BASE64_WRAPPED = /^=\?base64\?(.*)\?=$/s;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * SEP-2243: a tool argument whose schema carries `x-mcp-header: Name` is mirrored by the client
 * into an `Mcp-Param-Name` header, so proxies can route on it. The SDK checks this only for
 * McpServer-built tools; the gateway serves tools from its catalog, so it checks here. Returns why
 * the request must be rejected (HTTP 400, -32020), or undefined when the headers agree with the body.
 */
export function checkParamHeaders(tool: Tool | undefined, args: unknown, headers: Pick<Headers, 'get'>): string | undefined {
  if (!tool) return undefined;
  const mirrored = mirroredArguments(tool);
  if (mirrored.length === 0) return undefined;
  const values = (args !== null && typeof args === 'object' ? args : {}) as Record<string, unknown>;
  for (const [name, header] of mirrored) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    const raw = headers.get(`mcp-param-${header}`);
    if (raw === null) return `header Mcp-Param-${header} is required: argument "${name}" is mirrored into it (x-mcp-header)`;
    const decoded = decode(raw.trim());
    if (decoded === undefined) return `header Mcp-Param-${header} is not valid: =?base64?…?= must wrap canonical Base64`;
    if (decoded !== String(value)) return `header Mcp-Param-${header} does not match argument "${name}" in the body`;
  }
  return undefined;
}

function decode(value: string): string | undefined {
  const wrapped = BASE64_WRAPPED.exec(value);
  if (!wrapped) return value;
  const body = wrapped[1] ?? '';
  if (!BASE64.test(body)) return undefined;
  return Buffer.from(body, 'base64').toString('utf8');
}

const mirroredByTool = new WeakMap<Tool, readonly (readonly [argument: string, header: string])[]>();

/** The arguments of a tool that are mirrored into headers, worked out once per (immutable) descriptor. */
function mirroredArguments(tool: Tool): readonly (readonly [string, string])[] {
  let mirrored = mirroredByTool.get(tool);
  if (!mirrored) {
    mirrored = Object.entries(tool.inputSchema.properties ?? {}).flatMap(([name, schema]) => {
      const header = (schema as { 'x-mcp-header'?: unknown } | undefined)?.['x-mcp-header'];
      return typeof header === 'string' && header.length > 0 ? [[name, header] as const] : [];
    });
    mirroredByTool.set(tool, mirrored);
  }
  return mirrored;
}
