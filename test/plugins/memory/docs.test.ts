// Every ```yaml block of docs/plugins/memory.md is a real input, validated with loadConfig (the memory type
// is built in). As in docs/configuration.md, the HTML comment on the line above a block says what it is:
//   (none)                    it must validate;
//   <!-- needs: a, b -->      it uses service types not registered: its only problems are those types
//                             being unknown — and once they are all registered, it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem.
// Any other marker fails, so no block is ever skipped silently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';
import { caller, cleanup, gateway, tempDir } from './memory-fixture.js';

const path = fileURLToPath(new URL('../../../docs/plugins/memory.md', import.meta.url));
const blocks = yamlBlocks(readFileSync(path, 'utf8'));

afterAll(cleanup);

describe('docs/plugins/memory.md', () => {
  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const marker = block.marker ?? '';
    const result = await loadText(block.text, { env: {} });
    const where = `docs/plugins/memory.md:${block.line}`;
    if (marker === '') {
      if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
    } else if (marker.startsWith('needs:')) {
      const needed = marker
        .slice('needs:'.length)
        .split(',')
        .map((name) => name.trim());
      const missing = needed.filter((type) => result.registry.get(type) === undefined);
      if (missing.length === 0) {
        if (!result.ok) expect.fail(`${where}: every type it needs is registered, so it must validate:\n${describeIssues(result.issues)}`);
        return;
      }
      if (result.ok) expect.fail(`${where} needs ${missing.join(', ')}, which are not registered, yet it validated`);
      for (const issue of result.issues) {
        const type = /^unknown service type "([^"]+)"/.exec(issue.message)?.[1];
        expect(type && missing.includes(type), `${where}: a problem other than a needed type:\n${describeIssues([issue])}`).toBe(true);
      }
    } else if (marker.startsWith('invalid:')) {
      const expected = marker.slice('invalid:'.length).trim();
      if (result.ok) expect.fail(`${where} is marked invalid but validates`);
      expect(result.issues.map((issue) => issue.message).join('\n'), where).toContain(expected);
    } else {
      expect.fail(`${where}: unknown marker "<!-- ${marker} -->"; use needs:, invalid: or none`);
    }
  });

  test('the schema error shown in the docs is the one a user of the namespaces example gets', async () => {
    const example = blocks.find((block) => block.heading.startsWith('Namespaces'));
    expect(example).toBeDefined();
    const yaml = example!.text.replace('./data/memory.json', join(tempDir(), 'memory.json'));
    const { fails, ok } = caller(await gateway(yaml));
    const failure = await fails('memory__memory_set', { key: 'bob', namespace: 'people', value: { name: '', age: -1 } });
    expect(readFileSync(path, 'utf8')).toContain(`\n${failure.text}\n`);
    await ok('memory__memory_set', { key: 'ada', namespace: 'people', value: { name: 'Ada', email: 'ada@example.org' } });
    expect((await fails('memory__memory_set', { key: 'x', namespace: 'elsewhere', value: 1 })).text).toContain('strict_namespaces');
  });
});
