// The small parts of the shared HTTP layer, alone: URL confinement, path templates, query serialization,
// Retry-After and backoff, the token bucket and the response cache (with a fake clock), JSON selection,
// body classification and secret scrubbing.
import { describe, expect, it } from 'vitest';
import { backoffMs, isIdempotent, retryAfterMs } from '../../../src/adapters/http-client/backoff.js';
import { confinedUrl, expandPath, PathRefused } from '../../../src/adapters/http-client/confined-url.js';
import { credentialsOf, scrub } from '../../../src/adapters/http-client/credentials.js';
import { appendQuery } from '../../../src/adapters/http-client/request-builder.js';
import { ResponseCache } from '../../../src/adapters/http-client/response-cache.js';
import { selectorSteps, selectValue } from '../../../src/adapters/http-client/select.js';
import { RateLimitExceeded, TokenBucket } from '../../../src/adapters/http-client/token-bucket.js';
import { bodyKind } from '../../../src/adapters/http-client/tool-result.js';

describe('confinedUrl', () => {
  const base = new URL('https://api.example.com/v1');
  it('joins paths under the base path, with or without a leading slash, keeping a query', () => {
    expect(confinedUrl(base, '/users/42').href).toBe('https://api.example.com/v1/users/42');
    expect(confinedUrl(base, 'users/42?x=1&y=a%20b').href).toBe('https://api.example.com/v1/users/42?x=1&y=a%20b');
    expect(confinedUrl(base, '').href).toBe('https://api.example.com/v1');
    expect(confinedUrl(base, '/').href).toBe('https://api.example.com/v1');
    expect(confinedUrl(new URL('https://api.example.com/'), '/a b').href).toBe('https://api.example.com/a%20b');
    expect(confinedUrl(base, '/files/a..b/..c').pathname).toBe('/v1/files/a..b/..c');
  });

  it.each([
    ['https://evil.example/', 'absolute URL'],
    ['HTTP://evil.example/', 'absolute URL'],
    ['//evil.example', 'starts with //'],
    ['/..', '".." segment'],
    ['/a/%2e%2e', '".." segment'],
    ['/%252e%252e%252f', '".." segment'],
    ['/%25252e%25252e', '".." segment'],
    ['/a%2f..%2f..', '".." segment'],
    ['/a%5c..', '".." segment'],
    ['/..;/admin', '".." segment'],
    ['/x/..%3Bjsessionid=1/admin', '".." segment'],
    ['/x/.%20/admin', '".." segment'],
    ['/a\\b', 'backslash'],
    ['/a\tb', 'control character'],
    ['/a%09b', 'encoded control character'],
    ['/a%', 'broken %-escape'],
    ['/a#b', 'fragment'],
  ])('refuses %j (%s)', (path, why) => {
    expect(() => confinedUrl(base, path)).toThrow(PathRefused);
    expect(() => confinedUrl(base, path)).toThrow(why);
  });

  it('expandPath encodes each value as one segment and refuses empty, "." and ".."', () => {
    expect(expandPath('/u/{id}/p/{post}', { id: 'a/b', post: 7 })).toBe('/u/a%2Fb/p/7');
    expect(expandPath('/q/{q}', { q: 'x?y#z&w=1' })).toBe('/q/x%3Fy%23z%26w%3D1');
    for (const value of ['', '.', '..']) expect(() => expandPath('/u/{id}', { id: value })).toThrow('may not be empty');
    expect(() => expandPath('/u/{id}', {})).toThrow('needs a value for the path parameter "id"');
    expect(() => expandPath('/u/{id}', { id: { a: 1 } })).toThrow('must be a string, number or boolean');
  });
});

describe('query serialization (OpenAPI style/explode)', () => {
  const serialize = (value: unknown, style?: 'form' | 'deepObject' | 'pipeDelimited' | 'spaceDelimited', explode?: boolean) => {
    const params = new URLSearchParams();
    appendQuery(params, { argument: 'p', wire: 'p', in: 'query', style, explode }, value);
    return params.toString();
  };
  it('form: arrays repeat when exploded, join with commas when not; objects spread or pair up', () => {
    expect(serialize(['a', 'b'])).toBe('p=a&p=b');
    expect(serialize(['a', 'b'], 'form', false)).toBe('p=a%2Cb');
    expect(serialize({ x: 1, y: 'z' })).toBe('x=1&y=z');
    expect(serialize({ x: 1, y: 'z' }, 'form', false)).toBe('p=x%2C1%2Cy%2Cz');
    expect(serialize({ x: 1 }, 'deepObject')).toBe('p%5Bx%5D=1');
    expect(serialize(['a', 'b'], 'pipeDelimited')).toBe('p=a%7Cb');
    expect(serialize(['a', 'b'], 'spaceDelimited')).toBe('p=a+b');
    expect(serialize(null)).toBe('');
    expect(serialize(false)).toBe('p=false');
  });
});

