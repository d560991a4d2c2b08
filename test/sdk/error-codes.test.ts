// Keeps the error codes, their documentation and their use in sync: every code in ERROR_CODES has a
// `### CODE` section in docs/errors.md saying what to do, every such section is a real code, and
// every `new GatewayError('CODE', …)` in src/ and examples/ uses a known code.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_META_KEY, SERVICE_FAILURE_RPC_CODE } from '../../src/core/error-boundary.js';
import { ERROR_CODES } from '../../src/sdk/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC_PATH = join(ROOT, 'docs/errors.md');
const doc = readFileSync(DOC_PATH, 'utf8');
const known = new Set<string>(ERROR_CODES);

/** `### NAME` sections of docs/errors.md: heading text → the section's body up to the next heading. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const headings = [...markdown.matchAll(/^(#{1,3}) (.+?)\s*$/gm)];
  headings.forEach((heading, index) => {
    if (heading[1] !== '###') return;
    const name = heading[2]!;
    if (out.has(name)) throw new Error(`docs/errors.md has two "### ${name}" sections`);
    const end = headings[index + 1]?.index ?? markdown.length;
    out.set(name, markdown.slice(heading.index! + heading[0].length, end));
  });
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('docs/errors.md', () => {
  const documented = sections(doc);

  it('has a section for every code in ERROR_CODES', () => {
    const missing = ERROR_CODES.filter((code) => !documented.has(code));
    expect(missing, `add a "### CODE" section to docs/errors.md for: ${missing.join(', ')}`).toEqual([]);
  });

  it('documents only real codes', () => {
    const unknown = [...documented.keys()].filter((name) => !known.has(name));
    expect(
      unknown,
      `these "###" sections of docs/errors.md name no code in ERROR_CODES: ${unknown.join(', ')}`,
    ).toEqual([]);
  });

  it('says in every section what the code means, where it shows and what to do', () => {
    for (const [code, body] of documented) {
      expect(body, `### ${code}`).toContain('**Means:**');
      expect(body, `### ${code}`).toContain('**Seen as:**');
      expect(body, `### ${code}`).toContain('**What to do:**');
    }
  });

  it('names the _meta key and the JSON-RPC codes the error boundary uses', () => {
    expect(doc).toContain(`"${ERROR_META_KEY}"`);
    expect(doc).toContain(`\`${SERVICE_FAILURE_RPC_CODE}\``);
    expect(doc).toContain('`-32602`');
    expect(doc).toContain('`-32603`');
  });
});

describe('GatewayError construction sites', () => {
  const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'examples'))];
  const uses = files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/new GatewayError\(\s*(['"`])([^'"`]*)\1/g)].map((match) => ({
      where: `${relative(ROOT, file)}:${text.slice(0, match.index).split('\n').length}`,
      code: match[2]!,
    }));
  });

  it('finds the construction sites (the scan works)', () => {
    expect(uses.length).toBeGreaterThan(20);
  });

  it('uses only codes from ERROR_CODES', () => {
    const bad = uses.filter((use) => !known.has(use.code)).map((use) => `${use.where} uses "${use.code}"`);
    expect(bad, 'add the code to ERROR_CODES (src/sdk/errors.ts) and document it, or use an existing one').toEqual([]);
  });
});
