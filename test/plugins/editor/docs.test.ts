// Every ```yaml block of docs/plugins/editor.md is a real input, validated with loadConfig (the built-in
// types registered). As in docs/configuration.md, the HTML comment on the line above a block says what it is:
//   (none)                    it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem.
// Any other marker fails, so no block is ever skipped silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';

const path = fileURLToPath(new URL('../../../docs/plugins/editor.md', import.meta.url));
const blocks = yamlBlocks(readFileSync(path, 'utf8'));

describe('docs/plugins/editor.md', () => {
  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const marker = block.marker ?? '';
    const result = await loadText(block.text);
    const where = `docs/plugins/editor.md:${block.line}`;
    if (marker === '') {
      if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
      for (const service of result.config.services) expect(service.type, where).toBe('editor');
    } else if (marker.startsWith('invalid:')) {
      const expected = marker.slice('invalid:'.length).trim();
      if (result.ok) expect.fail(`${where} is marked invalid but validates`);
      expect(result.issues.map((issue) => issue.message).join('\n'), where).toContain(expected);
    } else {
      expect.fail(`${where}: unknown marker "<!-- ${marker} -->"; use invalid: or none`);
    }
  });

  test('names every tool the plugin offers', async () => {
    const { editorTools } = await import('../../../src/plugins/editor/index.js');
    const { editorConfigSchema } = await import('../../../src/plugins/editor/config.js');
    const config = editorConfigSchema.parse({ workspace_dir: '/tmp/x' });
    const text = readFileSync(path, 'utf8');
    const names = editorTools({ service: 'x', config, workspace: {} as never, policy: { maxBytes: 1 } as never, lock: {} as never, logger: {} as never }).map((tool) => tool.name);
    for (const name of names) expect(text, name).toContain(`| \`${name}\` |`);
  });
});
