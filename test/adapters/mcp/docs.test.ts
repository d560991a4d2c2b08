// Every ```yaml block of docs/federation.md is a real config: it must validate with the `mcp` type
// registered — or, under <!-- invalid: TEXT -->, be rejected with TEXT in a problem. Secret files the
// examples read from /run/secrets/ are created in a temporary folder, and the paths pointed there.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import mcpServiceType from '../../../src/adapters/mcp/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';

const DOC = fileURLToPath(new URL('../../../docs/federation.md', import.meta.url));
const blocks = yamlBlocks(readFileSync(DOC, 'utf8'));
const secrets = mkdtempSync(join(tmpdir(), 'mcpeg-federation-docs-'));

/** Points /run/secrets/NAME at a file that exists, as a deployment would mount it. */
function withSecrets(text: string): string {
  return text.replace(/\/run\/secrets\/([\w.-]+)/g, (_, name: string) => {
    writeFileSync(join(secrets, name), `secret-for-${name}\n`);
    return join(secrets, name);
  });
}

describe('docs/federation.md', () => {
  test('has YAML examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const result = await loadText(withSecrets(block.text), { types: [mcpServiceType as ServiceType<unknown>] });
    const marker = block.marker ?? '';
    if (marker === '') {
      if (!result.ok) expect.fail(`docs/federation.md:${block.line} must validate:\n${describeIssues(result.issues)}`);
      expect(result.config.services.every((service) => service.type === 'mcp')).toBe(true);
    } else if (marker.startsWith('invalid:')) {
      if (result.ok) expect.fail(`docs/federation.md:${block.line} must be rejected`);
      expect(result.issues.map((issue) => issue.message).join('\n')).toContain(marker.slice('invalid:'.length).trim());
    } else {
      expect.fail(`docs/federation.md:${block.line} has an unknown marker <!-- ${marker} -->`);
    }
  });
});
