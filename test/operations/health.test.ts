import { afterEach, expect, test } from 'vitest';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { scope } from '../helpers/scope.js';
import { configFile, eventually, recordingLogger, type Running, runGateway } from './helpers.js';

let running: Running | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await running?.close();
  cleanup?.();
  running = undefined;
});

test('a failing health check takes the service out of the catalog; a passing one puts it back, with list_changed', async () => {
  const probe = createOpsProbe();
  const logger = recordingLogger();
  const file = configFile(`
services:
  db:
    driver: ops
    critical: true
    health_check:
      interval: 100ms
      timeout: 1s
    recovery:
      max_delay: 400ms
  lazy:
    driver: ops
    health_check:
      interval: 50ms
`);
  cleanup = file.cleanup;
  running = await runGateway(file.path, [opsType(probe)], { logger, watch: false });
  const { gateway, ops } = running;
  await gateway.dispatcher.callTool('db__work', {}, scope());
  const changes: string[][] = [];
  gateway.on('listChanged', (kinds) => changes.push([...kinds]));
  await eventually(() => ops.health.states().get('db')?.healthy === true, 'a first passing check');

  probe.unhealthy.add('db');
  await eventually(() => gateway.catalog.tool('db__work') === undefined, 'db to leave the catalog');
  expect(changes).toEqual([['tools']]);
  expect(gateway.health().services.find((service) => service.name === 'db')!.isolated).toBe('health check failed: backend refuses connections');
  expect(gateway.health().status).toBe('degraded');
  const ready = await fetch(`${running.base}/readyz`);
  expect(ready.status).toBe(503);
  expect(logger.text()).toContain('service db failed its health check (backend refuses connections): taken out of the catalog');
  // Checked again with backoff: the failure count grows while it stays down.
  await eventually(() => (ops.health.states().get('db')?.failures ?? 0) >= 3, 'repeated failed checks');
  const unknown = await gateway.dispatcher.callTool('db__work', {}, scope()).catch((error: Error) => error);
  expect(String(unknown)).toContain('Unknown tool');

  probe.unhealthy.delete('db');
  await eventually(() => gateway.catalog.tool('db__work'), 'db to come back');
  expect(changes).toEqual([['tools'], ['tools']]);
  expect(ops.health.states().get('db')).toMatchObject({ healthy: true, failures: 0 });
  expect((await fetch(`${running.base}/readyz`)).status).toBe(200);
  expect(logger.text()).toContain('service db passes its health check again: back in the catalog');

  // A service not started yet (lazy) is not checked — a check must not start it.
  expect(ops.health.states().get('lazy')).toBeUndefined();
  expect(gateway.host('lazy')!.phase).toBe('loading');
});

test('health checks follow reloads: added, changed and removed schedules', async () => {
  const probe = createOpsProbe();
  const file = configFile('services:\n  a:\n    driver: ops\n');
  cleanup = file.cleanup;
  running = await runGateway(file.path, [opsType(probe)], { watch: false });
  const { gateway, ops } = running;
  await gateway.dispatcher.callTool('a__work', {}, scope());
  expect([...ops.health.states().keys()]).toEqual([]);
  file.write('services:\n  a:\n    driver: ops\n    health_check:\n      interval: 50ms\n');
  expect((await ops.reloader.reload('test')).ok).toBe(true);
  expect([...ops.health.states().keys()]).toEqual(['a']);
  await eventually(() => ops.health.states().get('a')?.healthy, 'a check of the retuned service');
  expect(probe.created.get('a')).toHaveLength(1);
  file.write('services:\n  a:\n    driver: ops\n');
  expect((await ops.reloader.reload('test')).ok).toBe(true);
  expect([...ops.health.states().keys()]).toEqual([]);
});
