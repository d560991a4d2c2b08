// What is special about stdio upstreams: the child's environment and working directory, its stderr
// in the gateway log, one child shared by every client, the idle timeout, killing the process group,
// and change notifications (list_changed, resources/updated) flowing from the child to clients.
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type Mode } from '../../helpers/servers.js';
import { FAKE_UPSTREAM, NODE, recordedGateway, resultText, SDK_UPSTREAM, yamlList } from './helpers.js';

const stdio = (script: string, args: string[], extra = '') => `
services:
  up:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([script, ...args])}
${extra}`;

describe('a stdio upstream', () => {
  let gateway: Awaited<ReturnType<typeof recordedGateway>>;
  let client: Client;
  const cwd = realpathSync(tmpdir());

  beforeAll(async () => {
    process.env.MCPEG_TEST_GATEWAY_SECRET = 'must-not-leak';
    gateway = await recordedGateway(
      stdio(SDK_UPSTREAM, ['stdio'], `    cwd: ${JSON.stringify(cwd)}\n    env:\n      GREETING: configured\n`),
    );
    client = await httpClient(gateway.url, 'legacy');
  });
  afterAll(async () => {
    delete process.env.MCPEG_TEST_GATEWAY_SECRET;
    await client?.close();
    await gateway?.close();
  });

  it('gets the configured env over a minimal safe one, never the gateway’s own variables', async () => {
    expect(resultText(await client.callTool({ name: 'up__env', arguments: { name: 'GREETING' } }))).toBe('configured');
    expect(resultText(await client.callTool({ name: 'up__env', arguments: { name: 'MCPEG_TEST_GATEWAY_SECRET' } }))).toBe('(unset)');
    expect(resultText(await client.callTool({ name: 'up__env', arguments: { name: 'PATH' } }))).toBe(process.env.PATH);
  });

  it('runs in the configured working directory', async () => {
    expect(resultText(await client.callTool({ name: 'up__cwd', arguments: {} }))).toBe(cwd);
  });

  it('logs the child’s stderr line by line under the service name', () => {
    const line = gateway.log.find((entry) => entry.message.includes('sdk-upstream: serving on stdio'));
    expect(line).toMatchObject({ level: 'info', bindings: { service: 'up' }, fields: { stream: 'stderr' } });
  });

  it('is one child shared by every client', async () => {
    const other = await httpClient(gateway.url, 'auto');
    try {
      const pids = await Promise.all([client, other, client, other].map(async (c) => resultText(await c.callTool({ name: 'up__pid', arguments: {} }))));
      expect(new Set(pids).size).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('reports its health with ping or server/discover', async () => {
    expect(await gateway.gateway.host('up')!.health()).toMatchObject({ healthy: true, detail: expect.stringMatching(/upstream answering/) });
  });
});

describe.each<Mode>(['legacy', 'auto'])('change notifications from a stdio upstream (client in %s mode)', (mode) => {
  let gateway: Awaited<ReturnType<typeof recordedGateway>>;
  let client: Client;

  beforeAll(async () => {
    gateway = await recordedGateway(stdio(SDK_UPSTREAM, ['stdio']));
    client = await httpClient(gateway.url, mode);
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('an upstream tools list_changed re-lists it and tells the client', async () => {
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', async () => {
      changed++;
    });
    const listening = mode === 'auto' ? await client.listen({ toolsListChanged: true }) : undefined;
    await client.callTool({ name: 'up__add_tool', arguments: { name: `added_${mode}` } });
    await expect.poll(() => changed, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain(`up__added_${mode}`);
    expect(resultText(await client.callTool({ name: `up__added_${mode}`, arguments: {} }))).toBe(`I am added_${mode}`);
    await listening?.close();
  });

  it.runIf(mode === 'legacy')('a subscribed resource’s updates reach the subscriber', async () => {
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', async (notification) => {
      updated.push(notification.params.uri);
    });
    await client.subscribeResource({ uri: 'fixture://static' });
    await client.callTool({ name: 'up__touch', arguments: { uri: 'fixture://static' } });
    await expect.poll(() => updated, { timeout: 5000 }).toContain('fixture://static');
    await client.unsubscribeResource({ uri: 'fixture://static' });
  });
});

describe('idle timeout and shutdown', () => {
  let gateway: Awaited<ReturnType<typeof recordedGateway>> | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('stops the child after idle_timeout and starts it again on the next call', async () => {
    gateway = await recordedGateway(stdio(SDK_UPSTREAM, ['stdio'], '    idle_timeout: 300ms\n'));
    const client = await httpClient(gateway.url, 'legacy');
    const first = resultText(await client.callTool({ name: 'up__pid', arguments: {} }));
    await expect.poll(() => gateway!.log.some((entry) => /idle_timeout/.test(entry.message)), { timeout: 5000 }).toBe(true);
    await expect.poll(() => alive(Number(first)), { timeout: 5000 }).toBe(false);
    const second = resultText(await client.callTool({ name: 'up__pid', arguments: {} }));
    expect(second).not.toBe(first);
    expect(gateway.gateway.host('up')!.phase).toBe('running');
    await client.close();
  });

  it('kills the whole process group on shutdown (no orphaned grandchildren)', async () => {
    gateway = await recordedGateway(stdio(FAKE_UPSTREAM, ['well-behaved']));
    const client = await httpClient(gateway.url, 'legacy');
    const pid = Number(resultText(await client.callTool({ name: 'up__grandchild_pid', arguments: {} })));
    expect(alive(pid)).toBe(true);
    await client.close();
    await gateway.close();
    gateway = undefined;
    await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
