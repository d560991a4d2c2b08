// A run is a process group: on timeout, on cancellation by a real MCP client, and on shutdown the whole
// group is killed — the program, its children and its grandchildren, even ones that ignore SIGTERM (they
// get SIGKILL after kill_grace). A program that exits leaving a child behind does not hang the call, and
// the child is stopped too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { text } from '../../helpers/scope.js';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { alive, call, cleanup, errorCode, FIXTURE, gateway, NODE, q, tempDir } from './script-fixture.js';

interface Family {
  self: number;
  child: number;
  grandchild: number;
}

let dir: string;
let gw: Gateway;
let runs = 0;

/** A fresh file for a run's pids. */
const pidFile = () => join(dir, `pids-${++runs}.json`);
/** The pids a run wrote to `file`, once the file is complete. */
const familyIn = async (file: string): Promise<Family> => {
  const read = () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Family;
    } catch {
      return undefined;
    }
  };
  await expect.poll(read, { timeout: 10_000 }).toBeDefined();
  return read()!;
};
const allGone = async (family: Partial<Family>) => {
  for (const pid of Object.values(family)) await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
};

/** The services under test; each HTTP test serves a gateway of its own (closing the server shuts it down). */
const yaml = () => `services:
  procs:
    driver: script
    timeout: 60s
    kill_grace: 300ms
    commands:
      family:
        description: Starts a child and a grandchild that ignore SIGTERM, then hangs
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, family, '{file}']
        parameters: { file: { type: string } }
        timeout: 1500ms
      family_long:
        description: The same, with a long timeout (for cancellation)
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, family, '{file}']
        parameters: { file: { type: string } }
        progress: lines
      orphan:
        description: Exits at once, leaving a child that holds stdout open
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, orphan, '{file}']
        parameters: { file: { type: string } }
`;

beforeAll(async () => {
  dir = tempDir();
  gw = await gateway(yaml());
});
afterAll(cleanup);

describe('script runs are process groups', () => {
  it('a timeout kills the program, its child and its grandchild (SIGTERM ignored → SIGKILL), with a clear error', async () => {
    const file = pidFile();
    const started = Date.now();
    const result = await call(gw, 'procs__family', { file });
    expect(result.isError).toBe(true);
    expect(errorCode(result)).toBe('CALL_TIMEOUT');
    expect(text(result)).toContain('[procs] tool family ran past its 1500 ms timeout; its process group was killed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    // The error comes only once SIGKILL has ended the members that ignored SIGTERM.
    const family = await familyIn(file);
    for (const pid of Object.values(family)) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('cancellation by a real MCP client (notifications/cancelled over HTTP) kills the whole group', async () => {
    const server = await serveHttp(await gateway(yaml()));
    let client: Client | undefined;
    try {
      client = await httpClient(server.url, 'auto');
      const file = pidFile();
      const controller = new AbortController();
      const running = client.callTool({ name: 'procs__family_long', arguments: { file } }, { signal: controller.signal, onprogress: () => {} });
      const family = await familyIn(file);
      expect(alive(family.grandchild)).toBe(true);
      controller.abort();
      await expect(running).rejects.toThrow();
      await allGone(family);
      // The service keeps working after a cancelled run.
      const next = await client.callTool({ name: 'procs__orphan', arguments: { file: pidFile() } });
      expect(next.isError).toBeFalsy();
    } finally {
      await client?.close();
      await server.close();
    }
  });

  it('legacy-era clients cancel the same way', async () => {
    const server = await serveHttp(await gateway(yaml()));
    let client: Client | undefined;
    try {
      client = await httpClient(server.url, 'legacy');
      const file = pidFile();
      const controller = new AbortController();
      const running = client.callTool({ name: 'procs__family_long', arguments: { file } }, { signal: controller.signal });
      const family = await familyIn(file);
      controller.abort();
      await expect(running).rejects.toThrow();
      await allGone(family);
    } finally {
      await client?.close();
      await server.close();
    }
  });

  it('a program that exits leaving a child holding stdout open returns promptly, and the child is stopped', async () => {
    const file = pidFile();
    const started = Date.now();
    const result = await call(gw, 'procs__orphan', { file });
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toBe('left a child behind\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    const family = await familyIn(file);
    await allGone(family);
  });

  it('shutting the gateway down kills runs still going, and returns only once their groups are gone', async () => {
    const own = await gateway(`services:
  procs:
    driver: script
    kill_grace: 300ms
    commands:
      family:
        description: hangs
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, family, '{file}']
        parameters: { file: { type: string } }
`);
    const file = pidFile();
    const running = call(own, 'procs__family', { file });
    const family = await familyIn(file);
    await own.shutdown(200);
    // Stopping the service waited for SIGTERM, kill_grace and SIGKILL: nothing is left to poll for.
    for (const pid of Object.values(family)) expect(alive(pid), `pid ${pid}`).toBe(false);
    const result = await running;
    expect(result.isError).toBe(true);
  });
});
