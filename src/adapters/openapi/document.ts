import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { GatewayError } from '../../sdk/errors.js';
import { readCapped } from '../http-client/capped-body.js';

/** A parsed OpenAPI document and where it came from (a relative server URL resolves against a fetched one). */
export interface LoadedDocument {
  readonly document: Record<string, unknown>;
  readonly version: '3.0' | '3.1';
  /** The URL it was fetched from, or a file: URL. */
  readonly source: URL;
}

/**
 * Reads the document from a file (relative to `cwd`: the config file's folder) or fetches it from an http(s) URL, bounded in time
 * and size, parses JSON or YAML, and checks it is OpenAPI 3.0 or 3.1 with `paths`.
 *
 * @example const { document } = await loadDocument('test/fixtures/openapi/petstore.yaml', { service: 'pets', ... });
 */
export async function loadDocument(
  spec: string,
  options: { service: string; timeoutMs: number; maxBytes: number; signal: AbortSignal; cwd?: string | undefined },
): Promise<LoadedDocument> {
  const { service } = options;
  const fail = (message: string, cause?: unknown) => new GatewayError('SERVICE_START_FAILED', message, { service, cause });
  let text: string;
  let source: URL;
  if (/^https?:\/\//i.test(spec)) {
    source = new URL(spec);
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(source, { signal, headers: { accept: 'application/yaml, application/json;q=0.9, */*;q=0.5' } });
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      throw new GatewayError('BACKEND_UNREACHABLE', `cannot fetch the OpenAPI document ${spec}: ${describe(error)} — check spec: and that the server is up`, { service, cause: error });
    }
    const body = await readCapped(response.body, options.maxBytes).catch((error: unknown) => {
      throw fail(`reading the OpenAPI document ${spec} failed: ${describe(error)}`, error);
    });
    if (!response.ok) throw fail(`fetching the OpenAPI document ${spec} answered HTTP ${response.status}`);
    if (body.truncated) throw fail(`the OpenAPI document ${spec} is larger than max_spec_size (${options.maxBytes} bytes)`);
    text = body.bytes.toString('utf8');
  } else {
    const path = resolve(options.cwd ?? process.cwd(), spec);
    source = new URL(`file://${path}`);
    try {
      const bytes = await readFile(path);
      if (bytes.length > options.maxBytes) throw fail(`the OpenAPI document ${path} is larger than max_spec_size (${options.maxBytes} bytes)`);
      text = bytes.toString('utf8');
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw fail(`cannot read the OpenAPI document ${path} (${(error as NodeJS.ErrnoException).code ?? describe(error)}) — check spec: (a relative path resolves against the config file's folder)`, error);
    }
  }
  let document: unknown;
  try {
    document = /^\s*[{[]/.test(text) ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw fail(`the OpenAPI document ${spec} is neither valid JSON nor valid YAML: ${describe(error)}`, error);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw fail(`the OpenAPI document ${spec} is not an object`);
  const record = document as Record<string, unknown>;
  if (typeof record.swagger === 'string') {
    throw fail(`${spec} is a Swagger ${record.swagger} document; only OpenAPI 3.0 and 3.1 are supported — convert it (for example with swagger2openapi)`);
  }
  const version = typeof record.openapi === 'string' ? /^3\.(0|1)\.\d+/.exec(record.openapi)?.[1] : undefined;
  if (version === undefined) {
    throw fail(`${spec} is not an OpenAPI 3.0 or 3.1 document (its "openapi" field is ${JSON.stringify(record.openapi ?? null)})`);
  }
  if (record.paths !== undefined && (record.paths === null || typeof record.paths !== 'object')) throw fail(`${spec}: "paths" must be an object`);
  return { document: record, version: version === '0' ? '3.0' : '3.1', source };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.message ? `${message}: ${cause.message}` : message;
}
