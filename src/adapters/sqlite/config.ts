import { isAbsolute, resolve } from 'node:path';
import { z } from '../../sdk/index.js';
import { sqlConfigShape } from '../sql/config.js';

/** Keys of the shared SQL config that describe a server; a SQLite database is a local file. */
const SERVER_KEYS = ['host', 'port', 'user', 'password', 'database'] as const;

/**
 * Config of a `sqlite` service: the settings every SQL service shares, plus the file (`path:`, or a
 * `dsn:` of the form `sqlite:///abs/path.db`, `sqlite:relative/path.db` or `file:…`), and what to do
 * when the file does not exist: fail (the default), create it with the demo data (`demo: true`), or
 * create an empty database (`create_if_missing: true`).
 *
 * @example sqliteConfigSchema.parse({ path: 'data/shop.db' }).read_only // true
 */
export const sqliteConfigSchema = z
  .strictObject({
    ...sqlConfigShape,
    dsn: z.string().min(1).optional().describe('sqlite:///absolute/path.db, sqlite:relative/path.db or file:path.db; or path:'),
    path: z.string().min(1).optional().describe('The database file; a relative path resolves against the working directory of the gateway'),
    demo: z.boolean().default(false).describe('When the file does not exist, create it with the demo shop data (customers, products, orders)'),
    create_if_missing: z.boolean().default(false).describe('When the file does not exist, create an empty database instead of failing'),
  })
  .superRefine((config, ctx) => {
    for (const key of SERVER_KEYS) {
      if (config[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} does not apply to SQLite, which opens a local file, not a server: remove it and set path: (or dsn: sqlite:///absolute/path.db)`,
        });
      }
    }
    if (config.path !== undefined && config.dsn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['dsn'], message: 'path: and dsn: both name the database file: keep one' });
    } else if (config.path === undefined && config.dsn === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs the database file: set path: (or dsn: sqlite:///absolute/path.db)' });
    }
    const target = config.dsn !== undefined ? parseSqliteDsn(config.dsn) : config.path !== undefined ? { path: config.path } : undefined;
    if (target && 'problem' in target) ctx.addIssue({ code: 'custom', path: ['dsn'], message: target.problem });
    else if (target && isMemory(target.path)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.dsn !== undefined ? 'dsn' : 'path'],
        message: 'an in-memory database would start empty in a process of its own and vanish with it: name a file',
      });
    }
  });

export type SqliteConfig = z.output<typeof sqliteConfigSchema>;

/**
 * The absolute path of the database file a validated config names. Relative paths resolve against
 * `cwd` — the working directory of the gateway process, not the config file's folder.
 *
 * @example databaseFile({ path: 'data/shop.db' }, '/srv/mcpeg') // '/srv/mcpeg/data/shop.db'
 */
export function databaseFile(config: Pick<SqliteConfig, 'path' | 'dsn'>, cwd = process.cwd()): string {
  const parsed = config.dsn !== undefined ? parseSqliteDsn(config.dsn) : { path: config.path ?? '' };
  if ('problem' in parsed) throw new Error(`dsn ${parsed.problem}`); // validated before: not reached
  return isAbsolute(parsed.path) ? resolve(parsed.path) : resolve(cwd, parsed.path);
}

/**
 * The file path of a SQLite DSN, or what is wrong with it. `sqlite:///abs/x.db` and `file:///abs/x.db`
 * are absolute (an empty or `localhost` host); `sqlite:rel/x.db` and `file:rel/x.db` are relative;
 * `%XX` escapes are decoded. Query parameters are refused: `read_only:` decides the mode.
 *
 * @example parseSqliteDsn('sqlite:///var/lib/shop.db') // { path: '/var/lib/shop.db' }
 */
export function parseSqliteDsn(dsn: string): { path: string } | { problem: string } {
  const scheme = /^(sqlite3?|file):/i.exec(dsn);
  if (!scheme) {
    return { problem: 'must start with sqlite: or file: — write sqlite:///absolute/path.db or sqlite:relative/path.db, or use path:' };
  }
  let rest = dsn.slice(scheme[0].length);
  if (/[?#]/.test(rest)) {
    return { problem: 'takes no query parameters (?mode=…, ?cache=…): read_only: decides how the file is opened' };
  }
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== '' && host.toLowerCase() !== 'localhost') {
      return {
        problem: `names a host ("${host}"), but SQLite opens a local file: write ${scheme[1]}:///absolute/path.db (three slashes) or ${scheme[1]}:relative/path.db`,
      };
    }
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    return { problem: 'has a broken %-escape in its path' };
  }
  if (path === '') return { problem: 'names no file: write sqlite:///absolute/path.db or sqlite:relative/path.db' };
  return { path };
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path.startsWith(':memory:');
}
