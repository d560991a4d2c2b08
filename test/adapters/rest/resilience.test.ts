// The shared HTTP layer under stress, through a real gateway and the stand-in API on port 0: retries
// (idempotent only, backoff, Retry-After), timeouts and cancellation, size caps on huge and endless
// bodies, redirects (chains, loops, other origins), malformed answers, rate limit, response cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import restType from '../../../src/adapters/rest/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { startStandInApi, type StandInApi } from '../../fixtures/http/stand-in-api.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';

const TOKEN = 'resilience-token-77c1e0';
const FAST_RETRIES = 'retries: { max: 2, initial_delay: 10ms, max_delay: 40ms }';

describe('rest: retries, timeouts, limits, redirects, malformed answers, rate limit, cache', () => {
  let api: StandInApi;
  let other: StandInApi;
  let gateway: Gateway;
  const call = (tool: string, args: Record<string, unknown>, signal?: AbortSignal) => gateway.dispatcher.callTool(tool, args, scope(signal ? { signal } : {}));
  const code = (result: unknown) => (result as { _meta?: Record<string, { code?: string; retryAfterMs?: number }> })._meta?.['dev.mcpeg/error'];
  const body = (result: unknown) => (result as { structuredContent: { body: any } }).structuredContent.body;

  beforeAll(async () => {
    other = await startStandInApi();
    api = await startStandInApi({ other: other.url });
    process.env.RESILIENCE_TOKEN = TOKEN;
    const closed = await startStandInApi();
    const closedPort = new URL(closed.url).port;
    await closed.close();
    gateway = await gatewayFrom(
      `global:
  circuit_breaker: { threshold: 1000 }
services:
  api:
    driver: rest
    base_url: ${api.url}
    auth: { type: bearer, token: "\${RESILIENCE_TOKEN}" }
    ${FAST_RETRIES}
    request: { methods: [GET, HEAD, POST, PUT, DELETE] }
    max_redirects: 3
  quick:
    driver: rest
    base_url: ${api.url}
    config:
      timeout: 300ms
      retries: { max: 1, initial_delay: 10ms, max_delay: 20ms }
  small:
    driver: rest
    base_url: ${api.url}
    max_response_size: 100KB
    retries: { max: 0 }
  trusting:
    driver: rest
    base_url: ${api.url}
    auth: { type: bearer, token: "\${RESILIENCE_TOKEN}" }
    redirect_origins: [${other.url}]
  limited:
    driver: rest
    base_url: ${api.url}
    circuit_breaker: { threshold: 1 }
    rate_limit: { requests: 2, per: 1m, max_wait: 0 }
  patient:
    driver: rest
    base_url: ${api.url}
    rate_limit: { requests: 5, per: 1s, burst: 1, max_wait: 5s }
  cached:
    driver: rest
    base_url: ${api.url}
    cache_ttl: 5m
    cache_max_entries: 2
  gone:
    driver: rest
    base_url: http://127.0.0.1:${closedPort}/api
    retries: { max: 1, initial_delay: 10ms }
  blocked:
    driver: rest
    base_url: http://127.0.0.1:9/api
`,
      [restType as ServiceType<unknown>],
    );
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    await api?.close();
    await other?.close();
    delete process.env.RESILIENCE_TOKEN;
  });

  describe('retries', () => {
    it('an idempotent GET is retried through 503s until it succeeds', async () => {
      const result = await call('api__request', { path: '/flaky/get?fail=2' });
      expect(body(result)).toEqual({ ok: true, attempt: 3, method: 'GET' });
      expect(api.hits('/flaky/get')).toHaveLength(3);
    });

    it('PUT and DELETE are retried too; POST never is', async () => {
      expect(body(await call('api__request', { method: 'PUT', path: '/flaky/put?fail=1', body: { a: 1 } })).attempt).toBe(2);
      expect(body(await call('api__request', { method: 'DELETE', path: '/flaky/delete?fail=1' })).attempt).toBe(2);
      const post = await call('api__request', { method: 'POST', path: '/flaky/post?fail=1', body: { a: 1 } });
      expect(post.isError).toBe(true);
      expect(code(post)?.code).toBe('BACKEND_ERROR');
      expect(text(post)).toBe('[api] POST /flaky/post?fail=1 answered HTTP 503: {"error":"try again","attempt":1}');
      expect(api.hits('/flaky/post')).toHaveLength(1);
    });

    it('each retry is reported as progress, with the reason and the wait', async () => {
      const reports: { progress: number; total?: number; message?: string }[] = [];
      const progress = async (value: number, total?: number, message?: string) => void reports.push({ progress: value, total, message });
      const result = await gateway.dispatcher.callTool('api__request', { path: '/flaky/progress?fail=2' }, scope({ progress }));
      expect(result.isError).toBeFalsy();
      expect(reports.map((report) => [report.progress, report.total])).toEqual([
        [1, 3],
        [2, 3],
      ]);
      expect(reports[0]!.message).toMatch(/^GET \/flaky\/progress\?fail=2: HTTP 503; retry 1 of 2 in \d+ ms$/);
    });

    it('gives up after retries.max and says how many attempts were made', async () => {
      const result = await call('api__request', { path: '/flaky/always?fail=99' });
      expect(text(result)).toBe('[api] GET /flaky/always?fail=99 answered HTTP 503 after 3 attempts: {"error":"try again","attempt":3}');
      expect(api.hits('/flaky/always')).toHaveLength(3);
    });

    it('Retry-After in seconds and as an HTTP date is honoured', async () => {
      let started = Date.now();
      expect(body(await call('api__request', { path: '/flaky/ra-seconds?fail=1&retry_after=1' })).attempt).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const date = new Date(Date.now() + 2000).toUTCString();
      started = Date.now();
      expect(body(await call('api__request', { path: `/flaky/ra-date?fail=1&status=429&retry_after=${encodeURIComponent(date)}` })).attempt).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    });

    it('a Retry-After beyond retries.max_retry_after ends the retries at once; a 429 is a result naming the wait', async () => {
      const started = Date.now();
      const result = await call('api__request', { path: '/flaky/ra-long?fail=5&status=429&retry_after=3600' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(api.hits('/flaky/ra-long')).toHaveLength(1);
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('answered HTTP 429 — the API is rate-limiting this gateway; it asks to wait 3600 s');
      const unavailable = await call('api__request', { path: '/flaky/ra-long-503?fail=5&retry_after=3600' });
      expect(code(unavailable)).toEqual({ code: 'BACKEND_ERROR', retryAfterMs: 3_600_000 });
      expect(api.hits('/flaky/ra-long-503')).toHaveLength(1);
    });
  });

  describe('timeouts and cancellation', () => {
    it('a slow answer times out per attempt (config timeout), is retried, then fails with CALL_TIMEOUT', async () => {
      const result = await call('quick__request', { path: '/slow?ms=5000' });
      expect(code(result)?.code).toBe('CALL_TIMEOUT');
      expect(text(result)).toBe('[quick] GET http://127.0.0.1:' + new URL(api.url).port + '/slow?ms=5000 got no complete answer within 300 ms (timeout of the service) — the API is slow or hanging; raise timeout: if it is legitimately slow');
      expect(api.hits('/slow?ms=5000')).toHaveLength(2);
    });

    it('a body that stalls half-way times out too', async () => {
      const result = await call('quick__request', { path: '/slow-body?ms=5000' });
      expect(code(result)?.code).toBe('CALL_TIMEOUT');
    });

    it('cancelling the call aborts the HTTP request at once', async () => {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      const result = await call('api__request', { path: '/slow?ms=20000' }, controller.signal).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(code(result)?.code ?? (result as { code?: string }).code).toBe('CALL_CANCELLED');
    });
  });

  describe('size caps', () => {
    it('a JSON answer bigger than max_response_size is an error that says so; reading stopped at the cap', async () => {
      const result = await call('small__request', { path: '/huge?bytes=3000000' });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('is larger than max_response_size (100000 bytes); reading stopped there');
    });

    it('an endless chunked text body is cut at the cap and returned marked as truncated', async () => {
      const result = await call('small__request', { path: '/endless' });
      expect(result.isError).toBeFalsy();
      const shown = text(result);
      expect(shown.startsWith('y'.repeat(1000))).toBe(true);
      expect(shown).toContain('[truncated: the answer is larger than max_response_size (100000 bytes)');
      expect((result as { structuredContent: { truncated: boolean } }).structuredContent.truncated).toBe(true);
      // The gateway stopped reading and closed the connection: the server saw it go.
      await expect.poll(() => api.endlessClosed(), { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    });

    it('an endless binary body is refused rather than returned broken', async () => {
      const result = await call('small__request', { path: '/endless?type=application/octet-stream' });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('larger than max_response_size');
    });
  });

  describe('redirects', () => {
    it('follows a chain within max_redirects, keeping the credentials on the same origin', async () => {
      const result = await call('api__request', { path: '/redirect/chain/2' });
      expect(body(result).path).toBe('/echo');
      expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('refuses more than max_redirects, and loops', async () => {
      expect(text(await call('api__request', { path: '/redirect/chain/5' }))).toContain('was redirected more than 3 times (max_redirects)');
      const loop = await call('api__request', { path: '/redirect/loop-a' });
      expect(code(loop)?.code).toBe('BACKEND_ERROR');
      expect(text(loop)).toContain('runs into a redirect loop');
    });

    it('never leaves the origin unless redirect_origins allows it, and then drops the credentials', async () => {
      const before = other.requests.length;
      const refused = await call('api__request', { path: '/redirect/away' });
      expect(text(refused)).toContain(`to another origin, ${other.origin}, which is not followed — add it to redirect_origins`);
      expect(other.requests.length).toBe(before);
      const followed = await call('trusting__request', { path: '/redirect/away' });
      expect(body(followed).path).toBe('/echo');
      expect(other.requests.at(-1)!.headers.authorization).toBeUndefined();
      expect(text(await call('api__request', { path: '/redirect/scheme' }))).toContain('redirected to a file: URL, which is never followed');
    });

    it('303 turns a POST into a GET without body; 307 keeps method and body', async () => {
      const seeOther = body(await call('api__request', { method: 'POST', path: '/redirect/to-echo?status=303', body: { a: 1 } }));
      expect(seeOther).toMatchObject({ method: 'GET', body: '' });
      const temporary = body(await call('api__request', { method: 'POST', path: '/redirect/to-echo?status=307', body: { a: 1 } }));
      expect(temporary).toMatchObject({ method: 'POST', body: '{"a":1}' });
    });
  });

  describe('malformed answers and unreachable APIs', () => {
    it('invalid JSON with a JSON content type is a BACKEND_ERROR quoting the start of the body', async () => {
      const result = await call('api__request', { path: '/bad-json' });
      expect(code(result)?.code).toBe('BACKEND_ERROR');
      expect(text(result)).toMatch(/^\[api\] GET \/bad-json answered HTTP 200 with Content-Type application\/json, but the body is not valid JSON \(.+\); it begins: \{"temperature": 21, "unit": $/);
    });

    it('a Content-Length that lies (the connection closes early) is a broken read, retried for GET', async () => {
      const before = api.hits('/wrong-length').length;
      const result = await call('api__request', { path: '/wrong-length' });
      expect(code(result)?.code).toBe('BACKEND_ERROR');
      expect(text(result)).toContain('the connection broke while reading the answer to GET');
      expect(api.hits('/wrong-length').length - before).toBe(3);
    });

    it('a reset connection and a closed port are BACKEND_UNREACHABLE', async () => {
      const reset = await call('api__request', { path: '/reset' });
      expect(code(reset)?.code).toBe('BACKEND_UNREACHABLE');
      expect(text(reset)).toContain(`cannot reach ${api.origin} for GET`);
      const gone = await call('gone__request', { path: '/x' });
      expect(code(gone)?.code).toBe('BACKEND_UNREACHABLE');
      expect(text(gone)).toContain('ECONNREFUSED');
      const blocked = await call('blocked__request', { path: '/x' });
      expect(text(blocked)).toContain('port 9 is one the fetch standard blocks');
    });

    it('secrets never appear in error messages', async () => {
      for (const path of ['/reset', '/bad-json', '/redirect/away', '/status/500']) {
        expect(text(await call('api__request', { path }))).not.toContain(TOKEN);
      }
    });
  });

  describe('health', () => {
    it('any HTTP answer from base_url is healthy (even a 404); a closed port is not', async () => {
      expect(await gateway.host('api')!.health()).toMatchObject({ healthy: true, detail: `${api.origin} answered HTTP 404` });
      expect((await gateway.host('gone')!.health()).healthy).toBe(false);
    });
  });

  describe('rate limit', () => {
    it('fails at once with RATE_LIMITED and a retry-after when the bucket is empty and max_wait is 0', async () => {
      expect((await call('limited__request', { path: '/echo' })).isError).toBeFalsy();
      expect((await call('limited__request', { path: '/echo' })).isError).toBeFalsy();
      const third = await call('limited__request', { path: '/echo' });
      expect(code(third)?.code).toBe('RATE_LIMITED');
      expect(code(third)?.retryAfterMs).toBeGreaterThan(1000);
      expect(text(third)).toContain('[limited] rate limit of 2 requests per 60000 ms reached (rate_limit)');
      expect(gateway.host('limited')!.status().breaker).toBe('closed');
    });

    it('waits for its turn when max_wait allows: three calls with a burst of one take at least 2 intervals', async () => {
      const started = Date.now();
      const results = await Promise.all([0, 1, 2].map(() => call('patient__request', { path: '/echo' })));
      expect(results.every((result) => !result.isError)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    });
  });

  describe('response cache', () => {
    it('answers a repeated GET from memory, keyed on URL and headers; never caches errors or no-store', async () => {
      const first = body(await call('cached__request', { path: '/count' }));
      const second = body(await call('cached__request', { path: '/count' }));
      expect(second).toEqual(first);
      const json = body(await call('cached__request', { path: '/count', headers: { Accept: 'application/json' } }));
      expect(json.count).toBe(first.count + 1);
      await call('cached__request', { path: '/status/500' }).catch(() => {});
      const errors = api.hits('/status/500').length;
      await call('cached__request', { path: '/status/500' }).catch(() => {});
      expect(api.hits('/status/500').length).toBeGreaterThan(errors);
      const a = body(await call('cached__request', { path: '/nostore' }));
      const b = body(await call('cached__request', { path: '/nostore' }));
      expect(b.count).toBe(a.count + 1);
    });

    it('is bounded: beyond cache_max_entries the least recently used answer is dropped', async () => {
      await call('cached__request', { path: '/echo/one' });
      await call('cached__request', { path: '/echo/two' });
      await call('cached__request', { path: '/echo/three' });
      const before = api.hits('/echo/one').length;
      await call('cached__request', { path: '/echo/three' });
      await call('cached__request', { path: '/echo/one' });
      expect(api.hits('/echo/three')).toHaveLength(1);
      expect(api.hits('/echo/one').length).toBe(before + 1);
    });
  });
});
