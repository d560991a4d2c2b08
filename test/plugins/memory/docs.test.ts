// Every ```yaml block of docs/plugins/memory.md is a real input (test/helpers/docs-examples.ts), and the
// schema error the page quotes is the one a user of its namespaces example gets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { checkDocsExamples } from '../../helpers/docs-examples.js';
import { caller, cleanup, gateway, tempDir } from './memory-fixture.js';

const path = fileURLToPath(new URL('../../../docs/plugins/memory.md', import.meta.url));
const { blocks } = checkDocsExamples('docs/plugins/memory.md', { minimumBlocks: 5 });

afterAll(cleanup);

describe('docs/plugins/memory.md', () => {
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
