// Every ```yaml block of docs/plugins/git.md is a real input, validated with loadConfig (built-in types
// registered, git among them). As in docs/configuration.md, the HTML comment on the line above a block
// says what it is: none — it must validate; `<!-- invalid: TEXT -->` — it must be rejected with TEXT in
// a problem. Any other marker fails, so no block is ever skipped silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import gitType from '../../../src/plugins/git/index.js';
import { gitConfigSchema } from '../../../src/plugins/git/config.js';
import type { ServiceContext } from '../../../src/sdk/service-type.js';
import { quietLogger } from '../../helpers/gateway.js';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';

/** Variables the examples reference, set as an operator would. */
const ENV = { GIT_TOKEN: 'token-from-env', GITHUB_TOKEN: 'ghp_example' };
const path = fileURLToPath(new URL('../../../docs/plugins/git.md', import.meta.url));
const markdown = readFileSync(path, 'utf8');
const blocks = yamlBlocks(markdown);

describe('docs/plugins/git.md', () => {
  test('the tools table lists every tool the type declares, and no other', () => {
    const config = gitConfigSchema.parse({});
    const ctx = { name: 'git', config, timeoutMs: 30_000, logger: quietLogger() } as unknown as ServiceContext<typeof config>;
    const declared = (gitType.create(ctx).tools?.() ?? []).map((tool) => tool.name).sort();
    const tools = markdown.slice(markdown.indexOf('## Tools'), markdown.indexOf('### Merge conflicts'));
    const documented = [...tools.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]).sort();
    expect(documented).toEqual(declared);
  });

  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const marker = block.marker ?? '';
    const result = await loadText(block.text, { env: ENV });
    const where = `docs/plugins/git.md:${block.line}`;
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
});
