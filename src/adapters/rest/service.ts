import type { HealthReport, ServiceContext, ServiceInstance, ToolDefinition } from '../../sdk/service-type.js';
import { baseUrl } from '../http-client/confined-url.js';
import { credentialsOf } from '../http-client/credentials.js';
import { HttpClient } from '../http-client/http-client.js';
import type { RestConfig } from './config.js';
import { DEFAULT_ALLOWED_HEADERS } from './config.js';
import { endpointTool } from './endpoint-tool.js';
import { requestTool } from './request-tool.js';

/**
 * One HTTP API as a gateway service. Its tools come from config alone (no I/O to list them): one per
 * declared endpoint, and the generic `request` tool when no endpoints are declared (or when
 * `request.enabled: true`). Nothing to connect: the first call sends the first request.
 */
export class RestService implements ServiceInstance {
  readonly #client: HttpClient;
  readonly #tools: readonly ToolDefinition[];
  readonly #base: URL;

  constructor(ctx: ServiceContext<RestConfig>) {
    const { config } = ctx;
    this.#base = baseUrl(config.base_url);
    const credentials = credentialsOf(config.auth);
    this.#client = new HttpClient({ service: ctx.name, config, origin: this.#base.origin, credentials, timeoutMs: ctx.timeoutMs, logger: ctx.logger });
    const common = { service: ctx.name, base: this.#base, client: this.#client, maxResponseSize: config.max_response_size };
    const tools: ToolDefinition[] = Object.entries(config.endpoints).map(([name, endpoint]) => endpointTool({ ...common, name, endpoint }));
    if (config.request?.enabled ?? Object.keys(config.endpoints).length === 0) {
      tools.push(
        requestTool({
          ...common,
          methods: config.request?.methods ?? ['GET', 'HEAD'],
          allowedHeaders: [...DEFAULT_ALLOWED_HEADERS, ...(config.request?.allowed_headers ?? []).map((name) => name.toLowerCase())],
          credentialHeaders: Object.keys(credentials.headers),
        }),
      );
    }
    this.#tools = tools;
  }

  tools(): readonly ToolDefinition[] {
    return this.#tools;
  }

  async stop(): Promise<void> {
    this.#client.clearCache();
  }

  /** Reachability: any HTTP answer from base_url (even 404) means the API is up; no credentials are sent. */
  async health(signal: AbortSignal): Promise<HealthReport> {
    const response = await fetch(this.#base, { method: 'HEAD', redirect: 'manual', signal });
    await response.body?.cancel().catch(() => {});
    return { healthy: response.status < 500, detail: `${this.#base.origin} answered HTTP ${response.status}` };
  }
}
