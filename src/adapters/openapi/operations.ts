import { FORBIDDEN_HEADERS, HEADER_NAME } from '../http-client/config.js';
import type { ParameterPlacement } from '../http-client/request-builder.js';
import type { SchemaConverter } from './json-schema.js';
import { dereference, isRecord, UnsupportedReference } from './refs.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/**
 * Header parameters left out: those OpenAPI says to ignore (the HTTP layer sets them), and those that
 * carry credentials or frame the request, which a document must not hand to a caller.
 */
const IGNORED_HEADERS = new Set(['accept', 'content-type', ...FORBIDDEN_HEADERS]);
const MAX_NAME = 64;
const MAX_DESCRIPTION = 2000;

/** One operation of the document, ready to become a tool. */
export interface Operation {
  readonly name: string;
  readonly operationId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly placements: readonly ParameterPlacement[];
  readonly bodyArgument: string | undefined;
  readonly bodyType: 'json' | 'form' | 'text' | undefined;
  /** Alternatives of security requirements (scheme name → scopes); empty: no auth needed. */
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly deprecated: boolean;
}

/** What include/exclude selectors look at. */
export type OperationIdentity = Pick<Operation, 'name' | 'operationId' | 'method' | 'path' | 'tags'>;

/**
 * An operation that cannot be served, and why. `broken` means the document itself is wrong there (an
 * external or dangling `$ref`, a cycle): the service refuses to start unless config excludes it.
 * Otherwise (a multipart-only body) it is left out with a warning.
 */
export interface Skipped {
  readonly operation: string;
  readonly identity: OperationIdentity;
  readonly reason: string;
  readonly broken: boolean;
}

/**
 * Every operation of the document as a tool description: a name (operationId, sanitized, or
 * method_path), a description from summary and description, and an input schema with the path, query
 * and header parameters as properties plus `body` for a JSON, form or text request body. Operations
 * that cannot be served (a multipart-only body, a broken reference) are skipped with the reason.
 */
export function extractOperations(document: Record<string, unknown>, converter: SchemaConverter): { operations: Operation[]; skipped: Skipped[] } {
  const operations: Operation[] = [];
  const skipped: Skipped[] = [];
  const taken = new Set<string>();
  const paths = isRecord(document.paths) ? document.paths : {};
  const globalSecurity = Array.isArray(document.security) ? document.security : [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = dereference(document, rawItem, `paths.${path}`);
    if (!isRecord(item)) continue;
    for (const method of METHODS) {
      const raw = item[method];
      if (!isRecord(raw)) continue;
      const label = `${method.toUpperCase()} ${path}`;
      const operationId = typeof raw.operationId === 'string' ? raw.operationId : undefined;
      const identity = { name: toolName(operationId, method, path), operationId, method: method.toUpperCase(), path, tags: asArray(raw.tags).map(String) };
      try {
        const operation = buildOperation(document, converter, path, method, item, raw, globalSecurity, taken);
        if ('skip' in operation) skipped.push({ operation: label, identity, reason: operation.skip, broken: false });
        else operations.push(operation);
      } catch (error) {
        if (!(error instanceof UnsupportedReference)) throw error;
        skipped.push({ operation: label, identity, reason: error.message, broken: true });
      }
    }
  }
  return { operations, skipped };
}

