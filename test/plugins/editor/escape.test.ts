// The path-escape corpus (escape-corpus.ts) through a real gateway — argument validation, pipeline and
// error boundary included — and, for the portable mode without /proc/self/fd, through the same tools
// wired by hand. For every case: the expected outcome, nothing outside the workspace changed or
// created, and the sentinel secret in no result.
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { call, cleanup, directEditor, editorGateway, expectOutsideUntouched, type Outcome, sandbox, SECRET } from './editor-fixture.js';
import { ESCAPE_CASES, plantTraps } from './escape-corpus.js';

afterAll(cleanup);

test('the corpus has at least 50 cases, each with a unique name', () => {
  expect(ESCAPE_CASES.length).toBeGreaterThanOrEqual(50);
  expect(new Set(ESCAPE_CASES.map((escape) => escape.name)).size).toBe(ESCAPE_CASES.length);
});

function judge(escape: (typeof ESCAPE_CASES)[number], outcome: Outcome) {
  const shown = `${escape.tool} → ${outcome.ok ? 'ok' : 'refused'}: ${outcome.text}`;
  expect(outcome.text, shown).not.toContain(SECRET);
  expect(JSON.stringify(outcome.structured ?? {}), shown).not.toContain(SECRET);
  if (escape.expect === 'refused') {
    expect(outcome.ok, shown).toBe(false);
    expect(outcome.code ?? 'INVALID_ARGUMENTS', shown).toBe('INVALID_ARGUMENTS');
  }
  if (escape.expect === 'allowed') expect(outcome.ok, shown).toBe(true);
}

describe('path escape corpus through the gateway (descriptor walk via /proc/self/fd)', () => {
  test.each(ESCAPE_CASES.map((escape) => [escape.name, escape] as const))('%s', async (_, escape) => {
    const box = sandbox();
    plantTraps(box);
    const gateway = await editorGateway(box);
    for (const step of escape.before ?? []) await call(gateway, `ed__${step.tool}`, step.args(box));
    const outcome = await call(gateway, `ed__${escape.tool}`, escape.args(box));
    judge(escape, outcome);
    expectOutsideUntouched(box);
    await escape.after?.(box);
  });
});

describe('path escape corpus in the portable mode (real-path strings, no /proc)', () => {
  test.each(ESCAPE_CASES.map((escape) => [escape.name, escape] as const))('%s', async (_, escape) => {
    const box = sandbox();
    plantTraps(box);
    const { call: direct } = await directEditor(box, { procFd: false });
    for (const step of escape.before ?? []) await direct(step.tool, step.args(box));
    const outcome = await direct(escape.tool, escape.args(box));
    judge(escape, outcome);
    expectOutsideUntouched(box);
    await escape.after?.(box);
  });
});

test('deleting a folder that holds a climbing link keeps everything the link pointed to', async () => {
  const box = sandbox();
  plantTraps(box);
  const gateway = await editorGateway(box);
  expect(readlinkSync(join(box.ws, 'inner', 'up'))).toBe('../..');
  const outcome = await call(gateway, 'ed__delete', { path: 'inner', confirm: true, recursive: true });
  expect(outcome.ok, outcome.text).toBe(true);
  expect(existsSync(join(box.ws, 'inner'))).toBe(false);
  expect(existsSync(join(box.ws, 'inside.md'))).toBe(true);
  expectOutsideUntouched(box);
});
