// The small, pure parts of the MySQL engine: session settings per server flavor, column type names
// from protocol metadata, error classification, and table-name splitting.
import { describe, expect, it } from 'vitest';
import { columnTypeName } from '../../../src/adapters/mysql/column-types.js';
import { ConnectionFailure, classifyMysqlError, StatementTimeout } from '../../../src/adapters/mysql/errors.js';
import { splitName } from '../../../src/adapters/mysql/schema-catalog.js';
import { sessionSettings } from '../../../src/adapters/mysql/transaction.js';

const driverError = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

describe('sessionSettings', () => {
  it('MariaDB: max_statement_time in seconds, tx_read_only, sql_select_limit', () => {
    expect(sessionSettings({ flavor: 'mariadb', readOnly: true, timeoutMs: 1500, selectLimit: 1001 })).toBe(
      'SET SESSION max_statement_time = 1.500, SESSION tx_read_only = 1, SESSION sql_select_limit = 1001',
    );
    expect(sessionSettings({ flavor: 'mariadb', readOnly: false, timeoutMs: 30_000 })).toBe('SET SESSION max_statement_time = 30.000');
  });

  it('MySQL: max_execution_time in milliseconds and transaction_read_only', () => {
    expect(sessionSettings({ flavor: 'mysql', readOnly: true, timeoutMs: 250, selectLimit: 11 })).toBe(
      'SET SESSION max_execution_time = 250, SESSION transaction_read_only = 1, SESSION sql_select_limit = 11',
    );
  });
});

describe('columnTypeName', () => {
  const cases: [Parameters<typeof columnTypeName>[0], string][] = [
    [{ name: 'a', columnType: 3 }, 'INT'],
    [{ name: 'a', columnType: 8, flags: 32 }, 'BIGINT UNSIGNED'],
    [{ name: 'a', columnType: 246, flags: 32 }, 'DECIMAL UNSIGNED'],
    [{ name: 'a', columnType: 7, flags: 160 }, 'TIMESTAMP'],
    [{ name: 'a', columnType: 253, characterSet: 224 }, 'VARCHAR'],
    [{ name: 'a', columnType: 253, characterSet: 63 }, 'VARBINARY'],
    [{ name: 'a', columnType: 254, characterSet: 224 }, 'CHAR'],
    [{ name: 'a', columnType: 254, characterSet: 224, flags: 256 }, 'ENUM'],
    [{ name: 'a', columnType: 254, characterSet: 224, flags: 2048 }, 'SET'],
    [{ name: 'a', columnType: 252, characterSet: 63 }, 'BLOB'],
    [{ name: 'a', columnType: 252, characterSet: 224 }, 'TEXT'],
    [{ name: 'a', columnType: 251, characterSet: 224 }, 'LONGTEXT'],
    [{ name: 'a', columnType: 252, characterSet: 224, extendedFormat: 'json' }, 'JSON'],
    [{ name: 'a', columnType: 254, characterSet: 63, extendedTypeName: 'uuid' }, 'UUID'],
    [{ name: 'a', columnType: 245 }, 'JSON'],
    [{ name: 'a', type: 12 }, 'DATETIME'],
    [{ name: 'a', columnType: 99 }, 'TYPE_99'],
  ];
  it.each(cases)('%j → %s', (field, name) => {
    expect(columnTypeName(field)).toBe(name);
  });
});

describe('classifyMysqlError', () => {
  const cases: [string, unknown, 'connection' | 'timeout' | 'statement'][] = [
    ['a failed connect', new ConnectionFailure('connect ECONNREFUSED 127.0.0.1:1'), 'connection'],
    ['ECONNREFUSED', driverError({ code: 'ECONNREFUSED' }), 'connection'],
    ['a lost connection', driverError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'connection'],
    ['ETIMEDOUT', driverError({ code: 'ETIMEDOUT' }), 'connection'],
    ['server shutdown', driverError({ code: 'ER_SERVER_SHUTDOWN', errno: 1053 }), 'connection'],
    ['a killed connection', driverError({ errno: 1927 }), 'connection'],
    ['any fatal error', driverError({ code: 'SOMETHING', fatal: true }), 'connection'],
    ['max_statement_time (MariaDB 1969)', driverError({ errno: 1969 }), 'timeout'],
    ['max_execution_time (MySQL 3024)', driverError({ errno: 3024, code: 'ER_QUERY_TIMEOUT' }), 'timeout'],
    ['the gateway killed it past the timeout', new StatementTimeout('x'), 'timeout'],
    ['read-only transaction (1792)', driverError({ errno: 1792, code: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION' }), 'statement'],
    ['syntax', driverError({ errno: 1064, code: 'ER_PARSE_ERROR' }), 'statement'],
    ['access denied by a statement (LOAD DATA)', driverError({ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' }), 'statement'],
    ['a privilege', driverError({ errno: 1142, code: 'ER_TABLEACCESS_DENIED_ERROR' }), 'statement'],
    ['a constraint', driverError({ errno: 1452, code: 'ER_NO_REFERENCED_ROW_2' }), 'statement'],
    ['a query killed by someone else', driverError({ errno: 1317, code: 'ER_QUERY_INTERRUPTED' }), 'statement'],
    ['not an error at all', 'boom', 'statement'],
  ];
  it.each(cases)('%s → %s', (_name, error, kind) => {
    expect(classifyMysqlError(error)).toBe(kind);
  });
});

describe('splitName', () => {
  it('splits schema.table, honours backquotes, keeps a plain name', () => {
    expect(splitName('orders')).toEqual({ table: 'orders' });
    expect(splitName('shop.orders')).toEqual({ schema: 'shop', table: 'orders' });
    expect(splitName('`my.shop`.`odd``name`')).toEqual({ schema: 'my.shop', table: 'odd`name' });
  });
});
