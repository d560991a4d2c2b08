import { it, expect } from 'vitest';
import { gatewayFrom } from '../helpers/gateway.js';
import { ANONYMOUS } from '../../src/transports/mcp-server.js';
import type { RequestScope } from '../../src/core/gateway.js';
import { resolve } from 'node:path';

const scope = (): RequestScope => ({
  signal: new AbortController().signal, era: 'modern', principal: ANONYMOUS, clientCapabilities: {}, meta: undefined,
  progress: async () => {}, log: async () => {}, inputResponses: undefined, requestState: () => undefined,
  mintRequestState: async () => 'x', elicit: () => Promise.reject(new Error('no')), createMessage: () => Promise.reject(new Error('no')), listRoots: async () => ({ roots: [] }),
});
it('explore', async () => {
  const path = resolve('examples/notes-plugin/index.js');
  const gw = await gatewayFrom(`plugins:\n  notes:\n    module: ${path}\n    config: { seed: [a] }\n`);
  console.log(gw.dispatcher.listTools(undefined).tools.map((t) => t.name));
  for (let i = 0; i < 6; i++) {
    try { await gw.dispatcher.readResource('notes://99', scope()); } catch (e) { console.log(i, (e as Error).message, (e as {code?: unknown}).code); }
  }
  try { console.log(await gw.dispatcher.readResource('notes://1', scope())); } catch (e) { console.log('after', (e as Error).message, (e as {data?: unknown}).data); }
  console.log(JSON.stringify(await gw.dispatcher.callTool('notes__list_notes', {}, scope())));
  console.log(gw.health().services);
  await gw.shutdown(100);
  expect(1).toBe(1);
});
