// ADR-020's plugin configuration, read from the seed itself. The editor, git and memory plugins land with later
// issues: until then each fails with exactly its unknown-type error; once registered they must validate.
import { describe, expect, test } from 'vitest';
import { loadText, loadValid, serviceNamed } from './load.js';
import { seedTypeDoubles } from './seed-doubles.js';
import { blockUnder, SEED_ENV, seedYaml } from './seeds.js';
import { expectOnlyUnknownTypes } from './unknown-types.js';

const blocks = seedYaml('004_');

describe.skipIf(!blocks)('ADR-020 seed plugin configuration', () => {
  const plugins = blockUnder(blocks, 'Configuration Management');

  test('the only issues are the unknown types editor, git and memory', async () => {
    const result = await loadText(plugins, { env: SEED_ENV });
    expectOnlyUnknownTypes(
      result,
      ['editor', 'git', 'memory'].map((name) => ({ service: `plugins.${name}`, type: name, at: `plugins.${name}` })),
    );
  });

  test('with test doubles named editor, git and memory it validates as three plugins', async () => {
    const types = seedTypeDoubles({ editor: 'editor', git: 'git', memory: 'memory' });
    const config = await loadValid(plugins, { env: SEED_ENV, types });
    expect(config.services.map((service) => [service.name, service.section, service.enabled])).toEqual([
      ['editor', 'plugins', true],
      ['git', 'plugins', true],
      ['memory', 'plugins', true],
    ]);
    expect(serviceNamed(config, 'memory').timeoutMs).toBe(30_000);
  });
});
