// Every ```yaml block of docs/configuration.md is a real input. A block is checked according to the HTML comment
// on the line above it:
//   (none)                    it must validate, and the published JSON Schema must accept it;
//   <!-- needs: a, b -->      it uses service types not shipped yet: its only problems are those types being
//                             unknown — and once they are all registered, it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem; when an
//                             <!-- output --> block follows, that is exactly what mcpeg validate prints.
// Any other marker fails, so no block is ever skipped silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatIssues } from '../../src/bootstrap.js';
import { describeIssues, loadText } from './load.js';
import { yamlBlocks } from './markdown-yaml.js';
import { schemaIssues } from './schema-check.js';
import { expectOnlyUnknownTypes } from './unknown-types.js';

const DOC = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));
/** Loaded as if it sat at the repository root, so `module: ./examples/notes-plugin/index.js` is the real example. */
const ORIGIN = fileURLToPath(new URL('../../mcpeg.yaml', import.meta.url));
/** The variables the examples reference, set as an operator would. A new one in the doc must be added here. */
const ENV = {
  ORDERS_DSN: 'postgres://app:orders-pass@db.internal:5432/orders',
  ORDERS_PASSWORD: 'orders-pass',
  REPORTS_DSN: 'postgres://app:reports-pass@db.internal:5432/reports',
  VAULT_DB_DSN: 'postgres://vault:vault-pass@db.internal:5432/vault',
  MYSQL_DSN: 'app:app-pass@tcp(db.internal:3306)/orders',
  VAULT_TOKEN: 'hvs.docs-example-token',
  WEATHER_API_KEY: 'wx-docs-example-key',
  MCPEG_ADMIN_KEY: 'docs-example-admin-key-0123456789',
};

const blocks = yamlBlocks(readFileSync(DOC, 'utf8'));

describe('docs/configuration.md', () => {
  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))(
    'example at %s',
    async (_, block) => {
      const marker = block.marker ?? '';
      const result = await loadText(block.text, { env: ENV, origin: ORIGIN });
      const where = `docs/configuration.md:${block.line}`;

      if (marker === '') {
        if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
        expect(await schemaIssues(block.text), `${where}: the JSON Schema rejects it`).toEqual([]);
      } else if (marker.startsWith('needs:')) {
        const needed = marker
          .slice('needs:'.length)
          .split(',')
          .map((name) => name.trim());
        const unknown = result.ok
          ? []
          : result.issues.map((issue) => /^unknown service type "([^"]+)"/.exec(issue.message)?.[1]);
        for (const type of unknown)
          expect(
            needed,
            `${where}: a problem other than a needed type:\n${describeIssues(result.ok ? [] : result.issues)}`,
          ).toContain(type);
        const missing = needed.filter((type) => result.registry.get(type) === undefined);
        expect([...new Set(unknown)].sort(), `${where}: needs: lists types the example does not use`).toEqual(
          missing.sort(),
        );
        if (!result.ok) {
          expectOnlyUnknownTypes(
            result,
            result.issues.map((issue) => ({
              service: issue.path,
              type: /^unknown service type "([^"]+)"/.exec(issue.message)![1]!,
              at: issue.path,
            })),
          );
        }
        expect(await schemaIssues(block.text), `${where}: the JSON Schema rejects it`).toEqual([]);
      } else if (marker.startsWith('invalid:')) {
        const expected = marker.slice('invalid:'.length).trim();
        if (result.ok) expect.fail(`${where} is marked invalid but validates`);
        expect(result.issues.map((issue) => issue.message).join('\n'), where).toContain(expected);
        if (block.next?.marker === 'output') {
          const count = `${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in mcpeg.yaml`;
          expect(block.next.text.trimEnd(), `${where}: the output shown is not what mcpeg validate prints`).toBe(
            `${formatIssues('mcpeg.yaml', result.issues)}\n\n${count}`,
          );
        }
      } else {
        expect.fail(`${where}: unknown marker "<!-- ${marker} -->"; use needs:, invalid: or none`);
      }
    },
  );
});
