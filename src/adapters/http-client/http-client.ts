import { GatewayError } from '../../sdk/errors.js';
import type { Logger } from '../../sdk/logger.js';
import { backoffMs, isIdempotent, isRetryableStatus, retryAfterMs, sleep } from './backoff.js';
import { readCapped } from './capped-body.js';
import type { HttpClientConfig } from './config.js';
import { type Credentials, scrub } from './credentials.js';
import { mayStore, ResponseCache } from './response-cache.js';
import { RateLimitExceeded, TokenBucket } from './token-bucket.js';

/** One request as a tool builds it: the URL is already confined to the service's base; no credentials yet. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** Lower-case names. Credentials are added by the client, never by the caller. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | undefined;
  /** Credentials of this request, instead of the client's default (an OpenAPI operation's security scheme). */
  readonly credentials?: Credentials | undefined;
}

/** A response, read (up to the size cap) and ready to turn into a tool result. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  /** The body was longer than `max_response_size`; `body` holds its first bytes. */
  readonly truncated: boolean;
  /** The URL that answered (after redirects), without credentials. */
  readonly url: URL;
  readonly fromCache: boolean;
  readonly attempts: number;
}

export interface HttpClientOptions {
  /** The service name, for messages. */
  readonly service: string;
  readonly config: HttpClientConfig;
  /** The origin credentials belong to (scheme://host:port of base_url). */
  readonly origin: string;
  readonly credentials: Credentials;
  /**
   * More secrets to scrub from what is shown (credentials requests bring along). A function, read each
   * time: secrets obtained later (an OAuth access token) are scrubbed too.
   */
  readonly secrets?: (() => readonly string[]) | undefined;
  /** Default per-request timeout when the config sets none: the service's call timeout. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Called before each retry, so a tool can report progress while it waits. */
export type RetryListener = (info: { attempt: number; of: number; delayMs: number; reason: string }) => void;

/** A failed attempt: retried when the method is idempotent and retries are left. */
class AttemptFailed extends Error {
  constructor(
    readonly failure: GatewayError,
    readonly retryable: boolean,
  ) {
    super(failure.message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The HTTP layer the rest and openapi service types share, built on Node's fetch (undici). Per request:
 * the response cache (GET), the service's rate limit, a timeout per attempt, retries with backoff for
 * idempotent methods (honouring Retry-After), redirects followed by hand (bounded, loop-checked, kept
 * on the base origin unless `redirect_origins` allows another — which never sees the credentials), and
 * a body read up to `max_response_size`. Failures are GatewayErrors naming the service and the request,
 * with every credential scrubbed.
 *
 * @example const response = await client.send({ method: 'GET', url, headers: {} }, ctx.signal);
 */
export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #cache: ResponseCache | undefined;
  readonly #bucket: TokenBucket | undefined;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    const { config } = options;
    if (config.cache_ttl > 0) {
      this.#cache = new ResponseCache({ ttlMs: config.cache_ttl, maxEntries: config.cache_max_entries, maxBytes: config.cache_max_size });
    }
    if (config.rate_limit) {
      const limit = config.rate_limit;
      this.#bucket = new TokenBucket({ requests: limit.requests, perMs: limit.per, burst: limit.burst, maxWaitMs: limit.max_wait });
    }
  }

  /** The secrets to scrub from anything shown: the credentials' values. */
  get secrets(): readonly string[] {
    const more = this.#options.secrets?.() ?? [];
    return more.length === 0 ? this.#options.credentials.secrets : [...this.#options.credentials.secrets, ...more];
  }

  /** Drops every cached response (the service stopped or its config changed). */
  clearCache(): void {
    this.#cache?.clear();
  }

  async send(request: OutgoingRequest, signal: AbortSignal, onRetry?: RetryListener): Promise<HttpResponse> {
    const method = request.method.toUpperCase();
    const cacheKey = this.#cache && method === 'GET' ? cacheKeyOf(request) : undefined;
    if (cacheKey !== undefined) {
      const hit = this.#cache!.get(cacheKey);
      if (hit) {
        this.#options.logger.debug({ status: hit.status }, `${method} ${this.#label(request.url)} answered from the cache`);
        return { status: hit.status, headers: new Headers(hit.headers.map(([name, value]) => [name, value])), body: hit.body, truncated: false, url: new URL(hit.url), fromCache: true, attempts: 0 };
      }
    }
    const { retries } = this.#options.config;
    const attempts = isIdempotent(method) ? retries.max + 1 : 1;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.#followRedirects({ ...request, method }, signal, attempt);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (!(error instanceof AttemptFailed)) throw error;
        if (!error.retryable || attempt >= attempts) throw error.failure;
        const delayMs = backoffMs(attempt - 1, retries.initial_delay, retries.max_delay);
        this.#retrying(request, attempt, attempts, delayMs, error.failure.message, onRetry);
        await sleep(delayMs, signal);
        continue;
      }
      if (isRetryableStatus(response.status) && attempt < attempts) {
        const asked = retryAfterMs(response.headers.get('retry-after'));
        if (asked !== undefined && asked > retries.max_retry_after) {
          this.#options.logger.warn(
            { status: response.status, retryAfterMs: asked, limitMs: retries.max_retry_after },
            `${method} ${this.#label(request.url)} answered ${response.status} asking to retry after ${Math.ceil(asked / 1000)} s, more than retries.max_retry_after: not retried`,
          );
          return response;
        }
        const delayMs = asked ?? backoffMs(attempt - 1, retries.initial_delay, retries.max_delay);
        this.#retrying(request, attempt, attempts, delayMs, `HTTP ${response.status}`, onRetry);
        await sleep(delayMs, signal);
        continue;
      }
      if (cacheKey !== undefined && response.status >= 200 && response.status < 300 && !response.truncated && mayStore(response.headers)) {
        this.#cache!.set(cacheKey, { status: response.status, headers: [...response.headers], body: response.body, url: response.url.href });
      }
      this.#options.logger.debug(
        { status: response.status, attempts: attempt, ms: Date.now() - started, bytes: response.body.length, truncated: response.truncated },
        `${method} ${this.#label(request.url)} answered HTTP ${response.status}`,
      );
      return response;
    }
  }

  #retrying(request: OutgoingRequest, attempt: number, of: number, delayMs: number, reason: string, onRetry?: RetryListener) {
    this.#options.logger.warn(
      { attempt, of, delayMs },
      `${request.method} ${this.#label(request.url)} failed (${this.#scrub(reason)}); retry ${attempt} of ${of - 1} in ${delayMs} ms`,
    );
    onRetry?.({ attempt, of, delayMs, reason: this.#scrub(reason) });
  }

  async #followRedirects(request: OutgoingRequest, signal: AbortSignal, attempt: number): Promise<HttpResponse> {
    const { config, service } = this.#options;
    let current = request;
    const visited = [request.url.href];
    for (let hop = 0; ; hop++) {
      const outcome = await this.#fetchOnce(current, signal, attempt);
      if (!('location' in outcome)) return outcome;
      const { status, location } = outcome;
      if (hop >= config.max_redirects) {
        throw new AttemptFailed(
          new GatewayError('BACKEND_ERROR', `${request.method} ${this.#label(request.url)} was redirected more than ${config.max_redirects} times (max_redirects); last hop to ${this.#label(location)}`, {
            service,
            data: { status },
          }),
          false,
        );
      }
      if (location.origin !== this.#options.origin && !config.redirect_origins.includes(location.origin)) {
        throw new AttemptFailed(
          new GatewayError(
            'BACKEND_ERROR',
            `${request.method} ${this.#label(current.url)} was redirected (${status}) to another origin, ${location.origin}, which is not followed — add it to redirect_origins if it is trusted (credentials are never sent there)`,
            { service, data: { status } },
          ),
          false,
        );
      }
      if (visited.includes(location.href)) {
        throw new AttemptFailed(
          new GatewayError('BACKEND_ERROR', `${request.method} ${this.#label(request.url)} runs into a redirect loop (${[...visited, location.href].map((href) => this.#label(new URL(href))).join(' → ')})`, {
            service,
            data: { status },
          }),
          false,
        );
      }
      visited.push(location.href);
      // 303 always, and 301/302 after a POST, continue as a GET without the body (what browsers and curl do).
      const toGet = (status === 303 && current.method !== 'HEAD') || ((status === 301 || status === 302) && current.method === 'POST');
      const headers = { ...current.headers };
      if (toGet) {
        delete headers['content-type'];
        delete headers['content-length'];
      }
      current = { method: toGet ? 'GET' : current.method, url: location, headers, body: toGet ? undefined : current.body, credentials: current.credentials };
    }
  }

  /** One HTTP exchange: a response read up to the cap, or the target of a redirect. */
  async #fetchOnce(request: OutgoingRequest, signal: AbortSignal, attempt: number): Promise<HttpResponse | { status: number; location: URL }> {
    const { config, service } = this.#options;
    const credentials = request.credentials ?? this.#options.credentials;
    if (this.#bucket) {
      try {
        await this.#bucket.take(signal);
      } catch (error) {
        if (!(error instanceof RateLimitExceeded)) throw error;
        const limit = config.rate_limit!;
        throw new GatewayError(
          'RATE_LIMITED',
          `rate limit of ${limit.requests} requests per ${limit.per} ms reached (rate_limit); the next slot is free in ${Math.ceil(error.waitMs)} ms, more than rate_limit.max_wait (${limit.max_wait} ms) — retry later`,
          { service, retryAfterMs: Math.ceil(error.waitMs) },
        );
      }
    }
    const timeoutMs = config.timeout ?? this.#options.timeoutMs;
    const timer = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timer]);
    const own = request.url.origin === this.#options.origin;
    const target = new URL(request.url);
    if (own) for (const [name, value] of Object.entries(credentials.query)) target.searchParams.set(name, value);
    const headers: Record<string, string> = { ...lowerKeys(config.headers), ...request.headers, ...(own ? credentials.headers : {}) };
    const label = `${request.method} ${this.#label(request.url)}`;
    const timedOut = () =>
      new AttemptFailed(
        new GatewayError('CALL_TIMEOUT', `${label} got no complete answer within ${timeoutMs} ms (timeout of the service) — the API is slow or hanging; raise timeout: if it is legitimately slow`, {
          service,
          data: { timeoutMs },
        }),
        true,
      );
    let response: Response;
    try {
      response = await fetch(target, { method: request.method, headers, body: request.body, redirect: 'manual', signal: combined });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (timer.aborted) throw timedOut();
      if (causeText(error) === 'bad port') {
        throw new AttemptFailed(
          new GatewayError('BACKEND_UNREACHABLE', `cannot send ${label}: port ${target.port} is one the fetch standard blocks (Node's HTTP client refuses it) — serve the API on another port`, {
            service,
            cause: error,
          }),
          false,
        );
      }
      throw new AttemptFailed(
        new GatewayError('BACKEND_UNREACHABLE', `cannot reach ${request.url.origin} for ${label}: ${this.#scrub(causeText(error))} — check base_url and that the API is up`, {
          service,
          cause: error,
        }),
        true,
      );
    }
    const location = response.headers.get('location');
    if (REDIRECTS.has(response.status) && location !== null) {
      await response.body?.cancel().catch(() => {});
      let next: URL;
      try {
        next = new URL(location, target);
      } catch {
        throw new AttemptFailed(new GatewayError('BACKEND_ERROR', `${label} was redirected to an unreadable Location header`, { service }), false);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new AttemptFailed(new GatewayError('BACKEND_ERROR', `${label} was redirected to a ${next.protocol} URL, which is never followed`, { service }), false);
      }
      // Credentials we put in the query must not travel on: a server that echoes the URL back would leak them.
      for (const name of Object.keys(credentials.query)) if (own && next.searchParams.get(name) === credentials.query[name]) next.searchParams.delete(name);
      next.hash = '';
      if (config.max_redirects === 0) {
        throw new AttemptFailed(
          new GatewayError('BACKEND_ERROR', `${label} was redirected (${response.status}) to ${this.#label(next)}, and max_redirects is 0`, { service, data: { status: response.status } }),
          false,
        );
      }
      return { status: response.status, location: next };
    }
    try {
      const { bytes, truncated } = await readCapped(response.body, config.max_response_size);
      return { status: response.status, headers: response.headers, body: bytes, truncated, url: request.url, fromCache: false, attempts: attempt };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (timer.aborted) throw timedOut();
      throw new AttemptFailed(
        new GatewayError('BACKEND_ERROR', `the connection broke while reading the answer to ${label} (HTTP ${response.status}): ${this.#scrub(causeText(error))}`, {
          service,
          cause: error,
        }),
        true,
      );
    }
  }

  /** How a URL appears in messages: origin and path, query parameters credentials added never included. */
  #label(url: URL): string {
    return this.#scrub(`${url.origin}${url.pathname}${url.search}`);
  }

  #scrub(text: string): string {
    return scrub(text, this.secrets);
  }
}

/**
 * Full URL plus every request header: a different Accept or Accept-Language is a different answer. The
 * names (never the values) of per-request credentials count too: another scheme may see other data.
 */
function cacheKeyOf(request: OutgoingRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  const credentials = request.credentials ? [...Object.keys(request.credentials.headers), ...Object.keys(request.credentials.query)].sort().join(',') : '';
  return `${request.url.href}\n${headers.join('\n')}\n${credentials}`;
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** The innermost useful description of a fetch failure: undici wraps the socket error in `cause`. */
function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    const text = typeof code === 'string' && !current.message.includes(code) ? `${current.message} (${code})` : current.message;
    if (text && !['fetch failed', 'terminated'].includes(text)) parts.push(text);
    current = current.cause;
  }
  return parts.join(': ') || (error instanceof Error ? error.message : String(error));
}

