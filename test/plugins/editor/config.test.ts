// The editor's config: ADR-020's seed example as written, the schema's refusals, where relative folders
// resolve, workspace creation, and several workspaces as roots.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { editorConfigSchema, workspaceFolders } from '../../../src/plugins/editor/index.js';
import { describeIssues, loadText } from '../../config/load.js';
import { blockUnder, SEED_ENV, seedYaml } from '../../config/seeds.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { call, cleanup, ok, sandbox, track } from './editor-fixture.js';

afterAll(cleanup);

const blocks = seedYaml('004_');

describe.skipIf(!blocks)('ADR-020 seed', () => {
  const seed = blockUnder(blocks, 'Configuration Management');

  it('the seed block as written has no problem under plugins.editor', async () => {
    const result = await loadText(seed, { env: SEED_ENV });
    const editorIssues = result.ok ? [] : result.issues.filter((issue) => issue.path.startsWith('plugins.editor'));
    expect(editorIssues, describeIssues(editorIssues)).toEqual([]);
    expect(result.registry.get('editor')?.category).toBe('editor');
  });

  it('its editor entry resolves to the built-in editor type with the seed values', async () => {
    const editorOnly = stringify({ plugins: { editor: (parse(seed) as { plugins: { editor: unknown } }).plugins.editor } });
    const result = await loadText(editorOnly, { env: SEED_ENV });
    if (!result.ok) expect.fail(describeIssues(result.issues));
    const service = result.config.services[0]!;
    expect([service.name, service.section, service.type, service.category, service.enabled]).toEqual(['editor', 'plugins', 'editor', 'editor', true]);
    expect(service.config).toMatchObject({
      workspace_dir: './build/data/workspaces',
      max_file_size: 10_000_000,
      allowed_extensions: ['.go', '.yaml', '.json', '.md'],
      allow_hardlinks: false,
      read_only: false,
      search_timeout: 10_000,
    });
    expect(Object.isFrozen(service.config)).toBe(true);
  });
});

describe('schema', () => {
  const problems = async (config: string) => {
    const result = await loadText(`plugins:\n  editor:\n    config:\n${config.replace(/^/gm, '      ')}\n`);
    return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
  };

  it('refuses unknown keys, with their path', async () => {
    expect(await problems('workspace_dir: ws\nworkspace_directory: ws')).toEqual([expect.stringMatching(/^plugins\.editor\.config.*workspace_directory/)]);
  });

  it('needs a workspace', async () => {
    expect((await problems('max_file_size: 1MB')).join('\n')).toContain('needs a workspace: set workspace_dir:');
  });

  it('refuses bad sizes, durations and extension entries', async () => {
    expect((await problems('workspace_dir: ws\nmax_file_size: huge')).join('\n')).toContain('is not a size');
    expect((await problems('workspace_dir: ws\nmax_file_size: 0')).join('\n')).toContain('at least 1 byte');
    expect((await problems('workspace_dir: ws\nsearch_timeout: soon')).join('\n')).toContain('is not a duration');
    expect((await problems('workspace_dir: ws\nallowed_extensions: ["../x"]')).join('\n')).toContain('cannot contain /');
    expect((await problems('workspace_dir: ws\nallowed_extensions: ["."]')).join('\n')).toContain('is not an extension');
    expect((await problems('workspace_dir: "a\\0b"')).join('\n')).toContain('NUL');
  });

  it('defaults: 10 MB, every extension, hard links refused, writable, 10 s searches', () => {
    expect(editorConfigSchema.parse({ workspace_dir: 'ws' })).toEqual({
      workspace_dir: 'ws',
      max_file_size: 10_000_000,
      allowed_extensions: [],
      allow_hardlinks: false,
      read_only: false,
      search_timeout: 10_000,
    });
  });
});

describe('workspace folders', () => {
  it('relative folders resolve against the working directory, like the sqlite path:', () => {
    expect(workspaceFolders({ workspace_dir: './build/data/workspaces' }, '/srv/mcpeg')).toEqual(['/srv/mcpeg/build/data/workspaces']);
    expect(workspaceFolders({ workspace_dir: '/abs/ws', workspaces: ['more', '/abs/ws'] }, '/srv')).toEqual(['/abs/ws', '/srv/more']);
  });

  it('a missing workspace folder is created on first use', async () => {
    const box = sandbox();
    const nested = join(box.base, 'ws', 'not', 'yet', 'there');
    const gateway = track(await gatewayFrom(`plugins:\n  ed:\n    driver: editor\n    workspace_dir: ${JSON.stringify(nested)}\n`));
    await ok(gateway, 'ed__write_file', { path: 'a.md', content: 'a' });
    expect(readFileSync(join(nested, 'a.md'), 'utf8')).toBe('a');
  });

  it('a workspace that is a file fails the service with a clear error', async () => {
    const box = sandbox();
    writeFileSync(join(box.ws, 'file'), '');
    const gateway = track(await gatewayFrom(`plugins:\n  ed:\n    driver: editor\n    workspace_dir: ${JSON.stringify(join(box.ws, 'file'))}\n`));
    const failed = await call(gateway, 'ed__list_directory', {});
    expect(failed.ok).toBe(false);
    expect(failed.text).toContain('cannot use the workspace folder');
    expect(failed.text).toContain('workspace_dir');
  });

  it('several workspaces are roots: relative paths go to the first, absolute paths to any, links between them are followed', async () => {
    const box = sandbox();
    const second = join(box.base, 'ws', 'second-root-inside'); // nested roots resolve to the longest match
    const third = join(box.ws, '..', 'ws-third');
    mkdirSync(second);
    writeFileSync(join(second, 'two.md'), 'two');
    const gateway = track(
      await gatewayFrom(`plugins:
  ed:
    driver: editor
    config:
      workspace_dir: ${JSON.stringify(box.ws)}
      workspaces: [${JSON.stringify(second)}, ${JSON.stringify(third)}]
`),
    );
    await ok(gateway, 'ed__write_file', { path: 'one.md', content: 'one' });
    expect(readFileSync(join(box.ws, 'one.md'), 'utf8')).toBe('one');
    await ok(gateway, 'ed__write_file', { path: join(third, 'three.md'), content: 'three' });
    expect(readFileSync(join(box.base, 'ws-third', 'three.md'), 'utf8')).toBe('three');
    expect((await ok(gateway, 'ed__read_file', { path: join(second, 'two.md') })).text).toBe('two');
    symlinkSync(join(box.base, 'ws-third'), join(box.ws, 'to-third'));
    expect((await ok(gateway, 'ed__read_file', { path: 'to-third/three.md' })).text).toBe('three');
    const listed = await ok(gateway, 'ed__list_workspaces', {});
    expect(listed.structured?.workspaces).toHaveLength(3);
    const outside = await call(gateway, 'ed__read_file', { path: join(box.outside, 'secret.txt') });
    expect(outside.text).toContain('outside the workspace roots');
  });
});
