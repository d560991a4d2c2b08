// The demo database: generated from a seeded PRNG (same seed, same rows), created atomically on first
// start (concurrent starts cannot corrupt it), then served read-only — with the named queries the
// embedded default config gives it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_COUNTS, DEMO_VERSION, demoDatabase } from '../../../src/adapters/sqlite/index.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';
import { scope, text } from '../../helpers/scope.js';
import { checksum, cleanup, createDatabase, gateway, listing, readDirect, tempDir } from './sqlite-fixture.js';

afterEach(cleanup);

/**
 * The demo service exactly as docs/services/sqlite.md shows it — the YAML proposed for the embedded
 * default config — with the file put in a temp dir (and renamed, for several services side by side).
 */
const DOC_YAML = yamlBlocks(readFileSync(fileURLToPath(new URL('../../../docs/services/sqlite.md', import.meta.url)), 'utf8')).find(
  (block) => block.heading === 'The demo database',
)!.text;
const demoService = (path: string, name = 'demo') => {
  const yaml = DOC_YAML.replace('${MCPEG_DATA_DIR:-.mcpeg}/demo.sqlite', path).replace(/^ {2}demo:$/m, `  ${name}:`);
  if (!yaml.includes(path) || !yaml.includes(`  ${name}:`)) throw new Error('the demo YAML of docs/services/sqlite.md changed shape');
  return yaml;
};

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const table = (name: string, seed?: number) => demoDatabase(seed).tables.find((candidate) => candidate.name === name)!;

describe('demo data: the generator', () => {
  it('is deterministic: the same seed gives the same rows, another seed other rows', () => {
    expect(hash(demoDatabase())).toBe(hash(demoDatabase()));
    expect(hash(demoDatabase(7))).not.toBe(hash(demoDatabase()));
  });

  it('has the promised size: 500 customers, 100 products, 2,000 orders, about 5,000 order lines', () => {
    expect(table('customers').rows).toHaveLength(DEMO_COUNTS.customers);
    expect(table('products').rows).toHaveLength(DEMO_COUNTS.products);
    expect(table('orders').rows).toHaveLength(DEMO_COUNTS.orders);
    const lines = table('order_items').rows.length;
    expect(lines).toBeGreaterThan(4500);
    expect(lines).toBeLessThan(5600);
  });

  it('looks like a real shop: unique emails on reserved domains, valid keys, statuses and dates', () => {
    const emails = table('customers').rows.map((row) => String(row[2]));
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.every((email) => /^[a-z.]+\.\d+@example\.(com|org|net)$/.test(email))).toBe(true);
    const orders = table('orders').rows;
    expect(orders.every((row) => Number(row[1]) >= 1 && Number(row[1]) <= DEMO_COUNTS.customers)).toBe(true);
    expect(new Set(orders.map((row) => row[3]))).toEqual(new Set(['pending', 'shipped', 'delivered', 'cancelled', 'refunded']));
    expect(orders.every((row) => /^202[3-5]-\d\d-\d\d \d\d:\d\d:\d\d$/.test(String(row[2])))).toBe(true);
    const lines = table('order_items').rows;
    expect(lines.every((row) => Number(row[2]) >= 1 && Number(row[2]) <= DEMO_COUNTS.products && Number(row[3]) >= 1)).toBe(true);
  });
});

