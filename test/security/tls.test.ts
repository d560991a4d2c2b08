// HTTPS on the front door: certificates made with the machine's openssl, a real MCP client (in its own
// process, trusting the test certificate) over https, client certificates when required, and clear
// errors for unreadable files.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-key-hash.js';
import { HttpFrontDoor } from '../../src/transports/http.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { storeType } from './helpers.js';

const CLIENT = fileURLToPath(new URL('../fixtures/security/https-client.mjs', import.meta.url));
const KEY = 'tls-test-api-key-0123456789abcdef';
let dir: string;

function openssl(...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcpeg-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'server.key', '-out', 'server.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=mcpeg test client CA');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=client');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(tls: string) {
  const gateway = await gatewayFrom(
    `
server:
  tls: ${tls}
  auth: { mode: api_keys, api_keys: [{ principal: tls-client, hash: ${hashApiKey(KEY)} }] }
services:
  shop: { driver: store }
`,
    [storeType()],
  );
  const door = new HttpFrontDoor(gateway, { host: '127.0.0.1', port: 0 });
  const { url } = await door.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: async () => (await gateway.shutdown(1000), await door.close()) };
}

function rawGet(url: string, options: { cert?: Buffer; key?: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca: readFileSync(join(dir, 'server.pem')), ...options, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('TLS on the HTTP front door', () => {
  it('serves a real MCP client over https in both eras', async () => {
    const server = await serve(`{ cert: ${join(dir, 'server.pem')}, key: ${join(dir, 'server.key')} }`);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
      for (const mode of ['legacy', 'auto']) {
        const { stdout } = await promisify(execFile)(process.execPath, [CLIENT, server.url, mode, KEY], {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'server.pem') },
          timeout: 30_000,
        });
        expect(JSON.parse(stdout)).toMatchObject({ text: '[shop] items' });
      }
      // Plain http to the TLS port gets nowhere.
      await expect(fetch(server.url.replace('https:', 'http:'), { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    } finally {
      await server.close();
    }
  }, 60_000);

  it('requires a client certificate signed by the configured CA when client_certificates: require', async () => {
    const server = await serve(`{ cert: ${join(dir, 'server.pem')}, key: ${join(dir, 'server.key')}, ca: ${join(dir, 'ca.pem')}, client_certificates: require }`);
    try {
      await expect(rawGet(server.url, {})).rejects.toThrow();
      // With the certificate the TLS handshake succeeds; the API key is still required (401 without one).
      expect(await rawGet(server.url, { cert: readFileSync(join(dir, 'client.pem')), key: readFileSync(join(dir, 'client.key')) })).toBe(401);
      // A certificate from another CA (the server's own self-signed one) is refused.
      await expect(rawGet(server.url, { cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server.key')) })).rejects.toThrow();
    } finally {
      await server.close();
    }
  }, 30_000);

  it('names the key and the path when a certificate file cannot be read, and refuses a mismatched key', async () => {
    await expect(serve(`{ cert: ${join(dir, 'missing.pem')}, key: ${join(dir, 'server.key')} }`)).rejects.toThrow(/server\.tls\.cert: cannot read .*missing\.pem \(ENOENT\)/);
    await expect(serve(`{ cert: ${join(dir, 'server.pem')}, key: ${join(dir, 'client.key')} }`)).rejects.toThrow(/server\.tls: the certificate or key cannot be used/);
    await expect(serve(`{ cert: ${join(dir, 'server.pem')}, key: ${join(dir, 'server.key')}, client_certificates: require }`)).rejects.toThrow(/needs server\.tls\.ca/);
  });
});
