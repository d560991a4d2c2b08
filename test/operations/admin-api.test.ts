import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { scope } from '../helpers/scope.js';
import { configFile, type Running, runGateway } from './helpers.js';
import { sameSecret } from '../../src/operations/admin-auth.js';

const KEY = 'test-admin-key-0123456789';
const probe = createOpsProbe();
const file = configFile(`
server:
  admin:
    enabled: true
    key: \${OPS_ADMIN_KEY}
services:
  alpha:
    driver: ops
  beta:
    driver: ops
  gamma:
    driver: ops
    enabled: false
`);
let running: Running;
const env = { ...process.env, OPS_ADMIN_KEY: KEY };

beforeAll(async () => {
  running = await runGateway(file.path, [opsType(probe)], { env, watch: false });
});
afterAll(async () => {
  await running?.close();
  file.cleanup();
});

const admin = async (method: string, route: string, key: string | null = KEY) => {
  const response = await fetch(`${running.base}/admin${route}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describe('admin API', () => {
  test('refuses requests without the right key, before doing anything', async () => {
    const none = await admin('POST', '/services/alpha/disable', null);
    expect(none.status).toBe(401);
    expect(none.body.error.message).toContain('missing admin key');
    const wrong = await admin('POST', '/services/alpha/disable', 'wrong-key-wrong-key');
    expect(wrong.status).toBe(401);
    expect(running.gateway.host('alpha')).toBeDefined();
    expect(sameSecret('a', 'a')).toBe(true);
    expect(sameSecret('a', 'ab')).toBe(false);
  });

  test('status, services and catalog', async () => {
    await running.gateway.dispatcher.callTool('alpha__work', {}, scope());
    const status = await admin('GET', '/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'ok', config: file.path, services: { configured: 3, enabled: 2 }, catalog: { tools: 4 } });
    const services = await admin('GET', '/services');
    const alpha = services.body.services.find((service: { name: string }) => service.name === 'alpha');
    expect(alpha).toMatchObject({ name: 'alpha', enabled: true, phase: 'running', breaker: 'closed', tools: 2, pool: { size: 4, idle: 3 } });
    expect(alpha.bulkhead).toMatchObject({ active: 0, queued: 0, maxConcurrent: 32 });
    const one = await admin('GET', '/services/gamma');
    expect(one.body).toMatchObject({ name: 'gamma', enabled: false, phase: 'stopped' });
    expect((await admin('GET', '/services/nope')).status).toBe(404);
    const catalog = await admin('GET', '/catalog');
    expect(catalog.body.tools.map((tool: { name: string }) => tool.name)).toEqual(['alpha__work', 'alpha__wait', 'beta__work', 'beta__wait']);
  });

  test('enable, disable and restart at runtime', async () => {
    const disabled = await admin('POST', '/services/alpha/disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body.service).toMatchObject({ name: 'alpha', enabled: false, override: 'disabled' });
    expect(running.gateway.catalog.tool('alpha__work')).toBeUndefined();
    expect(probe.stopped).toContain('alpha');

    const enabled = await admin('POST', '/services/gamma/enable');
    expect(enabled.body.service).toMatchObject({ name: 'gamma', enabled: true, override: 'enabled' });
    expect(running.gateway.catalog.tool('gamma__work')).toBeDefined();

    await running.gateway.dispatcher.callTool('beta__work', {}, scope());
    const betaBefore = running.gateway.host('beta');
    const restarted = await admin('POST', '/services/beta/restart');
    expect(restarted.status).toBe(200);
    expect(restarted.body.result.replaced).toEqual(['beta']);
    expect(running.gateway.host('beta')).not.toBe(betaBefore);
    expect(probe.created.get('beta')).toHaveLength(2);
    expect(running.gateway.host('beta')!.phase).toBe('running'); // started aside before the swap

    const again = await admin('POST', '/services/alpha/restart');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SERVICE_DISABLED');
    const unknown = await admin('POST', '/services/omega/enable');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_SERVICE' });
    expect(unknown.body.error.message).toContain('configured: alpha, beta, gamma');
    expect((await admin('GET', '/services/alpha/restart')).status).toBe(405);

    // Runtime overrides survive a reload that does not touch those services…
    const reload = await admin('POST', '/reload');
    expect(reload.status).toBe(200);
    expect(running.gateway.catalog.tool('alpha__work')).toBeUndefined();
    expect(running.gateway.catalog.tool('gamma__work')).toBeDefined();
    // …and the file wins once it changes one of them (alpha); gamma's entry is unchanged, so its override stays.
    file.write(`
server:
  admin:
    enabled: true
    key: \${OPS_ADMIN_KEY}
services:
  alpha:
    driver: ops
    description: now documented
  beta:
    driver: ops
  gamma:
    driver: ops
    enabled: false
`);
    const second = await admin('POST', '/reload');
    expect(second.body).toMatchObject({ ok: true });
    expect(running.gateway.catalog.tool('alpha__work')).toBeDefined();
    expect(running.gateway.catalog.tool('gamma__work')).toBeDefined();
    expect((await admin('GET', '/services/alpha')).body.override).toBeUndefined();
    expect((await admin('GET', '/services/gamma')).body.override).toBe('enabled');
  });

  test('a rejected reload answers 422 with the problems', async () => {
    file.write('services:\n  alpha:\n    driver: nope\n');
    const reload = await admin('POST', '/reload');
    expect(reload.status).toBe(422);
    expect(reload.body.ok).toBe(false);
    expect(reload.body.issues[0]).toMatchObject({ path: 'services.alpha.driver', line: 3 });
    expect(running.gateway.catalog.tool('alpha__work')).toBeDefined();
  });
});

describe('admin API on its own listener (server.admin.listen)', () => {
  test('answers there, and not under the MCP front door', async () => {
    const own = configFile(`
server:
  admin:
    enabled: true
    key: \${OPS_ADMIN_KEY}
    listen: 127.0.0.1:0
services:
  alpha:
    driver: ops
`);
    const second = await runGateway(own.path, [opsType(createOpsProbe())], { env, watch: false });
    try {
      const url = await second.ops.listenAdmin();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin$/);
      const status = await fetch(`${url}/status`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(status.status).toBe(200);
      expect(((await status.json()) as { services: { configured: number } }).services.configured).toBe(1);
      const elsewhere = await fetch(`${url!.replace(/\/admin$/, '')}/other`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(elsewhere.status).toBe(404);
      const front = await fetch(`${second.base}/admin/status`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(front.status).toBe(404);
    } finally {
      await second.close();
      own.cleanup();
    }
  });
});
