// docs/services/postgres.md shows real configs: every ```yaml block must validate with the postgres type
// registered. And the postgres examples of docs/configuration.md (marked `needs: postgres` until the type is
// built in) must have no problem left but the other types they still wait for.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import postgres from '../../../src/adapters/postgres/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';

const types = [postgres as ServiceType<unknown>];
const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');
const ORIGIN = fileURLToPath(new URL('../../../mcpeg.yaml', import.meta.url));

describe('docs/services/postgres.md', () => {
  const blocks = yamlBlocks(read('docs/services/postgres.md'));

  test('has YAML examples (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s validates', async (_, block) => {
    expect(block.marker, 'this page has no markers: every example must be valid').toBeUndefined();
    const result = await loadText(block.text, { types, env: { ORDERS_DB_PASSWORD: 'docs-example-password' }, origin: ORIGIN });
    if (!result.ok) expect.fail(`docs/services/postgres.md:${block.line} must validate:\n${describeIssues(result.issues)}`);
    expect(result.config.services.every((service) => service.type === 'postgres')).toBe(true);
  });
});

describe('docs/configuration.md examples that need postgres', () => {
  const ENV = {
    ORDERS_DSN: 'postgres://app:orders-pass@db.internal:5432/orders',
    ORDERS_PASSWORD: 'orders-pass',
    REPORTS_DSN: 'postgres://app:reports-pass@db.internal:5432/reports',
    VAULT_DB_DSN: 'postgres://vault:vault-pass@db.internal:5432/vault',
  };
  const blocks = yamlBlocks(read('docs/configuration.md')).filter((block) => /^needs:.*\bpostgres\b/.test(block.marker ?? ''));

  test.each(blocks.map((block) => [`line ${block.line}`, block] as const))('example at %s has no postgres problem', async (_, block) => {
    const others = block
      .marker!.slice('needs:'.length)
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== 'postgres');
    const result = await loadText(block.text, { types, env: ENV, origin: ORIGIN });
    const left = result.ok ? [] : result.issues.filter((issue) => !others.some((type) => issue.message.startsWith(`unknown service type "${type}"`)));
    expect(left, describeIssues(left)).toEqual([]);
  });
});
