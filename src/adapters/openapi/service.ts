import { fromJsonSchema } from '@modelcontextprotocol/server';
import { GatewayError } from '../../sdk/errors.js';
import type { HealthReport, ServiceContext, ServiceInstance, ToolDefinition } from '../../sdk/service-type.js';
import { baseUrl } from '../http-client/confined-url.js';
import { NO_CREDENTIALS } from '../http-client/credentials.js';
import { HttpClient } from '../http-client/http-client.js';
import { methodAnnotations } from '../http-client/method-annotations.js';
import { buildRequest } from '../http-client/request-builder.js';
import { callHttpTool } from '../http-client/tool-call.js';
import type { OpenapiConfig } from './config.js';
import { loadDocument } from './document.js';
import { SchemaConverter } from './json-schema.js';
import { isServed } from './operation-filter.js';
import { extractOperations, type Operation } from './operations.js';
import { isRecord, UnsupportedReference } from './refs.js';
import { credentialsForOperation, schemeTable, type SchemeTable } from './security.js';
import { watchSpec } from './spec-watcher.js';

type SchemaProperties = ToolDefinition['inputSchema'];

/** A document read and turned into tools, not yet in service. */
interface DocumentRead {
  readonly tools: readonly ToolDefinition[];
  readonly client: HttpClient;
  readonly base: URL;
  /** Equal signatures mean the same tools: a refresh that finds one changes nothing. */
  readonly signature: string;
  readonly summary: { readonly fields: Record<string, unknown>; readonly message: string };
}

/**
 * An OpenAPI document as a gateway service. Its tools are known only once the document is read, so the
 * type is eager: `start` loads the document (file or URL), builds one tool per served operation, and
 * tells the gateway its tool list changed. A spec file is watched (`watch:`), a spec URL re-fetched
 * every `refresh_interval`; a changed document replaces the tools, a broken one is ignored. A document with a problem that makes it unusable (not
 * OpenAPI 3, an external `$ref` in a served operation, credentials for schemes it does not have) fails
 * the start with a message naming the problem.
 */
export class OpenapiService implements ServiceInstance {
  readonly #ctx: ServiceContext<OpenapiConfig>;
  #tools: readonly ToolDefinition[] = [];
  #client: HttpClient | undefined;
  #base: URL | undefined;
  #signature = '';
  #stopped = false;
  #refreshing: Promise<void> = Promise.resolve();
  #stopWatching: (() => void) | undefined;

  constructor(ctx: ServiceContext<OpenapiConfig>) {
    this.#ctx = ctx;
  }

  tools(): readonly ToolDefinition[] {
    return this.#tools;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#stopped = false;
    this.#apply(await this.#read(signal));
    this.#stopWatching?.();
    this.#stopWatching = watchSpec({
      spec: this.#ctx.config.spec,
      baseDir: this.#ctx.configDir,
      watch: this.#ctx.config.watch,
      refreshMs: this.#ctx.config.refresh_interval,
      onChange: () => void this.#refresh(),
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    this.#client?.clearCache();
  }

