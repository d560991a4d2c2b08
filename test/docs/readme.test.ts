// Keeps the README and the user docs honest: the quick start is the one users type, the snippets
// parse, the example config validates, the CLI flags exist, and relative links lead somewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bootstrap.js';
import { quietLogger } from '../helpers/gateway.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = ['README.md', 'docs/architecture.md', 'docs/plugins.md', 'docs/errors.md'];

/** Fenced code blocks of a markdown text, with their info string. */
function blocks(markdown: string): { lang: string; body: string }[] {
  return [...markdown.matchAll(/^(`{3,})([^\n`]*)\n([\s\S]*?)\n\1\s*$/gm)].map((match) => ({
    lang: match[2]!.trim(),
    body: match[3]!,
  }));
}

describe('README.md', () => {
  it('gives the quick start users type', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(readme).toContain('http://127.0.0.1:3000/mcp');
  });

  it('has client snippets that are valid JSON', () => {
    const json = blocks(readme).filter((block) => block.lang === 'json');
    expect(json.length).toBeGreaterThanOrEqual(6);
    for (const block of json) expect(() => JSON.parse(block.body), block.body).not.toThrow();
    const parsed = json.map((block) => JSON.parse(block.body) as Record<string, unknown>);
    expect(
      parsed.some((config) => 'servers' in config),
      'a VS Code snippet (key "servers")',
    ).toBe(true);
    expect(
      parsed.some((config) => 'mcpServers' in config),
      'Claude Desktop / Cursor snippets (key "mcpServers")',
    ).toBe(true);
  });

  it('shows an example config that validates', async () => {
    const yaml = blocks(readme).find((block) => block.lang === 'yaml');
    expect(yaml).toBeDefined();
    // The README says to save it as mcpeg.yaml in the checkout: relative module paths resolve from there.
    const loaded = await loadConfig({
      text: yaml!.body,
      origin: join(ROOT, 'mcpeg.yaml'),
      env: {},
      logger: quietLogger(),
    });
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it('documents only flags the CLI has', () => {
    const cli = join(ROOT, 'dist/cli/main.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
    const rows = readme.split('\n').filter((line) => line.startsWith('| `mcpeg '));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) {
      const command = /^\| `mcpeg ([a-z]+)/.exec(row)?.[1];
      if (!command) continue;
      const help = execFileSync(process.execPath, [cli, command, '--help'], { encoding: 'utf8' });
      const usage = row.split('|')[1]!;
      for (const flag of usage.match(/--[a-z-]+/g) ?? []) expect(help, `mcpeg ${command} --help`).toContain(flag);
    }
  });
});

describe('relative links in the docs', () => {
  for (const doc of DOCS) {
    it(`lead to existing files from ${doc}`, () => {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((match) => match[1]!.split('#')[0]!)
        .filter((target) => target !== '' && !/^[a-z]+:/.test(target));
      const missing = targets.filter((target) => {
        const path = join(dirname(join(ROOT, doc)), target);
        return !existsSync(path);
      });
      expect(missing, `${doc} links to missing files`).toEqual([]);
    });
  }
});
