// Stdout lines become progress notifications that reach a real MCP client over HTTP: every line
// (progress: lines) or the percentages a pattern finds (progress bars that redraw with \r).
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { cleanup, FIXTURE, gateway, NODE, q } from './script-fixture.js';

let server: Awaited<ReturnType<typeof serveHttp>>;
let client: Client;

beforeAll(async () => {
  server = await serveHttp(
    await gateway(`services:
  long:
    driver: script
    commands:
      lines:
        description: Prints a line per step
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, steps, '{count}', '80']
        parameters: { count: { type: integer } }
        progress: lines
      percent:
        description: Redraws a percentage with carriage returns
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, steps, '{count}', '80', percent]
        parameters: { count: { type: integer } }
        progress: { pattern: '(\\d+)%' }
      quiet:
        description: The same steps, no progress configured
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, steps, '3', '10']
`),
  );
  client = await httpClient(server.url, 'auto');
});
afterAll(async () => {
  await client.close();
  await server.close();
  await cleanup();
});

describe('script progress notifications', () => {
  it('progress: lines sends each stdout line as a step, in order, before the result', async () => {
    const updates: { progress: number; message?: string }[] = [];
    const result = await client.callTool({ name: 'long__lines', arguments: { count: 5 } }, { onprogress: (update) => updates.push(update) });
    expect(result.isError).toBeFalsy();
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const values = updates.map((update) => update.progress);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
    expect(updates.at(-1)).toMatchObject({ progress: 6, message: 'done' });
    expect(updates[0]!.message).toMatch(/^step \d of 5$/);
  });

  it('a pattern turns the percentages of a \\r-redrawn progress bar into progress of 100', async () => {
    const updates: { progress: number; total?: number; message?: string }[] = [];
    const result = await client.callTool({ name: 'long__percent', arguments: { count: 4 } }, { onprogress: (update) => updates.push(update) });
    expect(result.isError).toBeFalsy();
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.every((update) => update.total === 100)).toBe(true);
    expect(updates.at(-1)).toMatchObject({ progress: 100, message: 'copying… 100%' });
    expect(updates.map((update) => update.progress).every((value) => [25, 50, 75, 100].includes(value))).toBe(true);
  });

  it('a tool without progress: sends none', async () => {
    const updates: unknown[] = [];
    const result = await client.callTool({ name: 'long__quiet', arguments: {} }, { onprogress: (update) => updates.push(update) });
    expect(result.isError).toBeFalsy();
    expect(updates).toEqual([]);
  });
});
