import { duration, size, z } from '../../sdk/index.js';

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header values may not carry line breaks or NUL: they would split the request. */
const HEADER_VALUE = /^[^\r\n\0]*$/;

const HEADER_NAME_MESSAGE = 'is not a valid HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)';
/** Headers a caller, a parameter or a document may never set: they carry credentials or frame the request. */
export const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'te',
  'upgrade',
  'trailer',
]);

export const headerName = () => z.string().regex(HEADER_NAME, HEADER_NAME_MESSAGE);
export const headerValue = () => z.string().regex(HEADER_VALUE, 'may not contain line breaks or NUL characters');

/** A map of header name → value; a bad name is reported at its own key (zod's record keys say only "Invalid key"). */
export const headerMap = () =>
  z.record(z.string(), headerValue()).superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" ${HEADER_NAME_MESSAGE}` });
    }
  });

/**
 * How the service authenticates to the API. Put the secret itself in a reference
 * (`${file:/run/secrets/api_token}` or `${API_TOKEN}`): it is redacted from logs and never echoed
 * in results or errors.
 *
 * @example { type: 'bearer', token: '${file:/run/secrets/api_token}' }
 */
export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('bearer'),
    token: headerValue().min(1).describe('The bearer token (sent as Authorization: Bearer <token>)'),
  }),
  z.strictObject({
    type: z.literal('basic'),
    username: headerValue().describe('User name for HTTP Basic authentication'),
    password: headerValue().describe('Password for HTTP Basic authentication'),
  }),
  z.strictObject({
    type: z.literal('api_key'),
    in: z.enum(['header', 'query']).default('header').describe('Where the key goes: a request header or a query parameter'),
    name: z.string().min(1).describe('The header or query parameter name, e.g. X-API-Key or api_key'),
    value: headerValue().min(1).describe('The key itself'),
  }),
]);

export type AuthConfig = z.output<typeof authSchema>;

const retrySchema = z.strictObject({
  max: z.number().int().min(0).max(10).default(2).describe('Retries after the first attempt (idempotent methods only: GET, HEAD, PUT, DELETE, OPTIONS)'),
  initial_delay: duration().default(200).describe('First backoff delay; it doubles on each retry, with random jitter'),
  max_delay: duration().default(5_000).describe('Longest backoff delay'),
  max_retry_after: duration().default(30_000).describe('Longest Retry-After the service honours; a longer one ends the retries'),
});

const rateLimitSchema = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000).describe('Requests allowed per period'),
  per: duration().default(1_000).describe('The period, e.g. 1s or 1m'),
  burst: z.number().int().min(1).max(1_000_000).optional().describe('Requests allowed at once after a quiet spell (default: requests)'),
  max_wait: duration().default(10_000).describe('How long a call may wait for its turn; beyond it the call fails at once (0: never wait)'),
});

/**
 * The settings every HTTP-based service type shares (rest, openapi): auth, headers, timeouts, retries,
 * cache, rate limit, response and redirect limits. Each type adds its own keys.
 */
export const httpClientShape = {
  headers: headerMap().default({}).describe('Headers sent with every request (User-Agent, Accept, …)'),
  auth: authSchema.optional().describe('How to authenticate: bearer, basic or api_key (header or query)'),
  timeout: duration().optional().describe('How long one HTTP request may take (default: the service timeout)'),
  cache_ttl: duration().default(0).describe('Keep successful GET responses this long and answer repeated GETs from memory (0: no cache)'),
  cache_max_entries: z.number().int().min(1).max(100_000).default(500).describe('Most responses the cache keeps; the least recently used go first'),
  cache_max_size: size().default(50_000_000).describe('Most bytes the cache keeps in memory'),
  retries: retrySchema.default({ max: 2, initial_delay: 200, max_delay: 5_000, max_retry_after: 30_000 }),
  rate_limit: rateLimitSchema.optional().describe('Requests per period this service sends, shared by all its calls (a token bucket)'),
  max_response_size: size().default(1_000_000).describe('Largest response body read; reading stops there'),
  max_redirects: z.number().int().min(0).max(20).default(5).describe('Redirects followed per request (0: none)'),
  redirect_origins: z
    .array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin))
    .default([])
    .describe('Other origins (scheme://host:port) redirects may lead to; credentials are never sent there'),
};

export interface HttpClientConfig {
  readonly headers: Readonly<Record<string, string>>;
  readonly auth?: AuthConfig | undefined;
  readonly timeout?: number | undefined;
  readonly cache_ttl: number;
  readonly cache_max_entries: number;
  readonly cache_max_size: number;
  readonly retries: { readonly max: number; readonly initial_delay: number; readonly max_delay: number; readonly max_retry_after: number };
  readonly rate_limit?: { readonly requests: number; readonly per: number; readonly burst?: number | undefined; readonly max_wait: number } | undefined;
  readonly max_response_size: number;
  readonly max_redirects: number;
  readonly redirect_origins: readonly string[];
}
