// Every ```yaml block of a docs page is a real input, validated with loadConfig. The HTML comment on the
// line above a block says what it is (as in docs/configuration.md):
//   (none)                    it must validate;
//   <!-- needs: a, b -->      it uses service types not registered: its only problems are those types
//                             being unknown — and once they are all registered, it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem.
// Any other marker fails, so no block is ever skipped silently. Secret files the examples read from
// /run/secrets/ are created in a temporary folder and the paths pointed there, as a deployment mounts them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { GatewayConfig } from '../../src/config/model.js';
import type { ServiceType } from '../../src/sdk/service-type.js';
import { describeIssues, loadText } from '../config/load.js';
import { type YamlBlock, yamlBlocks } from '../config/markdown-yaml.js';

export interface DocsExamplesOptions {
  /** Service types registered beside the built-ins. */
  readonly types?: readonly ServiceType<unknown>[];
  /** Variables the examples reference, set as an operator would. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the config pretends to live (relative paths resolve from there). */
  readonly origin?: string;
  /** How many examples the page has at least: proof the extraction found them. */
  readonly minimumBlocks: number;
  /** More checks on an example that validated. */
  readonly whenValid?: (config: GatewayConfig, where: string) => void;
}

/** Declares the tests of the YAML examples of `page` (a path from the repository root); returns the page. */
export function checkDocsExamples(page: string, options: DocsExamplesOptions): { markdown: string; blocks: YamlBlock[] } {
  const markdown = readFileSync(fileURLToPath(new URL(`../../${page}`, import.meta.url)), 'utf8');
  const blocks = yamlBlocks(markdown);
  const secrets = mkdtempSync(join(tmpdir(), 'mcpeg-docs-secrets-'));
  const withSecrets = (text: string) =>
    text.replace(/\/run\/secrets\/([\w.-]+)/g, (_, name: string) => {
      writeFileSync(join(secrets, name), `secret-for-${name}\n`);
      return join(secrets, name);
    });

  describe(`${page} examples`, () => {
    test('has YAML examples to check (the extraction found them)', () => {
      expect(blocks.length).toBeGreaterThanOrEqual(options.minimumBlocks);
    });

    test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
      const marker = block.marker ?? '';
      const result = await loadText(withSecrets(block.text), {
        ...(options.types ? { types: options.types } : {}),
        env: { ...options.env },
        ...(options.origin ? { origin: options.origin } : {}),
      });
      const where = `${page}:${block.line}`;
      if (marker === '') {
        if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
        options.whenValid?.(result.config, where);
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
  return { markdown, blocks };
}
