// ADR-020's plugin configuration, read from the seed itself: it loads unchanged, each plugin resolving
// to the built-in type named by its key (editor, git, memory), with the seed's settings.
import { describe, expect, test } from 'vitest';
import { loadValid, serviceNamed } from './load.js';
import { blockUnder, SEED_ENV, seedYaml } from './seeds.js';

const blocks = seedYaml('004_');

describe.skipIf(!blocks)('ADR-020 seed plugin configuration', () => {
  const plugins = blockUnder(blocks, 'Configuration Management');

  test('validates as three plugins on the built-in editor, git and memory types', async () => {
    const config = await loadValid(plugins, { env: SEED_ENV });
    expect(config.services.map((service) => [service.name, service.type, service.section, service.enabled])).toEqual([
      ['editor', 'editor', 'plugins', true],
      ['git', 'git', 'plugins', true],
      ['memory', 'memory', 'plugins', true],
    ]);
    expect(serviceNamed(config, 'memory').timeoutMs).toBe(30_000);
  });

  test("keeps the seed's settings, units parsed", async () => {
    const config = await loadValid(plugins, { env: SEED_ENV });
    expect(serviceNamed(config, 'editor').config).toMatchObject({
      workspace_dir: './build/data/workspaces',
      allowed_extensions: ['.go', '.yaml', '.json', '.md'],
    });
    expect((serviceNamed(config, 'editor').config as { max_file_size: number }).max_file_size).toBeGreaterThanOrEqual(10_000_000);
    expect(serviceNamed(config, 'git').config).toMatchObject({ default_branch: 'main', auth_methods: ['ssh', 'https'], clone_depth: 50 });
    expect(serviceNamed(config, 'memory').config).toMatchObject({ storage_path: './build/data/memory_storage.json', backup_interval: 3_600_000 });
  });
});
