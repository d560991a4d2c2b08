// API keys at the HTTP front door: stored hashed, sent as a bearer token or X-API-Key, guessing stopped
// by the failed-auth limit, a principal over its request rate answered 429 — all over real sockets.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeyVerifier } from '../../src/security/api-key-verifier.js';
import { generateApiKey, hashApiKey } from '../../src/security/api-key-hash.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { serveHttp } from '../helpers/servers.js';
import { storeType } from './helpers.js';

const READER_KEY = generateApiKey();
const ADMIN_KEY = generateApiKey();
const SLOW_KEY = 'a-long-human-chosen-passphrase';
let server: Awaited<ReturnType<typeof serveHttp>> | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(extra = '') {
  const gateway = await gatewayFrom(
    `
server:
  auth:
    mode: api_keys
    api_keys:
      - { principal: reader-bot, hash: ${hashApiKey(READER_KEY)}, roles: [reader] }
      - { principal: ops, hash: ${hashApiKey(ADMIN_KEY)}, roles: [writer, admin] }
      - { principal: human, hash: "${hashApiKey(SLOW_KEY, 'scrypt')}", roles: [reader] }
authorization:
  policies:
    - { effect: allow, roles: [writer], classes: [write] }
${extra}
services:
  shop: { driver: store }
`,
    [storeType()],
  );
  server = await serveHttp(gateway);
  return server;
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

function post(url: URL, headers: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(INIT),
  });
}

async function whoami(url: URL, headers: Record<string, string>): Promise<unknown> {
  const client = new Client({ name: 'key-test', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  try {
    const result = await client.callTool({ name: 'shop__whoami', arguments: {} });
    return JSON.parse((result.content as { text: string }[])[0]!.text);
  } finally {
    await client.close();
  }
}

describe('API keys', () => {
  it('authenticates a key sent as Authorization: Bearer or as X-API-Key, sha256 or scrypt', async () => {
    const { url } = await start();
    expect(await whoami(url, { Authorization: `Bearer ${READER_KEY}` })).toEqual({ id: 'reader-bot', roles: ['reader'] });
    expect(await whoami(url, { 'X-API-Key': ADMIN_KEY })).toEqual({ id: 'ops', roles: ['writer', 'admin'] });
    expect(await whoami(url, { Authorization: `Bearer ${SLOW_KEY}` })).toEqual({ id: 'human', roles: ['reader'] });
  });

  it('refuses a missing or wrong key with 401 and a Bearer challenge', async () => {
    const { url } = await start();
    const missing = await post(url, {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mcpeg"');
    const wrong = await post(url, { authorization: `Bearer ${READER_KEY}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await post(url, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })).status).toBe(401);
    // The stored hash is not a key.
    expect((await post(url, { authorization: `Bearer ${hashApiKey(READER_KEY)}` })).status).toBe(401);
  });

  it('runs a key-guessing client into the failed-auth limit: 429 with Retry-After, even for a right guess', async () => {
    const { url } = await start('rate_limits:\n  failed_auth: { requests: 5, per: 1h }');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await post(url, { authorization: `Bearer guess-${attempt}` })).status).toBe(401);
    }
    const blocked = await post(url, { authorization: 'Bearer guess-6' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toMatch(/too many failed authentication attempts/);
    // Once blocked, even the right key is not checked: a guesser cannot tell a hit from a miss.
    expect((await post(url, { authorization: `Bearer ${READER_KEY}` })).status).toBe(429);
  });

  it('answers 429 with Retry-After when a principal exceeds rate_limits.principal', async () => {
    const { url } = await start('rate_limits:\n  principal: { requests: 3, per: 1h }');
    for (let request = 0; request < 3; request++) {
      const response = await post(url, { 'x-api-key': READER_KEY });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const over = await post(url, { 'x-api-key': READER_KEY });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other principals have their own bucket.
    const other = await post(url, { 'x-api-key': ADMIN_KEY });
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });
});

describe('API key hashes', () => {
  it('matches only the exact key, for every configured entry, in both formats', () => {
    const verifier = new ApiKeyVerifier([
      { principal: 'a', hash: hashApiKey('key-of-a-0123456789'), roles: [] },
      { principal: 'b', hash: hashApiKey('key-of-b-0123456789', 'scrypt'), roles: ['r'] },
    ]);
    expect(verifier.verify('key-of-a-0123456789')?.id).toBe('a');
    expect(verifier.verify('key-of-b-0123456789')?.id).toBe('b');
    expect(verifier.verify('key-of-b-0123456789')?.id).toBe('b'); // cached after the first scrypt check
    for (const wrong of ['', 'key-of-a-012345678', 'KEY-OF-A-0123456789', 'key-of-a-0123456789 ', 'x'.repeat(5000)]) expect(verifier.verify(wrong)).toBeUndefined();
  });
});
