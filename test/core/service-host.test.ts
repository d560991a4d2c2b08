import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/core/gateway.js';
import { createProbe, echoType } from '../fixtures/test-types.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { scope, text } from '../helpers/scope.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.shutdown(500);
  gateway = undefined;
});

describe('service host lifecycle', () => {
  it('lists tools without starting anything; the first call starts the service (loading → initializing → running)', async () => {
    const probe = createProbe();
    gateway = await gatewayFrom('services: { svc: { driver: echo } }', [echoType(probe)]);
    const phases: string[] = [];
    gateway.on('phaseChanged', (_name, phase) => phases.push(phase));
    expect(gateway.dispatcher.listTools(undefined).tools).toHaveLength(5);
    expect(probe.starts).toBe(0);
    expect(gateway.host('svc')?.phase).toBe('loading');
    const result = await gateway.dispatcher.callTool('svc__echo', { text: 'a' }, scope());
    expect(text(result)).toBe('hello a');
    expect(probe.starts).toBe(1);
    expect(phases).toEqual(['initializing', 'running']);
    await Promise.all([1, 2, 3].map(() => gateway!.dispatcher.callTool('svc__echo', { text: 'b' }, scope())));
    expect(probe.starts).toBe(1);
  });

  it('a disabled service costs nothing: no instance, no tools, no start', async () => {
    const probe = createProbe();
    gateway = await gatewayFrom('services: { off: { driver: echo, enabled: false } }', [echoType(probe)]);
    expect(gateway.hosts).toHaveLength(0);
    expect(gateway.dispatcher.listTools(undefined).tools).toHaveLength(0);
    expect(gateway.health().services[0]).toMatchObject({ name: 'off', enabled: false, phase: 'stopped' });
  });

  it('a service that fails to start is isolated, named in the error, and recovers with backoff', async () => {
    const probe = createProbe();
    gateway = await gatewayFrom(
      `services:
  broken: { driver: echo, fail_start: 2, recovery: { initial_delay: 50ms, max_delay: 100ms } }
  fine: { driver: echo }`,
      [echoType(probe)],
    );
    const first = await gateway.dispatcher.callTool('broken__echo', { text: 'x' }, scope());
    expect(first.isError).toBe(true);
    expect(text(first)).toContain('[broken]');
    expect(text(first)).toContain('connection refused at 127.0.0.1:1');
    expect(gateway.host('broken')?.phase).toBe('failed');
    const again = await gateway.dispatcher.callTool('broken__echo', { text: 'x' }, scope());
    expect(text(again)).toMatch(/\[broken\] is unavailable: .*next start attempt in \d+ s/);
    expect(text(await gateway.dispatcher.callTool('fine__echo', { text: 'x' }, scope()))).toBe('hello x');
    await expect.poll(() => gateway!.host('broken')?.phase, { timeout: 3000 }).toBe('running');
    expect(text(await gateway.dispatcher.callTool('broken__echo', { text: 'y' }, scope()))).toBe('hello y');
    expect(gateway.host('broken')?.status().restarts).toBeGreaterThanOrEqual(1);
  });

  it('a start that hangs is cut off by start_timeout; other services keep working', async () => {
    gateway = await gatewayFrom(
      `services:
  stuck: { driver: echo, hang: start, start_timeout: 100ms }
  fine: { driver: echo }`,
      [echoType()],
    );
    const [stuck, fine] = await Promise.all([
      gateway.dispatcher.callTool('stuck__echo', { text: 'x' }, scope()),
      gateway.dispatcher.callTool('fine__echo', { text: 'x' }, scope()),
    ]);
    expect(text(stuck)).toContain('[stuck] did not start within 100 ms (start_timeout)');
    expect(stuck._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'SERVICE_START_FAILED' });
    expect(text(fine)).toBe('hello x');
  });

  it('a call that hangs times out; a health check that hangs reports unhealthy; a stop that hangs does not block shutdown', async () => {
    gateway = await gatewayFrom(
      `global: { stop_timeout: 100ms }
services:
  calls: { driver: echo, hang: call, timeout: 100ms }
  health: { driver: echo, hang: health }
  stops: { driver: echo, hang: stop }`,
      [echoType()],
    );
    const hung = await gateway.dispatcher.callTool('calls__echo', { text: 'x' }, scope());
    expect(hung._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'CALL_TIMEOUT' });
    await gateway.dispatcher.callTool('health__echo', { text: 'x' }, scope());
    expect(await gateway.host('health')!.health(100)).toMatchObject({ healthy: false, detail: expect.stringContaining('did not answer') });
    await gateway.dispatcher.callTool('stops__echo', { text: 'x' }, scope());
    const started = Date.now();
    await gateway.shutdown(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(gateway.host('stops')?.phase).toBe('stopped');
    gateway = undefined;
  });

  it('starts dependencies first', async () => {
    const order: string[] = [];
    const base = echoType(createProbe(), 'base');
    const app = echoType(createProbe(), 'app');
    const record = (type: typeof base, name: string) => ({
      ...type,
      create: (ctx: Parameters<typeof type.create>[0]) => {
        const instance = type.create(ctx);
        return {
          ...instance,
          start: async (signal: AbortSignal) => {
            order.push(name);
            await instance.start?.(signal);
          },
        };
      },
    });
    gateway = await gatewayFrom(
      `services:
  web: { driver: app, dependencies: [db] }
  db: { driver: base }`,
      [record(base, 'db'), record(app, 'web')],
    );
    await gateway.dispatcher.callTool('web__echo', { text: 'x' }, scope());
    expect(order).toEqual(['db', 'web']);
  });
});

