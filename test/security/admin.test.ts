// The admin API when the gateway authenticates principals: an API key or token whose principal holds
// the admin role gets in, others get 403; the admin key keeps working; nothing it answers holds a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/api-key-hash.js';
import { configFile, runGateway, type Running } from '../operations/helpers.js';
import { storeType } from './helpers.js';

const ADMIN_KEY = 'admin-key-0123456789abcdef-xyz';
const OPS_KEY = 'ops-api-key-0123456789abcdef';
const READER_KEY = 'reader-api-key-0123456789abcd';
const SECRET = 'hunter2-admin-output-secret';

describe('admin API with authentication configured', () => {
  let running: Running;
  let file: ReturnType<typeof configFile>;

  beforeAll(async () => {
    process.env.MCPEG_TEST_SECRET = SECRET;
    file = configFile(`
server:
  admin: { enabled: true, key: "${ADMIN_KEY}" }
  auth:
    mode: api_keys
    api_keys:
      - { principal: ops, hash: ${hashApiKey(OPS_KEY)}, roles: [admin] }
      - { principal: reader, hash: ${hashApiKey(READER_KEY)}, roles: [reader] }
services:
  shop: { driver: store }
  broken: { driver: store, fail_start: true, description: "\${MCPEG_TEST_SECRET}" }
`);
    running = await runGateway(file.path, [storeType()], { watch: false });
  });
  afterAll(async () => {
    await running?.close();
    file?.cleanup();
    delete process.env.MCPEG_TEST_SECRET;
  });

  const get = (path: string, headers: Record<string, string>) => fetch(`${running.base}/admin${path}`, { headers });

  it('lets in the admin key and a principal with the admin role', async () => {
    expect((await get('/status', { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
    expect((await get('/status', { authorization: `Bearer ${OPS_KEY}` })).status).toBe(200);
    expect((await get('/status', { 'x-api-key': OPS_KEY })).status).toBe(200);
  });

  it('refuses a principal without the admin role (403, naming the role) and a wrong credential (401)', async () => {
    const reader = await get('/status', { authorization: `Bearer ${READER_KEY}` });
    expect(reader.status).toBe(403);
    expect(JSON.stringify(await reader.json())).toMatch(/principal \\"reader\\" \(roles: reader\) lacks the \\"admin\\" role/);
    expect((await get('/status', { authorization: 'Bearer not-a-key-at-all-0123' })).status).toBe(401);
    expect((await get('/status', {})).status).toBe(401);
  });

  it('never shows a secret in its output', async () => {
    await running.gateway.dispatcher.callTool('broken__list_items', {}, (await import('../helpers/scope.js')).scope({ principal: { id: 'ops', roles: ['admin'] } }));
    const body = await (await get('/services', { authorization: `Bearer ${ADMIN_KEY}` })).text();
    expect(body).toContain('login failed with password');
    expect(body).not.toContain(SECRET);
  });
});

describe('key rotation by hot reload', () => {
  it('accepts a key added by a reload at once and refuses the removed one', async () => {
    const first = 'first-key-0123456789abcdefgh';
    const second = 'second-key-0123456789abcdefg';
    const yaml = (key: string) => `server:\n  auth: { mode: api_keys, api_keys: [{ principal: ci, hash: ${hashApiKey(key)} }] }\nservices:\n  shop: { driver: store }\n`;
    const file = configFile(yaml(first));
    const running = await runGateway(file.path, [storeType()], { watch: false });
    const status = async (key: string) => {
      const response = await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-api-key': key },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'r', version: '1' } } }),
      });
      await response.body?.cancel();
      return response.status;
    };
    try {
      expect(await status(first)).toBe(200);
      expect(await status(second)).toBe(401);
      file.write(yaml(second));
      expect((await running.ops.reloader.reload('test')).ok).toBe(true);
      expect(await status(second)).toBe(200);
      expect(await status(first)).toBe(401);
    } finally {
      await running.close();
      file.cleanup();
    }
  });
});
