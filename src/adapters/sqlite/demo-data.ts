import type { DatabaseScript, SqlValue } from './protocol.js';

/** The seed of the demo database: the same seed always gives the same rows. */
export const DEMO_SEED = 20_240_601;
/** Stored as `PRAGMA user_version` in a demo database, so a later release can tell which data it holds. */
export const DEMO_VERSION = 1;
/** How many rows each table gets (order_items varies with the seed: 1–5 lines an order, about 5,000). */
export const DEMO_COUNTS = { customers: 500, products: 100, orders: 2000 } as const;

const SCHEMA = [
  `CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL,
    created_at TEXT NOT NULL -- UTC, 'YYYY-MM-DD HH:MM:SS'
  )`,
  `CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents > 0)
  )`,
  `CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    ordered_at TEXT NOT NULL, -- UTC, 'YYYY-MM-DD HH:MM:SS'
    status TEXT NOT NULL CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled', 'refunded'))
  )`,
  `CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0)
  )`,
];

const AFTER = [
  'CREATE INDEX customers_country ON customers (country)',
  'CREATE INDEX products_category ON products (category)',
  'CREATE INDEX orders_customer_id ON orders (customer_id)',
  'CREATE INDEX orders_ordered_at ON orders (ordered_at)',
  'CREATE INDEX order_items_order_id ON order_items (order_id)',
  'CREATE INDEX order_items_product_id ON order_items (product_id)',
  `CREATE VIEW order_totals AS
    SELECT o.id AS order_id, o.customer_id, o.ordered_at, o.status,
           sum(i.quantity) AS items, sum(i.quantity * i.unit_price_cents) AS total_cents
    FROM orders o JOIN order_items i ON i.order_id = o.id
    GROUP BY o.id`,
  'ANALYZE',
  `PRAGMA user_version = ${DEMO_VERSION}`,
];

