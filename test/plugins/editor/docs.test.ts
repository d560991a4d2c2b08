// Every ```yaml block of docs/plugins/editor.md is a real input (test/helpers/docs-examples.ts); the valid
// ones configure editor services only. And the page's tools table names every tool the plugin offers.
import { describe, expect, test } from 'vitest';
import { checkDocsExamples } from '../../helpers/docs-examples.js';

const { markdown } = checkDocsExamples('docs/plugins/editor.md', {
  minimumBlocks: 5,
  whenValid: (config, where) => {
    for (const service of config.services) expect(service.type, where).toBe('editor');
  },
});

describe('docs/plugins/editor.md', () => {
  test('names every tool the plugin offers', async () => {
    const { editorTools } = await import('../../../src/plugins/editor/index.js');
    const { editorConfigSchema } = await import('../../../src/plugins/editor/config.js');
    const config = editorConfigSchema.parse({ workspace_dir: '/tmp/x' });
    const names = editorTools({ service: 'x', config, workspace: {} as never, policy: { maxBytes: 1 } as never, lock: {} as never, logger: {} as never }).map((tool) => tool.name);
    for (const name of names) expect(markdown, name).toContain(`| \`${name}\` |`);
  });
});
