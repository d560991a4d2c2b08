// A folder swapped for a symbolic link between check and use (TOCTOU). Deterministic: the walk's test
// hook swaps at the worst moments (right after a folder was opened, and after the path was resolved,
// before the tool touches the file). Nondeterministic: a separate process swaps a folder and a link
// as fast as it can while a real gateway reads and writes through that path hundreds of times.
// Either way: zero bytes read from or written outside the workspace.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { WalkHook } from '../../../src/plugins/editor/index.js';
import { call, cleanup, directEditor, editorGateway, expectOutsideUntouched, type Sandbox, sandbox, SECRET, snapshot } from './editor-fixture.js';

afterAll(cleanup);

/** ws/dir/file.md holds "inside"; outside/file.md holds the secret, so a redirected walk would find it. */
function stage(box: Sandbox) {
  mkdirSync(join(box.ws, 'dir'));
  writeFileSync(join(box.ws, 'dir', 'file.md'), 'inside\n');
  mkdirSync(join(box.ws, 'dir', 'sub'));
  writeFileSync(join(box.ws, 'dir', 'sub', 'deep.md'), 'inside\n');
  mkdirSync(join(box.outside, 'sub'));
  writeFileSync(join(box.outside, 'sub', 'deep.md'), `${SECRET}\n`);
  writeFileSync(join(box.outside, 'file.md'), `${SECRET}\n`);
  return { ...box, sentinels: snapshot(box.outside) };
}

/** Replaces ws/dir with a link to outside/, keeping the real folder as ws/dir.moved. */
function swapDir(box: Sandbox) {
  renameSync(join(box.ws, 'dir'), join(box.ws, 'dir.moved'));
  symlinkSync(box.outside, join(box.ws, 'dir'));
}

/** A hook that swaps once, when `stage` is reached for `name`. */
function swapOnce(box: Sandbox, when: 'opened' | 'resolved', name: string, swap: (box: Sandbox) => void): { hook: WalkHook; fired: () => boolean } {
  let fired = false;
  return {
    fired: () => fired,
    hook: ({ stage: at, name: seen }) => {
      if (!fired && at === when && seen === name) {
        fired = true;
        swap(box);
      }
    },
  };
}

describe('a folder swapped for a link at the worst moment (test hook)', () => {
  /** label, tool, arguments, the final name the walk resolves (when the 'resolved' hook fires). */
  const calls: [string, string, Record<string, unknown>, string][] = [
    ['read', 'read_file', { path: 'dir/file.md' }, 'file.md'],
    ['write', 'write_file', { path: 'dir/file.md', content: 'written\n' }, 'file.md'],
    ['create', 'create_file', { path: 'dir/new.md', content: 'new\n' }, 'new.md'],
    ['edit', 'edit_file', { path: 'dir/file.md', old_text: 'inside', new_text: 'edited' }, 'file.md'],
    ['list', 'list_directory', { path: 'dir/sub' }, 'sub'],
    ['search', 'search', { pattern: 'SENTINEL|inside', path: 'dir/sub' }, 'sub'],
    ['delete', 'delete', { path: 'dir/file.md', confirm: true }, 'file.md'],
    ['move', 'move', { from: 'dir/file.md', to: 'moved.md' }, 'file.md'],
    ['format', 'format', { path: 'dir/file.md', format: 'yaml' }, 'file.md'],
    ['validate', 'validate', { path: 'dir/file.md', format: 'yaml' }, 'file.md'],
    ['create_directory', 'create_directory', { path: 'dir/newdir' }, 'newdir'],
  ];

  test.each(calls)('%s: swapped right after the folder was opened', async (_, tool, args) => {
    const box = stage(sandbox());
    const { hook, fired } = swapOnce(box, 'opened', 'dir', swapDir);
    const { call: direct } = await directEditor(box, { procFd: true, hook });
    const outcome = await direct(tool, args);
    expect(fired()).toBe(true);
    expect(outcome.text).not.toContain(SECRET);
    expect(JSON.stringify(outcome.structured ?? {})).not.toContain(SECRET);
    expectOutsideUntouched(box);
    // The walk kept the folder it had opened: what the tool did, it did in dir.moved.
    expect(outcome.ok, outcome.text).toBe(true);
    if (tool === 'read_file') expect(outcome.text).toBe('inside\n');
    if (tool === 'create_file') expect(existsSync(join(box.ws, 'dir.moved', 'new.md'))).toBe(true);
    if (tool === 'write_file') expect(readFileSync(join(box.ws, 'dir.moved', 'file.md'), 'utf8')).toBe('written\n');
    if (tool === 'search') expect(outcome.structured?.matches).toHaveLength(1);
  });

  test.each(calls)('%s: swapped after the path was resolved, before the file is touched', async (_, tool, args, final) => {
    const box = stage(sandbox());
    const { hook, fired } = swapOnce(box, 'resolved', final, swapDir);
    const { call: direct } = await directEditor(box, { procFd: true, hook });
    const outcome = await direct(tool, args);
    expect(fired()).toBe(true);
    expect(outcome.text).not.toContain(SECRET);
    expect(JSON.stringify(outcome.structured ?? {})).not.toContain(SECRET);
    expectOutsideUntouched(box);
  });

  test('the final name swapped for a link to an outside file after resolution: the read is refused', async () => {
    const box = stage(sandbox());
    const { hook, fired } = swapOnce(box, 'resolved', 'file.md', (b) => {
      unlinkSync(join(b.ws, 'dir', 'file.md'));
      symlinkSync(join(b.outside, 'file.md'), join(b.ws, 'dir', 'file.md'));
    });
    const { call: direct } = await directEditor(box, { procFd: true, hook });
    const outcome = await direct('read_file', { path: 'dir/file.md' });
    expect(fired()).toBe(true);
    expect(outcome.ok).toBe(false);
    expect(outcome.text).toContain('replaced by a symbolic link');
    expectOutsideUntouched(box);
  });

  test('the final name swapped for a link after resolution: a write replaces the link, not the outside file', async () => {
    const box = stage(sandbox());
    const { hook } = swapOnce(box, 'resolved', 'file.md', (b) => {
      unlinkSync(join(b.ws, 'dir', 'file.md'));
      symlinkSync(join(b.outside, 'file.md'), join(b.ws, 'dir', 'file.md'));
    });
    const { call: direct } = await directEditor(box, { procFd: true, hook });
    const outcome = await direct('write_file', { path: 'dir/file.md', content: 'written\n' });
    expect(outcome.text).not.toContain(SECRET);
    expectOutsideUntouched(box);
  });

  test('without /proc, a folder swapped after it was opened is detected by the descriptor/path check', async () => {
    const box = stage(sandbox());
    const { hook, fired } = swapOnce(box, 'opened', 'dir', swapDir);
    const { call: direct } = await directEditor(box, { procFd: false, hook });
    const outcome = await direct('read_file', { path: 'dir/file.md' });
    expect(fired()).toBe(true);
    expect(outcome.ok).toBe(false);
    expect(outcome.text).toContain('no longer inside the workspace');
    expectOutsideUntouched(box);
  });
});

