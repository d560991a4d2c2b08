import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { scope, text } from '../helpers/scope.js';
import { configFile, eventually, recordingLogger, type Running, runGateway } from './helpers.js';

const BASE = `
services:
  stable:
    driver: ops
  changing:
    driver: ops
    config:
      greeting: hi
  tuned:
    driver: ops
    circuit_breaker:
      threshold: 3
  leaving:
    driver: ops
`;

let running: Running | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await running?.close();
  cleanup?.();
  running = undefined;
});

const call = async (gateway: Running['gateway'], tool: string, args: Record<string, unknown> = { text: 'x' }) =>
  gateway.dispatcher.callTool(tool, args, scope());

describe('hot reload', () => {
  test('keeps unchanged services, retunes host-level changes in place, replaces changed ones, adds and removes', async () => {
    const probe = createOpsProbe();
    const file = configFile(BASE);
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { watch: false });
    const { gateway, ops } = running;
    await call(gateway, 'stable__work');
    await call(gateway, 'changing__work');
    await call(gateway, 'tuned__work');
    await call(gateway, 'leaving__work');
    const stableHost = gateway.host('stable');
    const tunedHost = gateway.host('tuned');
    const changes: string[][] = [];
    gateway.on('listChanged', (kinds) => changes.push([...kinds]));

    file.write(`
services:
  stable:
    driver: ops
  changing:
    driver: ops
    config:
      greeting: bonjour
  tuned:
    driver: ops
    circuit_breaker:
      threshold: 7
  arriving:
    driver: ops
`);
    const outcome = await ops.reloader.reload('test');
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.services).toMatchObject({ added: ['arriving'], removed: ['leaving'], replaced: ['changing'], retuned: ['tuned'], unchanged: ['stable'] });
    // Same host and instance objects: their pools and processes survive.
    expect(gateway.host('stable')).toBe(stableHost);
    expect(gateway.host('tuned')).toBe(tunedHost);
    expect(probe.created.get('stable')).toHaveLength(1);
    expect(probe.created.get('tuned')).toHaveLength(1);
    expect(gateway.host('tuned')!.config.breaker.threshold).toBe(7);
    // The changed service has a new instance; the old one and the removed one were stopped.
    expect(probe.created.get('changing')).toHaveLength(2);
    expect(probe.stopped.sort()).toEqual(['changing', 'leaving']);
    expect(text(await call(gateway, 'changing__work'))).toBe('bonjour x');
    expect(text(await call(gateway, 'arriving__work'))).toBe('hello x');
    const gone = await gateway.dispatcher.callTool('leaving__work', {}, scope()).catch((error: Error) => error);
    expect(String(gone)).toContain('Unknown tool: leaving__work');
    expect(changes).toEqual([['tools']]);
    // The running config is the new file.
    expect(gateway.config.services.map((service) => service.name)).toEqual(['stable', 'changing', 'tuned', 'arriving']);
  });

  test('an invalid file keeps the running config and logs why, with path and line', async () => {
    const probe = createOpsProbe();
    const logger = recordingLogger();
    const file = configFile(BASE);
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { logger, watch: false });
    const { gateway, ops } = running;
    const before = gateway.config;

    file.write(`${BASE}  broken:\n    driver: ops\n    timout: 5s\n`);
    const outcome = await ops.reloader.reload('test');
    expect(outcome.ok).toBe(false);
    expect(gateway.config).toBe(before);
    expect(text(await call(gateway, 'leaving__work'))).toBe('hello x');
    const line = logger.lines.find((entry) => entry.level === 'error' && entry.message.includes('config reload rejected'));
    expect(line?.message).toContain(`${file.path}:17:5  services.broken.timout  unknown key "timout" — did you mean "timeout"?`);
    expect(line?.message).toContain('still running the previous config');

    file.write('services: [unclosed');
    const syntax = await ops.reloader.reload('test');
    expect(syntax.ok).toBe(false);
    expect(logger.text()).toMatch(new RegExp(`${file.path.replace(/[/.]/g, '\\$&')}:1:\\d+  \\(yaml\\)  YAML syntax`));
    expect(ops.reloader.counts).toEqual({ success: 0, failure: 2 });
    expect(text(await call(gateway, 'stable__work'))).toBe('hello x');
  });

  test('a catalog collision in the new file is rejected before anything changes', async () => {
    const probe = createOpsProbe();
    const file = configFile(BASE);
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { watch: false });
    const { gateway, ops } = running;
    file.write(`${BASE}  other:\n    driver: ops\n    prefix: never\n  another:\n    driver: ops\n    prefix: never\n`);
    const outcome = await ops.reloader.reload('test');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.issues[0]!.message).toContain('tool name "work" is claimed by "other"');
    expect(gateway.host('other')).toBeUndefined();
    expect(probe.created.get('other')).toHaveLength(1); // built aside, never started
    expect(probe.stopped).toEqual([]);
  });

  test('env references are resolved again on every reload', async () => {
    const probe = createOpsProbe();
    const env: Record<string, string> = { ...process.env, OPS_GREETING: 'first' } as Record<string, string>;
    const file = configFile('services:\n  greeter:\n    driver: ops\n    config:\n      greeting: ${OPS_GREETING}\n');
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { env, watch: false });
    expect(text(await call(running.gateway, 'greeter__work'))).toBe('first x');
    env.OPS_GREETING = 'second';
    const outcome = await running.ops.reloader.reload('SIGHUP');
    expect(outcome.ok && outcome.services.replaced).toEqual(['greeter']);
    expect(text(await call(running.gateway, 'greeter__work'))).toBe('second x');
  });

  test('secret files (${file:…}) are read again: a rotated secret reaches a new instance and the log redaction', async () => {
    const probe = createOpsProbe();
    const file = configFile('');
    cleanup = file.cleanup;
    const secret = join(file.dir, 'greeting.secret');
    writeFileSync(secret, 'first-secret\n');
    file.write(`services:\n  greeter:\n    driver: ops\n    config:\n      greeting: \${file:${secret}}\n`);
    running = await runGateway(file.path, [opsType(probe)], { watch: false });
    expect(text(await call(running.gateway, 'greeter__work'))).toBe('first-secret x');
    writeFileSync(secret, 'second-secret\n');
    const outcome = await running.ops.reloader.reload('SIGHUP');
    expect(outcome.ok && outcome.services.replaced).toEqual(['greeter']);
    expect(text(await call(running.gateway, 'greeter__work'))).toBe('second-secret x');
    expect(running.gateway.config.secrets).toEqual(['second-secret']);
  });

  test('settings that need a restart keep their running value and are logged as such; live ones apply', async () => {
    const probe = createOpsProbe();
    const logger = recordingLogger();
    const file = configFile(`server:\n  http:\n    port: 3000\nglobal:\n  page_size: 100\n${BASE}`);
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { logger, watch: false });
    file.write(`server:\n  http:\n    port: 4000\nglobal:\n  page_size: 2\n${BASE}`);
    const outcome = await running.ops.reloader.reload('test');
    expect(outcome.ok && outcome.restartNeeded).toEqual(['server.http.port']);
    expect(running.gateway.config.server.http.port).toBe(3000);
    expect(running.gateway.config.global.page_size).toBe(2);
    expect(running.gateway.dispatcher.listTools(undefined).tools).toHaveLength(2);
    expect(logger.text()).toContain('server.http.port changed in');
    expect(outcome.ok && outcome.restartNeeded).not.toContain('global.page_size');
    expect(logger.text()).toContain('takes effect only when the gateway restarts');
  });

  test('a file change is picked up by the watcher, including a Kubernetes ConfigMap ..data swap', async () => {
    const probe = createOpsProbe();
    const file = configFile('');
    cleanup = file.cleanup;
    // The layout kubelet writes: mcpeg.yaml → ..data/mcpeg.yaml, ..data → ..2026_1 (swapped atomically).
    const mount = join(file.dir, 'mount');
    mkdirSync(join(mount, '..2026_1'), { recursive: true });
    writeFileSync(join(mount, '..2026_1', 'mcpeg.yaml'), 'services:\n  one:\n    driver: ops\n');
    symlinkSync('..2026_1', join(mount, '..data'));
    symlinkSync('..data/mcpeg.yaml', join(mount, 'mcpeg.yaml'));
    running = await runGateway(join(mount, 'mcpeg.yaml'), [opsType(probe)]);
    const { gateway } = running;
    expect(gateway.catalog.tool('one__work')).toBeDefined();

    mkdirSync(join(mount, '..2026_2'));
    writeFileSync(join(mount, '..2026_2', 'mcpeg.yaml'), 'services:\n  one:\n    driver: ops\n  two:\n    driver: ops\n');
    symlinkSync('..2026_2', join(mount, '..data_tmp'));
    renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    await eventually(() => gateway.catalog.tool('two__work'), 'the ConfigMap update to be reloaded');
    expect(gateway.host('one')).toBeDefined();
    expect(probe.created.get('one')).toHaveLength(1);

    // An editor's write-and-rename of a plain file.
    const plain = configFile('services:\n  a:\n    driver: ops\n');
    const previous = cleanup;
    cleanup = () => {
      previous();
      plain.cleanup();
    };
    const second = await runGateway(plain.path, [opsType(probe)]);
    try {
      plain.write('services:\n  a:\n    driver: ops\n  b:\n    driver: ops\n');
      await eventually(() => second.gateway.catalog.tool('b__work'), 'the edited file to be reloaded');
      // A save that changes nothing causes no reload.
      const reloads = second.ops.reloader.counts.success;
      plain.write('services:\n  a:\n    driver: ops\n  b:\n    driver: ops\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second.ops.reloader.counts.success).toBe(reloads);
    } finally {
      await second.close();
    }
  });

  test('calls running on a replaced instance finish before it stops (bounded drain)', async () => {
    const probe = createOpsProbe();
    const file = configFile('services:\n  svc:\n    driver: ops\n');
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { watch: false });
    const { gateway, ops } = running;
    const slow = call(gateway, 'svc__wait', { ms: 300 });
    await eventually(() => gateway.host('svc')!.status().bulkhead.active === 1, 'the slow call to run');
    file.write('services:\n  svc:\n    driver: ops\n    config:\n      greeting: new\n');
    const outcome = await ops.reloader.reload('test');
    expect(outcome.ok && outcome.applied.abandoned).toBe(0);
    expect(text(await slow)).toBe('waited 300');
    expect(probe.stopped).toEqual(['svc']);
    expect(text(await call(gateway, 'svc__work'))).toBe('new x');
  });

  test('a call that outlasts the drain time is cancelled with SERVICE_STOPPING, and the old instance still stops', async () => {
    const probe = createOpsProbe();
    const file = configFile('global:\n  shutdown_timeout: 200ms\nservices:\n  svc:\n    driver: ops\n');
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(probe)], { watch: false });
    const { gateway, ops } = running;
    const stuck = call(gateway, 'svc__wait', { ms: 30_000 });
    await eventually(() => gateway.host('svc')!.status().bulkhead.active === 1, 'the long call to run');
    file.write('global:\n  shutdown_timeout: 200ms\nservices:\n  svc:\n    driver: ops\n    config:\n      greeting: new\n');
    const outcome = await ops.reloader.reload('test');
    expect(outcome.ok && outcome.applied.abandoned).toBe(1);
    const result = await stuck;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('[svc] was reconfigured while this call ran, and the call did not finish in time');
    expect(probe.stopped).toEqual(['svc']);
  });
});

