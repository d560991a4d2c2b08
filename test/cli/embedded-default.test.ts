// The embedded default (config/default.yaml) is what `npm ci && npm start` serves: every service in it
// works with nothing installed beyond the project, and everything it writes lands under
// $MCPEG_DATA_DIR — never in the working directory the gateway was started from.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('the embedded default', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mcpeg-default-cwd-'));
  const data = join(mkdtempSync(join(tmpdir(), 'mcpeg-default-data-')), 'data');
  const env = { MCPEG_DATA_DIR: data };
  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await runCli(['call', tool, '--args', JSON.stringify(args)], { cwd, env, timeoutMs: 30_000 });
    expect(result.code, `${tool}: ${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };

  it('lists the demo database, the machine looks, the editor, git, memory and notes', async () => {
    const { code, stdout } = await runCli(['tools'], { cwd, env, timeoutMs: 30_000 });
    expect(code).toBe(0);
    for (const tool of ['demo__top_customers', 'system__date', 'editor__write_file', 'git__status', 'memory__create_entities', 'memory__memory_set', 'notes__add_note']) {
      expect(stdout).toContain(tool);
    }
  });

  it('every plugin works on the workspace under the data directory', async () => {
    expect(await call('system__date')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    await call('editor__write_file', { path: 'notes/hello.md', content: '# hello\n', create_parents: true });
    expect(await call('editor__read_file', { path: 'notes/hello.md' })).toContain('# hello');
    await call('git__init', { repo: 'project' });
    expect(await call('git__status', { repo: 'project' })).toContain('main');
    await call('memory__create_entities', { entities: [{ name: 'MCPEG', entityType: 'project', observations: ['serves the embedded default'] }] });
    expect(await call('memory__search_nodes', { query: 'embedded' })).toContain('MCPEG');
    expect(existsSync(join(data, 'workspace', 'notes', 'hello.md'))).toBe(true);
    expect(existsSync(join(data, 'workspace', 'project', '.git'))).toBe(true);
    expect(readdirSync(join(data, 'memory'))).toEqual(expect.arrayContaining(['memory.sqlite']));
    expect(readdirSync(cwd)).toEqual([]);
  });
});