/** A child process that swaps ws/dir and a link to outside/ in a tight loop until killed. */
function startSwapper(box: Sandbox) {
  const script = `
    const fs = require('node:fs');
    const [dir, moved, outside] = process.argv.slice(1);
    process.stdout.write('ready\\n');
    for (;;) {
      try { fs.renameSync(dir, moved); fs.symlinkSync(outside, dir); } catch {}
      try { fs.unlinkSync(dir); fs.renameSync(moved, dir); } catch {}
    }`;
  const child = spawn(process.execPath, ['-e', script, join(box.ws, 'dir'), join(box.ws, 'dir.moved'), box.outside], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return {
    ready,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

test('a process swapping the folder and a link in a loop never gets a byte in or out', { timeout: 120_000 }, async () => {
  const box = stage(sandbox());
  const gateway = await editorGateway(box);
  const swapper = startSwapper(box);
  await swapper.ready;
  const outcomes = { ok: 0, refused: 0 };
  try {
    for (let round = 0; round < 150; round++) {
      const results = await Promise.all([
        call(gateway, 'ed__read_file', { path: 'dir/file.md' }),
        call(gateway, 'ed__write_file', { path: `dir/w${round % 5}.md`, content: `round ${round}\n` }),
        call(gateway, 'ed__list_directory', { path: 'dir' }),
        call(gateway, 'ed__search', { pattern: 'SENTINEL', path: 'dir' }),
        call(gateway, 'ed__create_file', { path: `dir/c${round}.md`, content: 'c' }),
      ]);
      for (const outcome of results) {
        expect(outcome.text).not.toContain(SECRET);
        expect(JSON.stringify(outcome.structured ?? {})).not.toContain(SECRET);
        outcomes[outcome.ok ? 'ok' : 'refused']++;
      }
    }
  } finally {
    await swapper.stop();
  }
  expect(outcomes.ok + outcomes.refused).toBe(750);
  expect(outcomes.ok).toBeGreaterThan(0); // the race did not just make every call fail
  // Put the folder back if the swapper was killed mid-swap, then check the outside.
  if (existsSync(join(box.ws, 'dir.moved'))) {
    rmSync(join(box.ws, 'dir'), { force: true });
    renameSync(join(box.ws, 'dir.moved'), join(box.ws, 'dir'));
  }
  expectOutsideUntouched(box);
});
