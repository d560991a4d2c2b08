import { confinedUrl, expandPath } from './confined-url.js';
import type { OutgoingRequest } from './http-client.js';

/** Where one typed tool argument goes in the HTTP request. */
export interface ParameterPlacement {
  /** The tool argument's name. */
  readonly argument: string;
  /** The name on the wire (a header name, a query key, a body field, a `{name}` of the path template). */
  readonly wire: string;
  readonly in: 'path' | 'query' | 'header' | 'body';
  /** Query serialization (OpenAPI style/explode): `form` + explode repeats the key for each array item. */
  readonly style?: 'form' | 'deepObject' | 'pipeDelimited' | 'spaceDelimited' | 'simple' | undefined;
  readonly explode?: boolean | undefined;
}

/** How a tool's arguments become a request: method, path template, placements, and the body. */
export interface RequestShape {
  readonly method: string;
  /** `/users/{id}` — relative to the service's base URL. */
  readonly path: string;
  readonly parameters: readonly ParameterPlacement[];
  /** The argument holding the whole body (`body` for OpenAPI operations), if any. */
  readonly bodyArgument?: string | undefined;
  /** The body's media type: JSON (default), a form, or plain text. */
  readonly bodyType?: 'json' | 'form' | 'text' | undefined;
  /** Fixed headers of this request (lower-case names). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A tool argument that cannot become part of a request; the tool reports it as INVALID_ARGUMENTS. */
export class ArgumentRefused extends Error {
  override readonly name = 'ArgumentRefused';
}

const HEADER_UNSAFE = /[\r\n\0]/;

/**
 * Builds the request a tool call describes: path parameters %-encoded into exactly one segment each,
 * the URL confined to `base`, query parameters serialized as OpenAPI describes, header parameters checked
 * for line breaks, and the body from body fields or one body argument.
 *
 * @example buildRequest(base, { method: 'GET', path: '/users/{id}', parameters: [{ argument: 'id', wire: 'id', in: 'path' }] }, { id: 42 })
 */
export function buildRequest(base: URL, shape: RequestShape, args: Readonly<Record<string, unknown>>): OutgoingRequest {
  const pathValues: Record<string, unknown> = {};
  for (const placement of shape.parameters) if (placement.in === 'path') pathValues[placement.wire] = args[placement.argument];
  const url = confinedUrl(base, expandPath(shape.path, pathValues));
  const headers: Record<string, string> = { ...(shape.headers ?? {}) };
  const fields: Record<string, unknown> = {};
  let hasFields = false;
  for (const placement of shape.parameters) {
    const value = args[placement.argument];
    if (value === undefined || value === null || placement.in === 'path') continue;
    if (placement.in === 'query') appendQuery(url.searchParams, placement, value);
    else if (placement.in === 'header') {
      const text = Array.isArray(value) ? value.map(String).join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
      if (HEADER_UNSAFE.test(text)) throw new ArgumentRefused(`header parameter "${placement.argument}" may not contain line breaks or NUL`);
      headers[placement.wire.toLowerCase()] = text;
    } else {
      fields[placement.wire] = value;
      hasFields = true;
    }
  }
  const bodyValue = shape.bodyArgument !== undefined ? args[shape.bodyArgument] : hasFields ? fields : undefined;
  let body: string | undefined;
  if (bodyValue !== undefined) {
    if (['GET', 'HEAD'].includes(shape.method.toUpperCase())) throw new ArgumentRefused(`a ${shape.method.toUpperCase()} request cannot carry a body`);
    const type = shape.bodyType ?? 'json';
    if (type === 'json') {
      body = JSON.stringify(bodyValue);
      headers['content-type'] ??= 'application/json';
    } else if (type === 'form') {
      if (bodyValue === null || typeof bodyValue !== 'object' || Array.isArray(bodyValue)) throw new ArgumentRefused('a form body must be an object of fields');
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(bodyValue)) appendQuery(form, { argument: key, wire: key, in: 'query' }, value);
      body = form.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else {
      body = typeof bodyValue === 'string' ? bodyValue : JSON.stringify(bodyValue);
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    }
  }
  return { method: shape.method.toUpperCase(), url, headers, body };
}

/** Adds one query parameter the way OpenAPI's `style`/`explode` describe (form + explode by default). */
export function appendQuery(params: URLSearchParams, placement: ParameterPlacement, value: unknown): void {
  const name = placement.wire;
  const style = placement.style ?? 'form';
  const explode = placement.explode ?? style === 'form';
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    const items = value.filter((item) => item !== undefined && item !== null).map(scalar);
    if (explode && (style === 'form' || style === 'deepObject')) for (const item of items) params.append(name, item);
    else params.append(name, items.join(style === 'pipeDelimited' ? '|' : style === 'spaceDelimited' ? ' ' : ','));
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined && item !== null);
    if (style === 'deepObject') for (const [key, item] of entries) params.append(`${name}[${key}]`, scalar(item));
    else if (explode) for (const [key, item] of entries) params.append(key, scalar(item));
    else params.append(name, entries.flatMap(([key, item]) => [key, scalar(item)]).join(','));
    return;
  }
  params.append(name, scalar(value));
}

function scalar(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