function buildOperation(
  document: Record<string, unknown>,
  converter: SchemaConverter,
  path: string,
  method: string,
  item: Record<string, unknown>,
  raw: Record<string, unknown>,
  globalSecurity: unknown[],
  taken: Set<string>,
): Operation | { skip: string } {
  const at = `paths.${path}.${method}`;
  // Operation-level parameters override path-level ones with the same name and location.
  const byKey = new Map<string, Record<string, unknown>>();
  for (const [index, candidate] of [...asArray(item.parameters), ...asArray(raw.parameters)].entries()) {
    const parameter = dereference(document, candidate, `${at}.parameters[${index}]`);
    if (!isRecord(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const placements: ParameterPlacement[] = [];
  const schemas: unknown[] = [];
  const parameters = [...byKey.values()].filter((parameter) => ['path', 'query', 'header'].includes(String(parameter.in)));
  const names = new Set(parameters.map((parameter) => String(parameter.name)));
  for (const parameter of parameters) {
    const location = String(parameter.in) as 'path' | 'query' | 'header';
    const wire = String(parameter.name);
    if (location === 'header' && (IGNORED_HEADERS.has(wire.toLowerCase()) || !HEADER_NAME.test(wire))) continue;
    // Two parameters with one name in different places (id in the path and the query): suffix the later one.
    let argument = wire;
    if (properties[argument] !== undefined || argument === 'body') argument = `${wire}_${location}`;
    const schema = parameterSchema(parameter, converter, `${at}.parameters.${wire}`);
    properties[argument] = schema;
    schemas.push(schema);
    if (location === 'path' || parameter.required === true) required.push(argument);
    placements.push({
      argument,
      wire,
      in: location,
      style: typeof parameter.style === 'string' ? (parameter.style as ParameterPlacement['style']) : undefined,
      explode: typeof parameter.explode === 'boolean' ? parameter.explode : undefined,
    });
  }
  for (const placeholder of [...path.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1]!)) {
    if (!placements.some((placement) => placement.in === 'path' && placement.wire === placeholder)) {
      return { skip: `the path has {${placeholder}}, but the operation declares no path parameter ${placeholder}` };
    }
  }
  let bodyArgument: string | undefined;
  let bodyType: Operation['bodyType'];
  // Node's HTTP client (like browsers) cannot send a body with GET or HEAD, which OpenAPI 3.1 allows.
  if (raw.requestBody !== undefined && (method === 'get' || method === 'head')) {
    const body = dereference(document, raw.requestBody, `${at}.requestBody`);
    if (isRecord(body) && body.required === true) return { skip: `it requires a request body on ${method.toUpperCase()}, which this gateway cannot send` };
  } else if (raw.requestBody !== undefined) {
    const body = dereference(document, raw.requestBody, `${at}.requestBody`);
    const content = isRecord(body) && isRecord(body.content) ? body.content : {};
    const chosen = chooseMediaType(Object.keys(content));
    if (!chosen) {
      const types = Object.keys(content).join(', ') || 'none';
      if (isRecord(body) && body.required === true) return { skip: `its request body takes ${types}, which this gateway cannot send (it sends JSON, forms and text)` };
    } else {
      bodyArgument = names.has('body') ? 'request_body' : 'body';
      bodyType = chosen.type;
      const media = content[chosen.mediaType];
      const schema = isRecord(media) && media.schema !== undefined ? converter.convert(media.schema, `${at}.requestBody`) : {};
      const described = isRecord(schema) && isRecord(body) && typeof body.description === 'string' ? { ...schema, description: body.description } : schema;
      properties[bodyArgument] = described;
      schemas.push(described);
      if (isRecord(body) && body.required === true) required.push(bodyArgument);
    }
  }
  const operationId = typeof raw.operationId === 'string' ? raw.operationId : undefined;
  const name = uniqueName(toolName(operationId, method, path), taken);
  const defs = converter.defsFor(schemas);
  const inputSchema: Record<string, unknown> = {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
  const security = (Array.isArray(raw.security) ? raw.security : globalSecurity).filter(isRecord).map(
    (requirement) => Object.fromEntries(Object.entries(requirement).map(([scheme, scopes]) => [scheme, Array.isArray(scopes) ? scopes.map(String) : []])),
  );
  return {
    name,
    operationId,
    method: method.toUpperCase(),
    path,
    tags: asArray(raw.tags).map(String),
    description: describe(raw, method, path),
    inputSchema,
    placements,
    bodyArgument,
    bodyType,
    security,
    deprecated: raw.deprecated === true,
  };
}

function parameterSchema(parameter: Record<string, unknown>, converter: SchemaConverter, at: string): Record<string, unknown> {
  let schema: unknown = parameter.schema;
  // A parameter may describe its value with content: { media type: { schema } } instead.
  if (schema === undefined && isRecord(parameter.content)) {
    const first = Object.values(parameter.content)[0];
    schema = isRecord(first) ? first.schema : undefined;
  }
  const converted = converter.convert(schema ?? { type: 'string' }, at);
  const out: Record<string, unknown> = isRecord(converted) ? { ...converted } : {};
  if (typeof parameter.description === 'string' && out.description === undefined) out.description = parameter.description;
  if (parameter.deprecated === true) out.deprecated = true;
  return out;
}

function chooseMediaType(types: readonly string[]): { mediaType: string; type: 'json' | 'form' | 'text' } | undefined {
  const essence = (type: string) => type.split(';')[0]!.trim().toLowerCase();
  const json = types.find((type) => essence(type) === 'application/json') ?? types.find((type) => essence(type).endsWith('+json'));
  if (json) return { mediaType: json, type: 'json' };
  const form = types.find((type) => essence(type) === 'application/x-www-form-urlencoded');
  if (form) return { mediaType: form, type: 'form' };
  const text = types.find((type) => essence(type).startsWith('text/'));
  if (text) return { mediaType: text, type: 'text' };
  const any = types.find((type) => essence(type) === '*/*' || essence(type) === 'application/*');
  if (any) return { mediaType: any, type: 'json' };
  return undefined;
}

/**
 * A tool name from the operationId (non-name characters become `_`, at most 64), or `method_path`
 * when there is none (`get_pets_petId`).
 *
 * @example toolName('find pet by id', 'get', '/pets/{id}') // 'find_pet_by_id'
 */
export function toolName(operationId: string | undefined, method: string, path: string): string {
  const clean = (text: string) =>
    text
      .replace(/[^A-Za-z0-9_-]+/g, '_')
      .replace(/_+/g, '_')
      .replace(/^[_-]+|[_-]+$/g, '')
      .slice(0, MAX_NAME);
  const fromId = operationId !== undefined ? clean(operationId) : '';
  return fromId !== '' ? fromId : clean(`${method}_${path}`) || method;
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
  taken.add(candidate);
  return candidate;
}

function describe(raw: Record<string, unknown>, method: string, path: string): string {
  const parts = [raw.summary, raw.description].filter((part): part is string => typeof part === 'string' && part.trim() !== '').map((part) => part.trim());
  const unique = parts.length === 2 && parts[1]!.startsWith(parts[0]!) ? [parts[1]!] : parts;
  let text = unique.join('\n\n');
  if (text.length > MAX_DESCRIPTION) text = `${text.slice(0, MAX_DESCRIPTION)}…`;
  const deprecated = raw.deprecated === true ? 'Deprecated. ' : '';
  return `${deprecated}${text}${text ? '\n\n' : ''}(${method.toUpperCase()} ${path})`;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
