// Rate limits: token buckets (injected clock, no sleeping), per-service limits as tool errors with a
// retry-after, shared or per principal.
import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/security/rate-limit.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { scope, text } from '../helpers/scope.js';
import { storeType } from './helpers.js';

describe('token bucket', () => {
  it('allows a burst, then refills at the configured rate and says when to retry', () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const spec = { requests: 2, perMs: 1000, burst: 3 };
    expect([1, 2, 3].map(() => store.take('k', spec).allowed)).toEqual([true, true, true]);
    const refused = store.take('k', spec);
    expect(refused).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(store.peek('k', spec).allowed).toBe(false);
    now += 500;
    expect(store.peek('k', spec).allowed).toBe(true);
    expect(store.take('k', spec).allowed).toBe(true);
    expect(store.take('k', spec).allowed).toBe(false);
    expect(store.take('other', spec).allowed).toBe(true); // buckets are per key
  });

  it('forgets only buckets that are full again when it grows large', () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const spec = { requests: 1, perMs: 60_000 };
    store.take('busy', spec);
    for (let index = 0; index < 10_000; index++) store.take(`ip-${index}`, { requests: 1, perMs: 1 });
    now += 10;
    store.take('newcomer', spec);
    expect(store.size).toBeLessThan(100);
    expect(store.take('busy', spec).allowed).toBe(false); // still remembered: not full yet
  });
});

describe('per-service limits', () => {
  it('fail the call with RATE_LIMITED and a retry-after once the service bucket is empty', async () => {
    const gateway = await gatewayFrom(
      `
rate_limits:
  services:
    shop: { requests: 2, per: 1h }
    other: { requests: 1, per: 1h, by: principal }
services:
  shop: { driver: store }
  other: { driver: store }
`,
      [storeType()],
    );
    const alice = scope({ principal: { id: 'alice', roles: [] } });
    const bob = scope({ principal: { id: 'bob', roles: [] } });
    expect(text(await gateway.dispatcher.callTool('shop__list_items', {}, alice))).toBe('[shop] items');
    expect(text(await gateway.dispatcher.callTool('shop__list_items', {}, bob))).toBe('[shop] items');
    const limited = await gateway.dispatcher.callTool('shop__list_items', {}, alice);
    expect(limited.isError).toBe(true);
    expect(text(limited)).toMatch(/^\[shop\] rate limit reached: at most 2 calls per 3600s for this service — retry in \d+s \(rate_limits\.services\.shop\)/);
    expect(limited._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    // by: principal — each caller has its own bucket.
    expect((await gateway.dispatcher.callTool('other__list_items', {}, alice)).isError).toBeFalsy();
    expect((await gateway.dispatcher.callTool('other__list_items', {}, alice)).isError).toBe(true);
    expect((await gateway.dispatcher.callTool('other__list_items', {}, bob)).isError).toBeFalsy();
    await gateway.shutdown();
  });

  it('reject a limit for a service that does not exist', async () => {
    await expect(gatewayFrom('rate_limits: { services: { ghost: { requests: 1 } } }\nservices: { shop: { driver: store } }', [storeType()])).rejects.toThrow(
      /rate_limits\.services\.ghost: rate limit for "ghost", which is not a configured service/,
    );
  });
});