  /**
   * Reads the document again (it changed on disk, or the refresh interval passed). A new document that
   * cannot be served is logged and ignored: the service keeps the tools it has.
   */
  #refresh(): Promise<void> {
    // One re-read at a time, in order: the last change is the one that sticks.
    this.#refreshing = this.#refreshing.then(() => this.#refreshNow());
    return this.#refreshing;
  }

  async #refreshNow(): Promise<void> {
    const { config, logger } = this.#ctx;
    if (this.#stopped) return;
    try {
      const read = await this.#read(AbortSignal.timeout(config.spec_timeout));
      if (read.signature === this.#signature || this.#stopped) return;
      this.#apply(read);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, `${config.spec} changed, but the new version cannot be served; keeping the previous tools: ${(error as Error).message}`);
    }
  }

  #apply(read: DocumentRead): void {
    this.#client?.clearCache();
    this.#client = read.client;
    this.#base = read.base;
    this.#tools = read.tools;
    this.#signature = read.signature;
    this.#ctx.logger.info(read.summary.fields, read.summary.message);
    this.#ctx.listChanged('tools');
  }

  /** Loads the document and builds its tools, changing nothing yet. */
  async #read(signal: AbortSignal): Promise<DocumentRead> {
    const { config, name, logger } = this.#ctx;
    const loaded = await loadDocument(config.spec, { service: name, timeoutMs: config.spec_timeout, maxBytes: config.max_spec_size, signal, cwd: this.#ctx.configDir });
    const { document } = loaded;
    const startFailed = (message: string) => new GatewayError('SERVICE_START_FAILED', message, { service: name });
    const base = this.#serverUrl(document, loaded.source);
    const table = schemeTable(document, config.credentials, { service: name, base, timeoutMs: config.timeout ?? this.#ctx.timeoutMs });
    if (table.problems.length > 0) throw startFailed(`the credentials do not match the OpenAPI document ${config.spec}: ${table.problems.join('; ')}`);
    const converter = new SchemaConverter(document, loaded.version);
    let extracted: ReturnType<typeof extractOperations>;
    try {
      extracted = extractOperations(document, converter);
    } catch (error) {
      // A broken path item (not one operation) spoils the whole document.
      if (error instanceof UnsupportedReference) throw startFailed(`${config.spec}: ${error.message}`);
      throw error;
    }
    const served = extracted.operations.filter((operation) => isServed(operation, config.include, config.exclude));
    const skipped = extracted.skipped.filter((skip) => isServed(skip.identity, config.include, config.exclude));
    const broken = skipped.filter((skip) => skip.broken);
    if (broken.length > 0) {
      throw startFailed(
        `${config.spec} cannot be served: ${broken.map((skip) => `${skip.operation}: ${skip.reason}`).join('; ')} — fix the document, or leave the operation out with exclude: ["${broken[0]!.identity.operationId ?? `${broken[0]!.identity.method} ${broken[0]!.identity.path}`}"]`,
      );
    }
    for (const skip of skipped) logger.warn({ operation: skip.operation }, `${config.spec}: ${skip.operation} is not served: ${skip.reason}`);
    const client = new HttpClient({ service: name, config, origin: base.origin, credentials: NO_CREDENTIALS, secrets: () => table.secrets(), timeoutMs: this.#ctx.timeoutMs, logger });
    const tools = served.filter((operation) => this.#compiles(operation)).map((operation) => this.#tool(operation, base, client, table));
    return {
      tools,
      client,
      base,
      signature: JSON.stringify([base.href, tools.map((tool) => [tool.name, tool.description, tool.inputSchema, tool.annotations])]),
      summary: {
        fields: { operations: extracted.operations.length, served: served.length, skipped: extracted.skipped.length, base: base.href, openapi: loaded.version },
        message: `read OpenAPI ${loaded.version} document ${config.spec}: ${served.length} of ${extracted.operations.length} operations served, requests go to ${base.href}`,
      },
    };
  }

  async health(signal: AbortSignal): Promise<HealthReport> {
    if (!this.#base) return { healthy: true, detail: 'document not read yet' };
    const response = await fetch(this.#base, { method: 'HEAD', redirect: 'manual', signal });
    await response.body?.cancel().catch(() => {});
    return { healthy: response.status < 500, detail: `${this.#base.origin} answered HTTP ${response.status}; ${this.#tools.length} operations served` };
  }

  /**
   * Whether the gateway can validate arguments against the operation's input schema: a document with a
   * schema JSON Schema rejects (`type: strin`) loses that operation, with a warning, not the service.
   */
  #compiles(operation: Operation): boolean {
    try {
      fromJsonSchema(operation.inputSchema as Parameters<typeof fromJsonSchema>[0]);
      return true;
    } catch (error) {
      this.#ctx.logger.warn(
        { operation: `${operation.method} ${operation.path}` },
        `${this.#ctx.config.spec}: ${operation.method} ${operation.path} is not served: its input schema is not valid JSON Schema (${(error as Error).message})`,
      );
      return false;
    }
  }

  /** base_url from config, else the document's first server (variables at their defaults; relative to where it was fetched). */
  #serverUrl(document: Record<string, unknown>, source: URL): URL {
    const { config, name } = this.#ctx;
    if (config.base_url !== undefined) return baseUrl(config.base_url);
    const server = Array.isArray(document.servers) ? document.servers.find(isRecord) : undefined;
    const fail = (why: string) =>
      new GatewayError('SERVICE_START_FAILED', `${config.spec}: ${why} — set base_url: to the API's root URL`, { service: name });
    if (!server || typeof server.url !== 'string') throw fail('the document names no server');
    const variables = isRecord(server.variables) ? server.variables : {};
    const url = server.url.replace(/\{([^{}]+)\}/g, (_, variable: string) => {
      const spec = variables[variable];
      return isRecord(spec) && spec.default !== undefined ? String(spec.default) : `{${variable}}`;
    });
    if (url.includes('{')) throw fail(`its server URL ${server.url} has a variable without a default`);
    let resolved: URL;
    try {
      resolved = source.protocol === 'file:' ? new URL(url) : new URL(url, source);
    } catch {
      throw fail(`its server URL ${server.url} is relative, and the document was read from a file`);
    }
    if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') throw fail(`its server URL ${server.url} is not http(s)`);
    return baseUrl(resolved.href);
  }

  #tool(operation: Operation, base: URL, client: HttpClient, table: SchemeTable): ToolDefinition {
    const { name: service, config } = this.#ctx;
    const auth = credentialsForOperation(operation.security, table);
    const shape = { method: operation.method, path: operation.path, parameters: operation.placements, bodyArgument: operation.bodyArgument, bodyType: operation.bodyType };
    const annotations = methodAnnotations(operation.method);
    return {
      name: operation.name,
      description: operation.description,
      inputSchema: operation.inputSchema as SchemaProperties,
      annotations,
      call: async (args, ctx) => {
        if ('missing' in auth) {
          return {
            isError: true,
            content: [
              {
                type: 'text',
                text: `[${service}] ${operation.name} (${operation.method} ${operation.path}) needs credentials for the security scheme ${auth.missing.join(' or ')}, and none are configured — add credentials: { ${auth.missing[0]}: { … } } to the service; nothing was sent`,
              },
            ],
          };
        }
        const credentials = await auth.credentials(ctx.signal);
        const result = await callHttpTool(
          {
            service,
            tool: operation.name,
            client,
            maxResponseSize: config.max_response_size,
            build: () => ({ ...buildRequest(base, shape, args), credentials }),
          },
          ctx,
        );
        // A refused token may have been revoked before it expired: the next call fetches a new one.
        if ((result.structuredContent as { status?: unknown } | undefined)?.status === 401) for (const source of auth.sources) source.invalidate();
        return result;
      },
    };
  }
}
