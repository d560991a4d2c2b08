// Every ```yaml block of docs/services/sqlite.md and docs/services/sql.md is a real input, validated with
// the sqlite type registered next to the built-ins (test/helpers/docs-examples.ts says how markers work).
import sqliteType from '../../../src/adapters/sqlite/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { checkDocsExamples } from '../../helpers/docs-examples.js';

const types = [sqliteType as ServiceType<unknown>];
/** Variables the examples reference, set as an operator would. */
const ENV = { ORDERS_DSN: 'postgres://app:orders-pass@db.internal:5432/orders', SHOP_DB: '/var/lib/shop/shop.db' };

for (const doc of ['sqlite.md', 'sql.md']) checkDocsExamples(`docs/services/${doc}`, { types, env: ENV, minimumBlocks: 3 });
