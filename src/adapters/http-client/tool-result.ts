import { GatewayError } from '../../sdk/errors.js';
import type { ToolResult } from '../../sdk/service-type.js';
import { retryAfterMs } from './backoff.js';
import { scrub } from './credentials.js';
import type { HttpResponse } from './http-client.js';
import { selectValue } from './select.js';

/** How much of an error body a message quotes. */
const EXCERPT_CHARS = 500;

export interface ResultOptions {
  readonly service: string;
  readonly method: string;
  /** `GET /users/42`, for messages. */
  readonly label: string;
  /** Part of a JSON answer to return (JSON Pointer or field path). */
  readonly select?: string | undefined;
  readonly secrets: readonly string[];
  readonly maxResponseSize: number;
}

/**
 * Turns an HTTP response into a tool result. 2xx: JSON as text plus `structuredContent`
 * `{ status, body }`, text as text, anything else as an embedded resource (base64 `blob`, `mimeType`).
 * 4xx: an `isError` result quoting the API's answer (the call was wrong — the model can fix it).
 * 5xx, and JSON that does not parse: a thrown `BACKEND_ERROR` (the API is broken — it counts against
 * the circuit breaker). Credentials are scrubbed from everything returned.
 */
export function responseToResult(response: HttpResponse, options: ResultOptions): ToolResult {
  const { status } = response;
  const kind = bodyKind(response.headers.get('content-type'), response.body);
  const clean = (text: string) => scrub(text, options.secrets);
  const attempts = response.attempts > 1 ? ` after ${response.attempts} attempts` : '';
  if (status >= 500) {
    const wait = retryAfterMs(response.headers.get('retry-after'));
    throw new GatewayError('BACKEND_ERROR', `${options.label} answered HTTP ${status}${attempts}: ${clean(excerpt(response, kind))}`, {
      service: options.service,
      data: { status },
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  if (status >= 400) {
    const wait = response.headers.get('retry-after');
    const hint =
      status === 429
        ? ` — the API is rate-limiting this gateway${wait ? `; it asks to wait ${wait}${/^\d+$/.test(wait) ? ' s' : ''}` : ''}`
        : status === 401 || status === 403
          ? ' — check the credentials configured for this service (auth:)'
          : '';
    return {
      isError: true,
      content: [{ type: 'text', text: `[${options.service}] ${options.label} answered HTTP ${status}${attempts}${hint}: ${clean(excerpt(response, kind))}` }],
      structuredContent: { status },
    };
  }
  if (options.method === 'HEAD') {
    // A HEAD answer is its headers.
    const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name, clean(value)]));
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    return { content: [{ type: 'text', text: [`HTTP ${status}`, ...lines].join('\n') }], structuredContent: { status, headers } };
  }
  if (response.body.length === 0) {
    return { content: [{ type: 'text', text: `HTTP ${status} (no content)` }], structuredContent: { status } };
  }
  if (kind === 'json') return jsonResult(response, options, clean);
  if (kind === 'text') {
    const text = response.body.toString('utf8');
    const note = response.truncated
      ? `\n[truncated: the answer is larger than max_response_size (${options.maxResponseSize} bytes); only its beginning is shown — narrow the request]`
      : '';
    return { content: [{ type: 'text', text: `${clean(text)}${note}` }], structuredContent: { status, truncated: response.truncated } };
  }
  if (response.truncated) return tooLarge(options);
  const mimeType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim() || 'application/octet-stream';
  return {
    content: [
      { type: 'text', text: `HTTP ${status}: ${response.body.length} bytes of ${mimeType}` },
      { type: 'resource', resource: { uri: response.url.href, mimeType, blob: response.body.toString('base64') } },
    ],
    structuredContent: { status, mimeType, bytes: response.body.length },
  };
}

function jsonResult(response: HttpResponse, options: ResultOptions, clean: (text: string) => string): ToolResult {
  if (response.truncated) return tooLarge(options);
  let parsed: unknown;
  const text = response.body.toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(
      'BACKEND_ERROR',
      `${options.label} answered HTTP ${response.status} with Content-Type ${response.headers.get('content-type')}, but the body is not valid JSON (${(error as Error).message}); it begins: ${clean(text.slice(0, 200))}`,
      { service: options.service, data: { status: response.status } },
    );
  }
  let value = parsed;
  if (options.select !== undefined) {
    const picked = selectValue(parsed, options.select);
    if (!picked.found) {
      return {
        isError: true,
        content: [{ type: 'text', text: `[${options.service}] ${options.label} answered, but the answer has nothing at ${picked.at} (select: ${options.select}); it begins: ${clean(text.slice(0, 300))}` }],
        structuredContent: { status: response.status },
      };
    }
    value = picked.value;
  }
  const shown = clean(JSON.stringify(value, null, 2) ?? 'null');
  let body: unknown = value;
  if (shown.includes('[REDACTED]')) {
    try {
      body = JSON.parse(clean(JSON.stringify(value)));
    } catch {
      body = shown;
    }
  }
  return { content: [{ type: 'text', text: shown }], structuredContent: { status: response.status, body } };
}

function tooLarge(options: ResultOptions): ToolResult {
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `[${options.service}] the answer to ${options.label} is larger than max_response_size (${options.maxResponseSize} bytes); reading stopped there — narrow the request (filters, paging) or raise max_response_size`,
      },
    ],
  };
}

type BodyKind = 'json' | 'text' | 'binary';

/** JSON by Content-Type; text by Content-Type, or by content when the type is missing; else binary. */
export function bodyKind(contentType: string | null, body: Buffer): BodyKind {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (
    type.startsWith('text/') ||
    type.endsWith('+xml') ||
    ['application/xml', 'application/javascript', 'application/x-www-form-urlencoded', 'application/yaml', 'application/x-yaml', 'application/graphql'].includes(type)
  ) {
    return 'text';
  }
  if (type === '') return looksLikeText(body) ? 'text' : 'binary';
  return 'binary';
}

function looksLikeText(body: Buffer): boolean {
  const sample = body.subarray(0, 4096);
  if (sample.includes(0)) return false;
  return !sample.toString('utf8').includes('\uFFFD');
}

function excerpt(response: HttpResponse, kind: BodyKind): string {
  if (response.body.length === 0) return '(empty body)';
  if (kind === 'binary') return `(${response.body.length} bytes of ${response.headers.get('content-type') ?? 'binary data'})`;
  const text = response.body.toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
