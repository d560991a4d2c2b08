/** The parts of the driver's column metadata that name a column's type. */
export interface FieldMetadata {
  readonly name: string;
  readonly columnType?: number;
  readonly type?: number;
  readonly characterSet?: number;
  readonly flags?: number;
  /** MariaDB extended metadata: `json` for JSON columns (sent as LONGTEXT otherwise). */
  readonly extendedFormat?: string;
  /** MariaDB extended metadata: `uuid`, `inet4`, `inet6`, geometry subtypes. */
  readonly extendedTypeName?: string;
}

/** Protocol type codes (include/mysql_com.h `enum_field_types`) to SQL type names. */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'DECIMAL',
  1: 'TINYINT',
  2: 'SMALLINT',
  3: 'INT',
  4: 'FLOAT',
  5: 'DOUBLE',
  6: 'NULL',
  7: 'TIMESTAMP',
  8: 'BIGINT',
  9: 'MEDIUMINT',
  10: 'DATE',
  11: 'TIME',
  12: 'DATETIME',
  13: 'YEAR',
  14: 'DATE',
  15: 'VARCHAR',
  16: 'BIT',
  17: 'TIMESTAMP',
  18: 'DATETIME',
  19: 'TIME',
  242: 'VECTOR',
  245: 'JSON',
  246: 'DECIMAL',
  247: 'ENUM',
  248: 'SET',
  249: 'TINYBLOB',
  250: 'MEDIUMBLOB',
  251: 'LONGBLOB',
  252: 'BLOB',
  253: 'VARCHAR',
  254: 'CHAR',
  255: 'GEOMETRY',
};

const NUMERIC = new Set([0, 1, 2, 3, 4, 5, 8, 9, 246]);
const BINARY_CHARSET = 63;
const UNSIGNED_FLAG = 32;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;

/**
 * The SQL type name of a result column, from the protocol's metadata: `INT UNSIGNED`, `VARCHAR`,
 * `VARBINARY`, `TEXT`, `BLOB`, `JSON`, … (lengths are not part of result metadata; describe_table has them).
 *
 * @example columnTypeName({ name: 'id', columnType: 8, flags: 32 }) // 'BIGINT UNSIGNED'
 */
export function columnTypeName(field: FieldMetadata): string {
  if (field.extendedFormat === 'json') return 'JSON';
  if (field.extendedTypeName) return field.extendedTypeName.toUpperCase();
  const code = field.columnType ?? field.type ?? -1;
  const flags = field.flags ?? 0;
  const binary = field.characterSet === BINARY_CHARSET;
  if (code === 254 && flags & ENUM_FLAG) return 'ENUM';
  if (code === 254 && flags & SET_FLAG) return 'SET';
  if (code === 254) return binary ? 'BINARY' : 'CHAR';
  if (code === 253 || code === 15) return binary ? 'VARBINARY' : 'VARCHAR';
  if (code >= 249 && code <= 252) return binary ? (TYPE_NAMES[code] ?? 'BLOB') : (TYPE_NAMES[code] ?? 'BLOB').replace('BLOB', 'TEXT');
  const name = TYPE_NAMES[code] ?? `TYPE_${code}`;
  return NUMERIC.has(code) && flags & UNSIGNED_FLAG ? `${name} UNSIGNED` : name;
}
