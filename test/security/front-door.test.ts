// The front door's other defences: no unauthenticated listening beyond loopback unless forced,
// Host/Origin attacks (DNS rebinding, cross-site pages) refused even with a valid credential,
// and the config errors a security mistake produces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-key-hash.js';
import { checkBindAddress, isLoopback } from '../../src/security/listener.js';
import { authSchema } from '../../src/security/schema.js';
import { HttpFrontDoor } from '../../src/transports/http.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { serveHttp } from '../helpers/servers.js';
import { storeType } from './helpers.js';

const KEY = 'front-door-key-0123456789abcdef';

describe('binding beyond loopback', () => {
  const none = authSchema.parse({});
  it('is refused with mode none, with a message saying what to do', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'gateway.internal']) {
      expect(() => checkBindAddress(host, none)).toThrow(/refusing to listen on .*server\.auth\.mode is none.*allow_unauthenticated_remote: true \(or pass --allow-remote\)/);
    }
  });

  it('is allowed on loopback, when forced, or when authentication is configured', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) expect(isLoopback(host)).toBe(true);
    expect(() => checkBindAddress('0.0.0.0', none, true)).not.toThrow();
    expect(() => checkBindAddress('0.0.0.0', authSchema.parse({ allow_unauthenticated_remote: true }))).not.toThrow();
    expect(() => checkBindAddress('0.0.0.0', authSchema.parse({ mode: 'api_keys', api_keys: [{ principal: 'p', hash: hashApiKey(KEY) }] }))).not.toThrow();
  });

  it('is enforced by the front door itself, for embedders too', async () => {
    const gateway = await gatewayFrom('services: { shop: { driver: store } }', [storeType()]);
    const door = new HttpFrontDoor(gateway, { host: '0.0.0.0', port: 0 });
    await expect(door.listen({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
    await door.close();
    await gateway.shutdown();
  });

  it('the embedded default config listens on 127.0.0.1', async () => {
    const { readFileSync } = await import('node:fs');
    const defaults = readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8');
    expect(defaults).not.toMatch(/host:\s*0\.0\.0\.0/);
    expect(authSchema.parse({}).mode).toBe('none');
  });
});

describe('Host and Origin attacks with a valid credential', () => {
  let server: Awaited<ReturnType<typeof serveHttp>>;
  beforeAll(async () => {
    const gateway = await gatewayFrom(
      `server: { auth: { mode: api_keys, api_keys: [{ principal: p, hash: ${hashApiKey(KEY)} }] } }\nservices: { shop: { driver: store } }`,
      [storeType()],
    );
    server = await serveHttp(gateway);
  });
  afterAll(() => server.close());

  const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
  async function status(headers: Record<string, string>) {
    // fetch() refuses to set Host; node:http lets a test send exactly what an attacker would.
    const { request } = await import('node:http');
    return new Promise<number>((resolve, reject) => {
      const req = request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-api-key': KEY, ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
  }

  it('refuses a rebinding Host, a foreign Origin and Origin null with 403', async () => {
    expect(await status({ host: `evil.example:${server.url.port}` })).toBe(403);
    expect(await status({ host: `127.0.0.1.evil.example:${server.url.port}` })).toBe(403);
    expect(await status({ origin: 'https://evil.example' })).toBe(403);
    expect(await status({ origin: `http://127.0.0.1.evil.example:${server.url.port}` })).toBe(403);
    expect(await status({ origin: 'null' })).toBe(403);
    expect(await status({})).toBe(200);
    expect(await status({ origin: `http://localhost:${server.url.port}` })).toBe(200);
  });
});

describe('security config mistakes', () => {
  const load = (yaml: string) => gatewayFrom(`${yaml}\nservices: { shop: { driver: store } }`, [storeType()]);
  it('refuses a plain key where a hash belongs, and says how to make one', async () => {
    await expect(load('server: { auth: { mode: api_keys, api_keys: [{ principal: p, hash: my-secret-key }] } }')).rejects.toThrow(/must be a hashed key .*mcpeg hash-key/);
  });
  it('needs keys for api_keys and an oauth block for oauth', async () => {
    await expect(load('server: { auth: { mode: api_keys } }')).rejects.toThrow(/at least one key/);
    await expect(load('server: { auth: { mode: oauth } }')).rejects.toThrow(/needs an oauth: block/);
  });
  it('refuses an issuer reached over plain http beyond loopback, and unknown keys', async () => {
    await expect(load('server: { auth: { mode: oauth, oauth: { issuer: "http://auth.example.com", resource: "https://mcp.example.com/mcp" } } }')).rejects.toThrow(
      /server\.auth\.oauth\.issuer: http:\/\/auth\.example\.com must use https:/,
    );
    await expect(load('authorization: { policies: [{ effect: allow, rolez: [x] }] }')).rejects.toThrow(/unknown key "rolez"/);
    await expect(load('authorization: { policies: [{ effect: allow, tools: ["*"] }] }')).rejects.toThrow(/needs roles: or principals:/);
    await expect(load(`server: { auth: { mode: api_keys, api_keys: [{ principal: anonymous, hash: ${hashApiKey(KEY)} }] } }`)).rejects.toThrow(/reserved/);
  });
});