describe('memory limit', () => {
  it('above global.memory_limit new calls are refused with a clear error and health says so', async () => {
    gateway = await gatewayFrom('global: { memory_limit: 1MB }\nservices: { svc: { driver: echo } }', [echoType()]);
    const result = await gateway.dispatcher.callTool('svc__echo', { text: 'x' }, scope());
    expect(result.isError).toBe(true);
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'MEMORY_PRESSURE' });
    expect(text(result)).toContain('above global.memory_limit');
    expect(gateway.health()).toMatchObject({ status: 'degraded', memory: { shedding: true } });
  });
});

describe('graceful shutdown', () => {
  it('lets in-flight calls finish and refuses new ones', async () => {
    gateway = await gatewayFrom('services: { svc: { driver: echo } }', [echoType()]);
    const running = gateway.dispatcher.callTool('svc__slow', { ms: 150 }, scope());
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stopping = gateway.shutdown(5000);
    const late = await gateway.dispatcher.callTool('svc__echo', { text: 'x' }, scope());
    expect(late._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'SERVICE_STOPPING' });
    expect(text(await running)).toBe('slept 150');
    await stopping;
    gateway = undefined;
  });
});

describe('lazy driver imports', () => {
  it('a missing backend library is DRIVER_MISSING for that service only, naming the package to install', async () => {
    const base = echoType(createProbe(), 'needs_driver');
    const needsDriver = {
      ...base,
      create: (ctx: Parameters<typeof base.create>[0]) => ({
        ...base.create(ctx),
        start: async () => {
          await ctx.importDriver('mcpeg-test-no-such-driver');
        },
      }),
    };
    gateway = await gatewayFrom(
      `services:
  db: { driver: needs_driver }
  other: { driver: echo }`,
      [needsDriver, echoType()],
    );
    const result = await gateway.dispatcher.callTool('db__echo', { text: 'x' }, scope());
    expect(result._meta?.['dev.mcpeg/error']).toMatchObject({ code: 'DRIVER_MISSING' });
    expect(text(result)).toContain('[db] needs the package "mcpeg-test-no-such-driver", which is not installed: run npm install mcpeg-test-no-such-driver');
    expect(text(await gateway.dispatcher.callTool('other__echo', { text: 'x' }, scope()))).toBe('hello x');
  });
});

describe('recovery timer', () => {
  it('restarts a failed service even when the backoff timer fires before the clock says the wait is over', async () => {
    gateway = await gatewayFrom('services: { svc: { driver: echo, fail_start: 1, recovery: { initial_delay: 50ms, max_delay: 50ms } } }', [echoType()]);
    await gateway.dispatcher.callTool('svc__echo', { text: 'x' }, scope());
    expect(gateway.host('svc')?.phase).toBe('failed');
    // From here the wall clock lags the timers by 30 ms, as it can by a millisecond in real life.
    const realNow = Date.now;
    Date.now = () => realNow() - 30;
    try {
      await expect.poll(() => gateway!.host('svc')?.phase, { timeout: 3000 }).toBe('running');
    } finally {
      Date.now = realNow;
    }
  });
});
