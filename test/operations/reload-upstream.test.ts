// An unchanged service keeps its upstream process across reloads (the same pid answers), a changed one
// gets a new process and the old one is stopped — with a real MCP server child on stdio.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { scope, text } from '../helpers/scope.js';
import { NODE, SDK_UPSTREAM, yamlList } from '../adapters/mcp/helpers.js';
import { configFile, eventually, type Running, runGateway } from './helpers.js';

const upstream = (greeting: string) => `
  up:
    type: mcp
    command: ${JSON.stringify(NODE)}
    args: ${yamlList([SDK_UPSTREAM, 'stdio'])}
    env:
      GREETING: ${greeting}
`;
const file = configFile(`services:${upstream('one')}  other:\n    driver: ops\n`);
let running: Running;

beforeAll(async () => {
  running = await runGateway(file.path, [opsType(createOpsProbe())], { watch: false });
});
afterAll(async () => {
  await running?.close();
  file.cleanup();
});

const pidOf = async () => Number(text(await running.gateway.dispatcher.callTool('up__pid', {}, scope())));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the upstream process survives reloads that do not change its service, and is replaced when it changes', { timeout: 60_000 }, async () => {
  const first = await pidOf();
  expect(first).toBeGreaterThan(0);

  file.write(`services:${upstream('one')}  other:\n    driver: ops\n    config:\n      greeting: changed\n  added:\n    driver: ops\n`);
  const outcome = await running.ops.reloader.reload('test');
  expect(outcome.ok && outcome.services).toMatchObject({ unchanged: ['up'], replaced: ['other'], added: ['added'] });
  expect(await pidOf()).toBe(first);
  expect(alive(first)).toBe(true);

  file.write(`services:${upstream('two')}  other:\n    driver: ops\n`);
  const changed = await running.ops.reloader.reload('test');
  expect(changed.ok && changed.services).toMatchObject({ replaced: ['up', 'other'], removed: ['added'] });
  const second = await pidOf();
  expect(second).not.toBe(first);
  expect(text(await running.gateway.dispatcher.callTool('up__env', { name: 'GREETING' }, scope()))).toBe('two');
  await eventually(() => !alive(first), 'the old upstream process to exit');
});