describe('which gateway-wide settings a reload applies', () => {
  test('authentication, limits, log level and catalog settings are live; listen address, memory limit and endpoints need a restart', async () => {
    const { diffSettings } = await import('../../src/operations/config-diff.js');
    const { loadText } = await import('../config/load.js');
    const load = async (text: string) => {
      const result = await loadText(text, { env: { ADMIN_KEY: 'a-long-admin-key-0123456789' } });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.config;
    };
    const before = await load('server:\n  admin:\n    enabled: true\n    key: ${ADMIN_KEY}\n');
    const after = await load(
      [
        'global:',
        '  log_level: debug',
        '  page_size: 5',
        '  memory_limit: 1GB',
        'server:',
        '  http:',
        '    port: 8080',
        '  admin:',
        '    enabled: true',
        '    key: another-admin-key-0123456789',
        '  metrics:',
        '    enabled: true',
        '  auth:',
        '    mode: api_keys',
        '    api_keys:',
        `      - { principal: ci, hash: "sha256:${'a'.repeat(64)}" }`,
        'observability:',
        '  tracing:',
        '    enabled: true',
        '',
      ].join('\n'),
    );
    const diff = diffSettings(before, after);
    expect([...diff.live].sort()).toEqual(['global.log_level', 'global.page_size', 'server.admin.key', 'server.auth.api_keys', 'server.auth.mode']);
    expect([...diff.restart].sort()).toEqual(['global.memory_limit', 'observability.tracing.enabled', 'server.http.port', 'server.metrics.enabled']);
  });
});
