// Every ```yaml block of docs/operations.md is a real input (test/helpers/docs-examples.ts says how the
// markers work); and the page names every metric, admin route and CLI verb there is.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { checkDocsExamples } from '../helpers/docs-examples.js';

/** Variables the examples reference, set as an operator would. */
const ENV = {
  MCPEG_ADMIN_KEY: 'docs-example-admin-key-0123456789',
  MCPEG_API_KEY_HASH: `sha256:${'ab'.repeat(32)}`,
};
const { markdown: doc } = checkDocsExamples('docs/operations.md', { env: ENV, minimumBlocks: 5 });

describe('docs/operations.md', () => {
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