describe('demo data: the service', () => {
  it('creates the database on first start (folders included), then serves it read-only', async () => {
    const dir = tempDir();
    const file = join(dir, 'data', 'nested', 'demo.sqlite');
    const started = await gateway(demoService(file));
    expect(started.dispatcher.listTools(undefined).tools.map((tool) => tool.name)).not.toContain('demo__execute');
    expect(text(await started.dispatcher.callTool('demo__list_tables', {}, scope()))).toBe(
      'customers (table)\norder_items (table)\norder_totals (view)\norders (table)\nproducts (table)',
    );
    expect(readDirect(file, 'PRAGMA user_version')).toEqual([{ user_version: DEMO_VERSION }]);
    expect(readDirect(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(readDirect(file, 'PRAGMA foreign_key_check')).toEqual([]);
    for (const name of ['customers', 'products', 'orders', 'order_items']) {
      expect(hash(readDirect(file, `SELECT * FROM ${name} ORDER BY id`).map((row) => Object.values(row as object))), name).toBe(hash(table(name).rows));
    }
    const orders = await started.dispatcher.callTool('demo__describe_table', { table: 'orders' }, scope());
    expect((orders as { structuredContent: any }).structuredContent).toMatchObject({
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['customer_id'], table: 'customers', references: ['id'] }],
      indexes: [
        { name: 'orders_customer_id', columns: ['customer_id'], unique: false },
        { name: 'orders_ordered_at', columns: ['ordered_at'], unique: false },
      ],
    });
    const write = await started.dispatcher.callTool('demo__query', { sql: 'DELETE FROM orders' }, scope());
    expect(write.isError).toBe(true);
    expect(readDirect(file, 'SELECT count(*) AS n FROM orders')).toEqual([{ n: DEMO_COUNTS.orders }]);
    expect(listing(join(dir, 'data', 'nested'))).toEqual(['demo.sqlite']);
  });

  it('the named queries of the default config answer real questions', async () => {
    const started = await gateway(demoService(join(tempDir(), 'demo.sqlite')));
    const top = (await started.dispatcher.callTool('demo__top_customers', {}, scope())) as { structuredContent: any };
    expect(top.structuredContent.columns.map((column: { name: string }) => column.name)).toEqual(['id', 'name', 'country', 'orders', 'spent']);
    expect(top.structuredContent.rowCount).toBe(10);
    const spent = top.structuredContent.rows.map((row: unknown[]) => row[4] as number);
    expect(spent).toEqual([...spent].sort((a, b) => b - a));
    const three = (await started.dispatcher.callTool('demo__top_customers', { limit: 3 }, scope())) as { structuredContent: any };
    expect(three.structuredContent.rows).toEqual(top.structuredContent.rows.slice(0, 3));
    const bad = await started.dispatcher.callTool('demo__top_customers', { limit: '3; DROP TABLE orders' }, scope());
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain('invalid arguments for demo__top_customers');
    const books = (await started.dispatcher.callTool('demo__sales_by_month', { category: 'Books' }, scope())) as { structuredContent: any };
    const all = (await started.dispatcher.callTool('demo__sales_by_month', {}, scope())) as { structuredContent: any };
    expect(books.structuredContent.rowCount).toBeGreaterThan(12);
    const total = (result: { structuredContent: any }) => result.structuredContent.rows.reduce((sum: number, row: unknown[]) => sum + (row[3] as number), 0);
    expect(total(books)).toBeLessThan(total(all));
    const unknown = await started.dispatcher.callTool('demo__sales_by_month', { category: 'Weapons' }, scope());
    expect(unknown.isError).toBe(true);
  });

  it('concurrent first starts on one path do not corrupt it: one complete database, no leftovers', async () => {
    const dir = tempDir();
    const file = join(dir, 'demo.sqlite');
    const gateways = await Promise.all([1, 2, 3, 4].map((n) => gateway(demoService(file, `demo${n}`))));
    const answers = await Promise.all(
      gateways.map((started, index) => started.dispatcher.callTool(`demo${index + 1}__query`, { sql: 'SELECT count(*) FROM order_items' }, scope())),
    );
    for (const answer of answers) expect((answer as { structuredContent: any }).structuredContent.rows).toEqual([[table('order_items').rows.length]]);
    expect(readDirect(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(listing(dir)).toEqual(['demo.sqlite']);
  });

  it('an existing file is opened as it is, never replaced by the demo data', async () => {
    const file = createDatabase(join(tempDir(), 'mine.sqlite'), "CREATE TABLE mine (a); INSERT INTO mine VALUES ('kept');");
    const before = checksum(file);
    const started = await gateway(demoService(file));
    expect(text(await started.dispatcher.callTool('demo__list_tables', {}, scope()))).toBe('mine (table)');
    expect(checksum(file)).toBe(before);
  });
});
