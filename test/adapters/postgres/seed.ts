// The small schema the postgres adapter tests query: customers and orders with keys and indexes, a table of
// every value type the results must carry, a view, a schema with a mixed-case table, and many rows to cut.
import type { TestDatabase } from './test-database.js';

export const SEED = `
CREATE TABLE customers (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  total numeric(10, 2) NOT NULL,
  placed_on date NOT NULL,
  note text
);
CREATE INDEX orders_customer_placed ON orders (customer_id, placed_on);
CREATE INDEX orders_lower_note ON orders (lower(note));
INSERT INTO customers (name, email, created_at) VALUES
  ('Ada', 'ada@example.com', '2024-01-02T03:04:05Z'),
  ('Grace', 'grace@example.com', '2024-02-03T04:05:06Z'),
  ('Linus', NULL, '2024-03-04T05:06:07Z');
INSERT INTO orders (customer_id, total, placed_on, note) VALUES
  (1, 12.50, '2024-04-01', 'first'), (1, 99.99, '2024-04-02', NULL), (2, 5.00, '2024-04-03', 'small');
CREATE VIEW big_spenders AS
  SELECT c.name, sum(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name HAVING sum(o.total) > 50;
CREATE TABLE samples (
  i integer, n numeric, t text, ts timestamptz, j json, jb jsonb, b bytea, arr integer[], big bigint, d date, nothing text
);
INSERT INTO samples VALUES
  (42, 12345678901234567890.123456789, 'héllo', '2024-05-06T07:08:09.123Z', '{"a": [1, 2]}', '{"b": true}',
   '\\xdeadbeef', '{1,2,3}', 9007199254740993, '2024-02-29', NULL);
CREATE SCHEMA sales;
CREATE TABLE sales."OrderLines" (order_id bigint REFERENCES orders (id), line integer, sku text NOT NULL, PRIMARY KEY (order_id, line));
CREATE TABLE numbers (n integer PRIMARY KEY, label text NOT NULL);
INSERT INTO numbers SELECT g, repeat('x', 50) || g FROM generate_series(1, 5000) g;
`;

/** Creates the seed schema as the database's owner. */
export async function seed(database: TestDatabase): Promise<void> {
  await database.asOwner(SEED);
}