const FIRST = ['Ada', 'Alan', 'Amara', 'Arjun', 'Beatriz', 'Carlos', 'Chen', 'Chloe', 'Daniel', 'Elena', 'Emma', 'Farah', 'Felix',
  'Grace', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jonas', 'Julia', 'Kenji', 'Leila', 'Liam', 'Lucia', 'Maya', 'Mateo', 'Nadia', 'Noah',
  'Olga', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sofia', 'Tariq', 'Uma', 'Victor', 'Wei', 'Yara', 'Zoe'];
const LAST = ['Abbott', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski', 'Lopez',
  'Martin', 'Nakamura', 'Novak', 'Okafor', 'Patel', 'Quinn', 'Rossi', 'Schmidt', 'Silva', 'Tanaka', 'Usman', 'Varga', 'Walker',
  'Xu', 'Yilmaz', 'Zhang', 'Moreau', 'Singh'];
/** Countries with a weight: the shop sells mostly at home, some abroad. */
const COUNTRIES: readonly [string, number][] = [['United States', 30], ['Germany', 12], ['United Kingdom', 10], ['France', 9],
  ['Canada', 8], ['Japan', 7], ['Brazil', 6], ['India', 6], ['Australia', 5], ['Spain', 4], ['Netherlands', 3]];
/** Category → product nouns and a price range in dollars. */
const CATEGORIES: readonly [string, readonly string[], number, number][] = [
  ['Books', ['Cookbook', 'Novel', 'Atlas', 'Field Guide', 'Poetry Collection', 'Sketchbook'], 8, 45],
  ['Electronics', ['Headphones', 'Charger', 'Keyboard', 'Mouse', 'Speaker', 'Webcam', 'Monitor'], 15, 400],
  ['Home', ['Lamp', 'Throw Blanket', 'Vase', 'Cutting Board', 'Kettle', 'Mug Set'], 10, 120],
  ['Garden', ['Trowel', 'Planter', 'Hose', 'Seed Kit', 'Pruning Shears'], 6, 80],
  ['Sports', ['Yoga Mat', 'Water Bottle', 'Jump Rope', 'Dumbbell Set', 'Running Cap'], 8, 150],
  ['Toys', ['Puzzle', 'Building Blocks', 'Kite', 'Board Game', 'Plush Bear'], 7, 60],
  ['Beauty', ['Face Cream', 'Shampoo', 'Lip Balm', 'Soap Bar'], 4, 50],
  ['Grocery', ['Coffee Beans', 'Olive Oil', 'Dark Chocolate', 'Green Tea', 'Honey'], 3, 30],
];
const ADJECTIVES = ['Classic', 'Deluxe', 'Compact', 'Eco', 'Premium', 'Everyday', 'Travel', 'Studio', 'Nordic', 'Vintage'];
const DOMAINS = ['example.com', 'example.org', 'example.net'];

const DAY_MS = 86_400_000;
const SHOP_OPENED = Date.UTC(2023, 0, 1);
/** The demo's "today": orders stop here, and the last two weeks' orders are still on their way. */
const DEMO_TODAY = Date.UTC(2025, 5, 30);

/**
 * The demo shop database: 500 customers, 100 products, 2,000 orders and about 5,000 order lines with
 * foreign keys, indexes, an `order_totals` view and ANALYZE statistics — generated from a seeded PRNG,
 * so the same seed gives the same rows on every machine. Emails use the reserved example.* domains.
 *
 * @example
 * const script = demoDatabase();
 * script.tables.find((table) => table.name === 'orders')?.rows.length // 2000
 */
export function demoDatabase(seed = DEMO_SEED): DatabaseScript {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

  const customers: SqlValue[][] = [];
  const joined: number[] = [];
  for (let id = 1; id <= DEMO_COUNTS.customers; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const at = SHOP_OPENED + Math.floor(random() * (DEMO_TODAY - 90 * DAY_MS - SHOP_OPENED));
    joined.push(at);
    const email = `${first}.${last}.${id}@${pick(DOMAINS)}`.toLowerCase();
    customers.push([id, `${first} ${last}`, email, weighted(random, COUNTRIES), timestamp(at)]);
  }

  const products: SqlValue[][] = [];
  const prices: number[] = [];
  const names = new Set<string>();
  while (products.length < DEMO_COUNTS.products) {
    const [category, nouns, low, high] = pick(CATEGORIES);
    const name = `${pick(ADJECTIVES)} ${pick(nouns)}`;
    if (names.has(name)) continue;
    names.add(name);
    // Most products are cheap for their category, a few are expensive.
    const dollars = low + Math.round((high - low) * random() ** 2);
    const price = dollars * 100 - pick([1, 1, 1, 5, 51]); // 12.99, 12.95, 12.49
    prices.push(price);
    products.push([products.length + 1, name, category, price]);
  }

  // How often each customer orders: exponentially distributed, so most order now and then and a few
  // loyal ones much more often, as in a real shop.
  const loyalty: number[] = [];
  let sum = 0;
  for (let index = 0; index < DEMO_COUNTS.customers; index++) loyalty.push((sum += -Math.log(1 - random())));
  const orders: SqlValue[][] = [];
  const items: SqlValue[][] = [];
  for (let id = 1; id <= DEMO_COUNTS.orders; id++) {
    const roll = random() * sum;
    const customer = 1 + Math.min(loyalty.findIndex((cumulative) => cumulative > roll), DEMO_COUNTS.customers - 1);
    const since = joined[customer - 1]!;
    const at = since + Math.floor(random() * (DEMO_TODAY - since));
    const recent = DEMO_TODAY - at < 14 * DAY_MS;
    const status = recent
      ? weighted(random, [['pending', 40], ['shipped', 60]])
      : weighted(random, [['delivered', 85], ['cancelled', 8], ['refunded', 7]]);
    orders.push([id, customer, timestamp(at), status]);
    const lines = weighted(random, [[1, 25], [2, 30], [3, 20], [4, 15], [5, 10]]);
    const chosen = new Set<number>();
    while (chosen.size < lines) chosen.add(between(1, DEMO_COUNTS.products));
    for (const product of chosen) {
      const quantity = weighted(random, [[1, 70], [2, 20], [3, 6], [4, 3], [5, 1]]);
      const list = prices[product - 1]!;
      const discounted = random() < 0.15 ? Math.round(list * (1 - between(10, 20) / 100)) : list;
      items.push([items.length + 1, id, product, quantity, discounted]);
    }
  }

  return {
    before: SCHEMA,
    tables: [
      { name: 'customers', columns: ['id', 'name', 'email', 'country', 'created_at'], rows: customers },
      { name: 'products', columns: ['id', 'name', 'category', 'price_cents'], rows: products },
      { name: 'orders', columns: ['id', 'customer_id', 'ordered_at', 'status'], rows: orders },
      { name: 'order_items', columns: ['id', 'order_id', 'product_id', 'quantity', 'unit_price_cents'], rows: items },
    ],
    after: AFTER,
  };
}

/** A small, fast, well-distributed 32-bit PRNG: all the demo needs, and identical on every platform. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function weighted<T>(random: () => number, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return choices.at(-1)![0];
}

/** SQLite's own date-time text format (UTC), which its date functions and string comparison both understand. */
function timestamp(ms: number): string {
  return new Date(ms - (ms % 1000)).toISOString().slice(0, 19).replace('T', ' ');
}
