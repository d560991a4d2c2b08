// The check: a client calls continuously while the config file changes 50 times — zero failed
// calls on unchanged services, new services appear, removed ones vanish, and the connected client (a real
// SDK client on a legacy HTTP session, notifications on its GET stream) receives list_changed.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { httpClient } from '../helpers/servers.js';
import { configFile, eventually, type Running, runGateway } from './helpers.js';

const probe = createOpsProbe();
const file = configFile(config(0));
let running: Running;
let client: Client;

function config(round: number): string {
  return [
    'services:',
    '  stable:',
    '    driver: ops',
    '  changing:',
    '    driver: ops',
    '    config:',
    `      greeting: round${round}`,
    `  extra_${round}:`,
    '    driver: ops',
    '',
  ].join('\n');
}

beforeAll(async () => {
  running = await runGateway(file.path, [opsType(probe)]);
  client = await httpClient(running.url, 'legacy');
});

afterAll(async () => {
  await client?.close();
  await running?.close();
  file.cleanup();
});

test('50 reloads under continuous calls: no failed call on the unchanged service, clients told about every change', { timeout: 120_000 }, async () => {
  let notified = 0;
  client.setNotificationHandler('notifications/tools/list_changed', async () => {
    notified++;
  });
  const stableHost = running.gateway.host('stable');
  let stop = false;
  const failures: string[] = [];
  let calls = 0;
  const caller = async (id: number) => {
    while (!stop) {
      try {
        const result = await client.callTool({ name: 'stable__work', arguments: { text: `c${id}` } });
        if (result.isError) failures.push(JSON.stringify(result.content));
        else calls++;
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const callers = [caller(1), caller(2), caller(3)];

  for (let round = 1; round <= 50; round++) {
    const before = running.ops.reloader.counts.success;
    file.write(config(round));
    await eventually(() => running.ops.reloader.counts.success > before, `reload ${round}`, 20_000);
    expect(running.gateway.catalog.tool(`extra_${round}__work`), `extra_${round} appears`).toBeDefined();
    expect(running.gateway.catalog.tool(`extra_${round - 1}__work`), `extra_${round - 1} vanishes`).toBeUndefined();
  }
  stop = true;
  await Promise.all(callers);

  expect(failures).toEqual([]);
  expect(calls).toBeGreaterThan(50);
  expect(running.ops.reloader.counts).toEqual({ success: 50, failure: 0 });
  // The unchanged service kept its one instance through all 50 reloads.
  expect(running.gateway.host('stable')).toBe(stableHost);
  expect(probe.created.get('stable')).toHaveLength(1);
  expect(probe.created.get('changing')!.length).toBeGreaterThanOrEqual(50);

  const tools = (await client.listTools()).tools.map((tool) => tool.name);
  expect(tools).toContain('extra_50__work');
  expect(tools).not.toContain('extra_49__work');
  expect((await client.callTool({ name: 'changing__work', arguments: { text: 'x' } })).content).toEqual([{ type: 'text', text: 'round50 x' }]);
  // Every reload changed the tool list; notifications may coalesce, but the client heard about them.
  await eventually(() => notified >= 10, 'list_changed notifications on the GET stream');
});
