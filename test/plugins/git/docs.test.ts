// Every ```yaml block of docs/plugins/git.md is a real input (test/helpers/docs-examples.ts), and the
// page's tools table lists exactly the tools the type declares.
import { describe, expect, test } from 'vitest';
import gitType from '../../../src/plugins/git/index.js';
import { gitConfigSchema } from '../../../src/plugins/git/config.js';
import type { ServiceContext } from '../../../src/sdk/service-type.js';
import { quietLogger } from '../../helpers/gateway.js';
import { checkDocsExamples } from '../../helpers/docs-examples.js';

/** Variables the examples reference, set as an operator would. */
const ENV = { GIT_TOKEN: 'token-from-env', GITHUB_TOKEN: 'ghp_example' };
const { markdown } = checkDocsExamples('docs/plugins/git.md', { env: ENV, minimumBlocks: 6 });

describe('docs/plugins/git.md', () => {
  test('the tools table lists every tool the type declares, and no other', () => {
    const config = gitConfigSchema.parse({});
    const ctx = { name: 'git', config, timeoutMs: 30_000, logger: quietLogger() } as unknown as ServiceContext<typeof config>;
    const declared = (gitType.create(ctx).tools?.() ?? []).map((tool) => tool.name).sort();
    const tools = markdown.slice(markdown.indexOf('## Tools'), markdown.indexOf('### Merge conflicts'));
    const documented = [...tools.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]).sort();
    expect(documented).toEqual(declared);
  });
});
