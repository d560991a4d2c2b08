// Every ```yaml block of docs/operations.md is a real input, validated with loadConfig. As in
// docs/configuration.md, the HTML comment on the line above a block says what it is:
//   (none)                    it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem.
// Any other marker fails, so no block is ever skipped silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { describeIssues, loadText } from '../config/load.js';
import { yamlBlocks } from '../config/markdown-yaml.js';

const path = fileURLToPath(new URL('../../docs/operations.md', import.meta.url));
const doc = readFileSync(path, 'utf8');
const blocks = yamlBlocks(doc);
/** Variables the examples reference, set as an operator would. */
const ENV = {
  MCPEG_ADMIN_KEY: 'docs-example-admin-key-0123456789',
  MCPEG_API_KEY_HASH: `sha256:${'ab'.repeat(32)}`,
};

describe('docs/operations.md', () => {
  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const marker = block.marker ?? '';
    const result = await loadText(block.text, { env: ENV });
    const where = `docs/operations.md:${block.line}`;
    if (marker === '') {
      if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
    } else if (marker.startsWith('invalid:')) {
      const expected = marker.slice('invalid:'.length).trim();
      if (result.ok) expect.fail(`${where} is marked invalid but validates`);
      expect(result.issues.map((issue) => issue.message).join('\n'), where).toContain(expected);
    } else {
      expect.fail(`${where}: unknown marker "<!-- ${marker} -->"; use invalid: or none`);
    }
  });

  test('lists every metric the gateway exports', async () => {
    const source = readFileSync(fileURLToPath(new URL('../../src/operations/metrics.ts', import.meta.url)), 'utf8');
    const families = [...source.matchAll(/out\.family\('([a-z_]+)'/g)].map((match) => match[1]!);
    expect(families.length).toBeGreaterThan(20);
    for (const family of families) expect(doc, `docs/operations.md must document ${family}`).toContain(family);
  });

  test('names every admin route and CLI verb', () => {
    for (const route of ['/admin/status', '/admin/services', '/admin/reload', '/admin/catalog', '/enable', '/disable', '/restart']) expect(doc).toContain(route);
    for (const verb of ['mcpeg status', 'mcpeg services', 'mcpeg enable', 'mcpeg disable', 'mcpeg restart', 'mcpeg reload']) expect(doc).toContain(verb);
  });
});
