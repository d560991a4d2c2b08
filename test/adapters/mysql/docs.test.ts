// docs/services/mysql.md stays honest: every YAML example validates with the mysql type, and the
// statements it recommends are the ones the read-only corpus runs with.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/bootstrap.js';
import mysqlType from '../../../src/adapters/mysql/index.js';
import type { ServiceType } from '../../../src/sdk/index.js';
import { quietLogger } from '../../helpers/gateway.js';

const DOC = fileURLToPath(new URL('../../../docs/services/mysql.md', import.meta.url));
const markdown = readFileSync(DOC, 'utf8');
const blocks = (lang: string) => [...markdown.matchAll(/^```([^\n`]*)\n([\s\S]*?)\n```\s*$/gm)].filter((match) => match[1]!.trim() === lang).map((match) => match[2]!);

/** Values for the `${VAR}` references of the examples: a DSN where the name says DSN, a password otherwise. */
function environment(text: string): Record<string, string> {
  const names = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]!);
  return Object.fromEntries(names.map((name) => [name, name.endsWith('DSN') ? 'app@tcp(db.internal:3306)/orders' : 'example-password']));
}

describe('docs/services/mysql.md', () => {
  const yaml = blocks('yaml');

  it('has YAML examples', () => {
    expect(yaml.length).toBeGreaterThanOrEqual(8);
  });

  it.each(yaml.map((body, index) => [index + 1, body] as const))('YAML example %i validates', async (_index, body) => {
    const loaded = await loadConfig({
      text: body,
      origin: '/tmp/mcpeg-docs-mysql.yaml',
      env: environment(body),
      logger: quietLogger(),
      types: [mysqlType as ServiceType<unknown>],
    });
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it('recommends the grants the read-only corpus runs with', () => {
    const sql = blocks('sql').join('\n');
    expect(sql).toContain('GRANT SELECT, SHOW VIEW ON shop.* TO');
    const corpus = readFileSync(fileURLToPath(new URL('./read-only-bypass.test.ts', import.meta.url)), 'utf8');
    expect(corpus).toContain("const READER_GRANTS = 'SELECT, SHOW VIEW';");
  });

  it('shows the exact DSN of the seed', () => {
    expect(markdown).toContain('dsn: "user:pass@tcp(localhost:3306)/dbname"');
  });
});
