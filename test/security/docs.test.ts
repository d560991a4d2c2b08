// Every ```yaml block of docs/security.md is a real input, validated with loadConfig. As in
// docs/configuration.md, the HTML comment on the line above a block says what it is: none (it must
// validate) or <!-- invalid: TEXT --> (it must be rejected with TEXT in a problem). Any other marker fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { describeIssues, loadText } from '../config/load.js';
import { yamlBlocks } from '../config/markdown-yaml.js';

const path = fileURLToPath(new URL('../../docs/security.md', import.meta.url));
const blocks = yamlBlocks(readFileSync(path, 'utf8'));

describe('docs/security.md', () => {
  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const marker = block.marker ?? '';
    const result = await loadText(block.text, {});
    const where = `docs/security.md:${block.line}`;
    if (marker === '') {
      if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
    } else if (marker.startsWith('invalid:')) {
      if (result.ok) expect.fail(`${where} is marked invalid but validates`);
      expect(result.issues.map((issue) => issue.message).join('\n'), where).toContain(marker.slice('invalid:'.length).trim());
    } else {
      expect.fail(`${where}: unknown marker "<!-- ${marker} -->"; use invalid: or none`);
    }
  });
});
