// The memory plugin's configuration: ADR-020's example loads unchanged with the real built-in type, and
// mistakes are errors with their path.
import { describe, expect, test } from 'vitest';
import { seedTypeDoubles } from '../../config/seed-doubles.js';
import { describeIssues, loadInvalid, loadText, loadValid, serviceNamed } from '../../config/load.js';
import { blockUnder, SEED_ENV, seedYaml } from '../../config/seeds.js';

const blocks = seedYaml('004_');

describe.skipIf(!blocks)('ADR-020 seed: the memory plugin', () => {
  test('loads unchanged; plugins.memory without module: is the built-in memory type, its settings parsed', async () => {
    const plugins = blockUnder(blocks, 'Configuration Management');
    // editor and git may not be built in yet: stand-ins for them only (a built-in keeps its name).
    const result = await loadText(plugins, { env: SEED_ENV, types: seedTypeDoubles({ editor: 'editor', git: 'git' }) });
    if (!result.ok) expect.fail(describeIssues(result.issues));
    // The built-in, not a stand-in: the registry holds the real type under this name.
    expect(result.registry.get('memory')?.version).toBe('1.0.0');
    const config = result.config;
    const memory = serviceNamed(config, 'memory');
    expect(memory.type).toBe('memory');
    expect(memory.category).toBe('memory');
    expect(memory.config).toMatchObject({
      storage_path: './build/data/memory_storage.json',
      cache_size: 100_000_000,
      backup_interval: 3_600_000,
      synchronous: 'full',
      json_export: true,
    });
    expect(Object.isFrozen(memory.config)).toBe(true);
  });
});

describe('memory config mistakes', () => {
  test('unknown keys, bad units, bad namespace names and invalid schemas are errors with their path', async () => {
    const issues = await loadInvalid(`plugins:
  memory:
    config:
      storage_path: ./m.json
      cache_size: lots
      backup_interval: hourly
      backup_keep: 0
      synchronous: off
      colour: blue
      namespaces:
        "bad name": {}
        people:
          schema: { type: nonsense }
          ttl: forever
          extra: 1
`);
    const text = describeIssues(issues);
    expect(text).toContain('plugins.memory.config.cache_size');
    expect(text).toContain('is not a size');
    expect(text).toContain('plugins.memory.config.backup_interval');
    expect(text).toContain('plugins.memory.config.backup_keep');
    expect(text).toContain('plugins.memory.config.synchronous');
    expect(text).toContain('unknown key "colour"');
    expect(text).toContain('a namespace name is 1-64 letters');
    expect(text).toContain('plugins.memory.config.namespaces.people.schema');
    expect(text).toContain('is not a valid JSON Schema');
    expect(text).toContain('plugins.memory.config.namespaces.people.ttl');
    expect(text).toContain('unknown key "extra"');
  });

  test('defaults: storage under data/memory, a 16 MB cache, hourly snapshots, 24 kept', async () => {
    const config = await loadValid('plugins:\n  memory: {}\n');
    expect(serviceNamed(config, 'memory').config).toMatchObject({
      storage_path: 'data/memory/memory.json',
      cache_size: 16_000_000,
      backup_interval: 3_600_000,
      backup_keep: 24,
      busy_timeout: 5000,
      max_value_size: 1_000_000,
    });
  });
});
