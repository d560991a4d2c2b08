// The walk opens a descriptor per folder on the way; every one must be closed again, on success and on
// every refusal. Runs the escape corpus twice (the first warms Node's own lazily opened descriptors up)
// and checks that the second leaves the process with exactly as many open descriptors as before.
import { readdirSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { call, cleanup, editorGateway, sandbox } from './editor-fixture.js';
import { ESCAPE_CASES, plantTraps } from './escape-corpus.js';

afterAll(cleanup);

const openDescriptors = () => readdirSync('/proc/self/fd').length;

test.skipIf(process.platform !== 'linux')('no descriptor leaks across the whole escape corpus', { timeout: 120_000 }, async () => {
  const box = sandbox();
  plantTraps(box);
  const gateway = await editorGateway(box);
  const runAll = async () => {
    for (const escape of ESCAPE_CASES) {
      if (escape.tool === 'delete' || escape.tool === 'move' || escape.before) continue; // keep the traps in place for both runs
      await call(gateway, `ed__${escape.tool}`, escape.args(box));
    }
    await call(gateway, 'ed__list_directory', { recursive: true, include_hidden: true });
  };
  await runAll();
  const before = openDescriptors();
  await runAll();
  await runAll();
  expect(openDescriptors()).toBe(before);
});
