// One stdio child shared by 100 concurrent clients: every response reaches the client that asked, none
// is lost. Then the child is killed mid-load: its calls fail at once naming the service, the gateway
// restarts it, calls succeed again — and another service of the same gateway never notices.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../helpers/servers.js';
import { gatewayOnHttp, NODE, resultText, SDK_UPSTREAM, yamlList } from './helpers.js';

const CLIENTS = 100;
const CALLS_PER_CLIENT = 5;

const service = (name: string) => `
  ${name}:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([SDK_UPSTREAM, 'stdio'])}
    recovery: { initial_delay: 200ms, max_delay: 1s }
    # The kill below fails many calls at once; keep the breaker out of the way to watch the restart itself.
    circuit_breaker: { threshold: 10000 }
    bulkhead: { max_concurrent: 200, max_queue: 1000 }`;

describe('100 concurrent clients through one stdio upstream', () => {
  let gateway: Awaited<ReturnType<typeof gatewayOnHttp>>;
  let clients: Client[];

  beforeAll(async () => {
    gateway = await gatewayOnHttp(`services:${service('up')}${service('other')}\n`);
    clients = await Promise.all(Array.from({ length: CLIENTS }, (_, index) => httpClient(gateway.url, index % 2 === 0 ? 'legacy' : 'auto')));
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled((clients ?? []).map((client) => client.close()));
    await gateway?.close();
  });

  it('answers every call to the client that made it: none crossed, none lost', async () => {
    const pid = resultText(await clients[0]!.callTool({ name: 'up__pid', arguments: {} }));
    const results = await Promise.all(
      clients.map(async (client, c) => {
        const answers: string[] = [];
        for (let n = 0; n < CALLS_PER_CLIENT; n++) answers.push(resultText(await client.callTool({ name: 'up__echo', arguments: { text: `client ${c} call ${n}` } })));
        return answers;
      }),
    );
    results.forEach((answers, c) => expect(answers).toEqual(Array.from({ length: CALLS_PER_CLIENT }, (_, n) => `echo: client ${c} call ${n}`)));
    // Still the same single child.
    expect(resultText(await clients[1]!.callTool({ name: 'up__pid', arguments: {} }))).toBe(pid);
  }, 60_000);

  it('killed mid-load: its calls fail fast naming the service, it restarts, the other service never notices', async () => {
    const pid = Number(resultText(await clients[0]!.callTool({ name: 'up__pid', arguments: {} })));
    const started = Date.now();
    const slow = clients.slice(0, 20).map((client) => client.callTool({ name: 'up__slow', arguments: { ms: 10_000, steps: 10 } }));
    // The other service keeps answering while `up` dies and restarts.
    let otherFailures = 0;
    let otherCalls = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const result = await clients[50]!.callTool({ name: 'other__echo', arguments: { text: 'still here' } });
        otherCalls++;
        if (resultText(result) !== 'echo: still here') otherFailures++;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(pid, 'SIGKILL');

    const outcomes = await Promise.all(slow);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5000); // failed at once, not after the 10 s the calls would have taken
    for (const outcome of outcomes) {
      expect(outcome.isError).toBe(true);
      expect(resultText(outcome)).toMatch(/^\[up\] .*killed by SIGKILL/);
    }

    // It comes back by itself (backoff 200 ms) with a new child, and calls succeed again.
    await expect
      .poll(async () => resultText(await clients[3]!.callTool({ name: 'up__echo', arguments: { text: 'back' } })), { timeout: 10_000, interval: 200 })
      .toBe('echo: back');
    const newPid = Number(resultText(await clients[3]!.callTool({ name: 'up__pid', arguments: {} })));
    expect(newPid).not.toBe(pid);
    expect(gateway.gateway.host('up')!.status()).toMatchObject({ phase: 'running', restarts: 1 });

    watching = false;
    await watcher;
    expect(otherCalls).toBeGreaterThan(0);
    expect(otherFailures).toBe(0);
    expect(gateway.gateway.host('other')!.status()).toMatchObject({ phase: 'running', restarts: 0, lastError: undefined });
  }, 60_000);
});
