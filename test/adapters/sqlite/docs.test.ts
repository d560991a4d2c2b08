// Every ```yaml block of docs/services/sqlite.md and docs/services/sql.md is a real input, validated with
// loadConfig (the sqlite type registered next to the built-ins). As in docs/configuration.md, the HTML
// comment on the line above a block says what it is:
//   (none)                    it must validate;
//   <!-- needs: a, b -->      it uses service types not registered: its only problems are those types
//                             being unknown — and once they are all registered, it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem.
// Any other marker fails, so no block is ever skipped silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import sqliteType from '../../../src/adapters/sqlite/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';

const types = [sqliteType as ServiceType<unknown>];
/** Variables the examples reference, set as an operator would. */
const ENV = { ORDERS_DSN: 'postgres://app:orders-pass@db.internal:5432/orders', SHOP_DB: '/var/lib/shop/shop.db' };

for (const doc of ['sqlite.md', 'sql.md']) {
  const path = fileURLToPath(new URL(`../../../docs/services/${doc}`, import.meta.url));
  const blocks = yamlBlocks(readFileSync(path, 'utf8'));

  describe(`docs/services/${doc}`, () => {
    test('has YAML examples to check (the extraction found them)', () => {
      expect(blocks.length).toBeGreaterThanOrEqual(3);
    });

    test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
      const marker = block.marker ?? '';
      const result = await loadText(block.text, { types, env: ENV });
      const where = `docs/services/${doc}:${block.line}`;
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
  });
}