describe('retries', () => {
  it('only idempotent methods are retried', () => {
    expect(['GET', 'head', 'PUT', 'DELETE', 'OPTIONS'].every(isIdempotent)).toBe(true);
    expect(['POST', 'PATCH'].some(isIdempotent)).toBe(false);
  });

  it('Retry-After: seconds, an HTTP date, a past date, garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('backoff doubles from the initial delay up to the cap, with jitter between half and all of it', () => {
    expect(backoffMs(0, 200, 5000, () => 0)).toBe(100);
    expect(backoffMs(0, 200, 5000, () => 1)).toBe(200);
    expect(backoffMs(3, 200, 5000, () => 1)).toBe(1600);
    expect(backoffMs(10, 200, 5000, () => 1)).toBe(5000);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then refuses what would wait longer than max_wait, and refills with time', async () => {
    let now = 0;
    const bucket = new TokenBucket({ requests: 2, perMs: 1000, maxWaitMs: 0, now: () => now });
    const signal = new AbortController().signal;
    await bucket.take(signal);
    await bucket.take(signal);
    await expect(bucket.take(signal)).rejects.toBeInstanceOf(RateLimitExceeded);
    now += 500;
    await bucket.take(signal);
    await expect(bucket.take(signal)).rejects.toThrow(/free in 500 ms/);
  });

  it('a cancelled wait gives its reservation back', async () => {
    const bucket = new TokenBucket({ requests: 1, perMs: 60_000, maxWaitMs: 120_000 });
    const signal = new AbortController().signal;
    await bucket.take(signal);
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    // Had the reservation been kept, this wait would be two minutes: over max_wait.
    const second = new AbortController();
    const next = bucket.take(second.signal);
    second.abort(new Error('stop'));
    await expect(next).rejects.toThrow('stop');
  });
});

describe('ResponseCache', () => {
  const response = (body: string) => ({ status: 200, headers: [['content-type', 'text/plain']] as const, body: Buffer.from(body), url: 'https://x/' });
  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = new ResponseCache({ ttlMs: 1000, maxEntries: 10, maxBytes: 1e6, now: () => now });
    cache.set('a', response('A'));
    expect(cache.get('a')?.body.toString()).toBe('A');
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps at most maxEntries and maxBytes, dropping the least recently used; a too-big answer is not kept', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 2, maxBytes: 2000, now: () => 0 });
    cache.set('a', response('A'));
    cache.set('b', response('B'));
    cache.get('a');
    cache.set('c', response('C'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    cache.set('big', response('x'.repeat(5000)));
    expect(cache.get('big')).toBeUndefined();
    cache.set('d', response('x'.repeat(1500)));
    expect(cache.size).toBe(1);
  });
});

describe('selection, classification, scrubbing', () => {
  it('selects by JSON Pointer and by field path', () => {
    const value = { a: { 'b/c': [10, { d: 'e' }], '~x': 1 } };
    expect(selectValue(value, '/a/b~1c/1/d')).toEqual({ found: true, value: 'e' });
    expect(selectValue(value, '/a/~0x')).toEqual({ found: true, value: 1 });
    expect(selectValue(value, 'a.b/c[0]')).toEqual({ found: true, value: 10 });
    expect(selectValue(value, '/a/zz/q')).toEqual({ found: false, at: 'a/zz' });
    expect(selectValue([1, 2], '/5')).toEqual({ found: false, at: '5' });
    expect(() => selectorSteps('a..b')).toThrow('is not a field path');
    expect(selectValue({ constructor: 1 }, 'toString')).toEqual({ found: false, at: 'toString' });
  });

  it('classifies bodies by Content-Type, or by content when there is none', () => {
    expect(bodyKind('application/problem+json; charset=utf-8', Buffer.from('{}'))).toBe('json');
    expect(bodyKind('text/csv', Buffer.from('a,b'))).toBe('text');
    expect(bodyKind('application/vnd.api+xml', Buffer.from('<a/>'))).toBe('text');
    expect(bodyKind('image/png', Buffer.from('x'))).toBe('binary');
    expect(bodyKind(null, Buffer.from('plain words'))).toBe('text');
    expect(bodyKind(null, Buffer.from([0, 1, 2, 255]))).toBe('binary');
  });

  it('scrubs every credential form from text; basic credentials include their base64', () => {
    const basic = credentialsOf({ type: 'basic', username: 'u', password: 'hunter22' });
    const encoded = Buffer.from('u:hunter22').toString('base64');
    expect(scrub(`Authorization: Basic ${encoded}, pw hunter22`, basic.secrets)).toBe('Authorization: Basic [REDACTED], pw [REDACTED]');
    const key = credentialsOf({ type: 'api_key', in: 'query', name: 'k', value: 'a b+c' });
    expect(scrub('?k=a%20b%2Bc', key.secrets)).toBe('?k=[REDACTED]');
    expect(scrub('abc', ['abc'])).toBe('abc');
  });
});
