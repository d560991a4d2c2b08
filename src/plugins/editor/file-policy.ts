import type { Stats } from 'node:fs';
import { refuse } from './fs-errors.js';

/** The suffix `write_file` gives a backup; a backup of an allowed file is allowed too (so it can be read back). */
export const BACKUP_SUFFIX = '.bak';

/**
 * What the config allows the tools to touch: file names by `allowed_extensions`, files with more
 * than one hard link by `allow_hardlinks`, and sizes by `max_file_size`.
 *
 * @example new FilePolicy({ allowed_extensions: ['.md'], allow_hardlinks: false, max_file_size: 10 }, 'ed').allows('README.MD') // true
 */
export class FilePolicy {
  readonly maxBytes: number;
  readonly #service: string;
  readonly #suffixes: readonly string[];
  readonly #names: ReadonlySet<string>;
  readonly #hardlinks: boolean;

  constructor(config: { allowed_extensions: readonly string[]; allow_hardlinks: boolean; max_file_size: number }, service: string) {
    this.#service = service;
    this.maxBytes = config.max_file_size;
    this.#hardlinks = config.allow_hardlinks;
    const lower = config.allowed_extensions.map((entry) => entry.toLowerCase());
    this.#suffixes = lower.filter((entry) => entry.startsWith('.'));
    this.#names = new Set(lower.filter((entry) => !entry.startsWith('.')));
  }

  /** Whether every file name is allowed (no `allowed_extensions`). */
  get unrestricted(): boolean {
    return this.#suffixes.length === 0 && this.#names.size === 0;
  }

  /** `.md` matches `README.md` and `NOTES.MD`; `Makefile` matches that whole name; `x.md.bak` counts as `x.md`. */
  allows(name: string): boolean {
    if (this.unrestricted) return true;
    let lower = name.toLowerCase();
    if (lower.endsWith(BACKUP_SUFFIX) && lower.length > BACKUP_SUFFIX.length) lower = lower.slice(0, -BACKUP_SUFFIX.length);
    if (this.#names.has(lower)) return true;
    return this.#suffixes.some((suffix) => lower.endsWith(suffix) && lower.length > suffix.length);
  }

  /** Throws unless `name` (the last part of `shown`) is allowed. */
  checkName(name: string, shown: string): void {
    if (this.allows(name)) return;
    const allowed = [...this.#suffixes, ...this.#names].join(', ');
    throw refuse(this.#service, `${shown}: this editor only works on files named ${allowed} (allowed_extensions in the config)`, {
      reason: 'extension_not_allowed',
    });
  }

  /** Throws when the file has other hard links and the config does not allow that. */
  checkLinks(stat: Stats, shown: string): void {
    if (this.#hardlinks || !stat.isFile() || stat.nlink <= 1) return;
    throw refuse(
      this.#service,
      `${shown} has ${stat.nlink} hard links: its content may also be reachable outside the workspace, so it is refused (set allow_hardlinks: true to allow it)`,
      { reason: 'hardlinked' },
    );
  }

  /** Throws when `bytes` exceeds max_file_size. */
  checkSize(bytes: number, shown: string, what: string): void {
    if (bytes <= this.maxBytes) return;
    throw refuse(this.#service, `${shown}: ${what} is ${bytes} bytes, more than max_file_size (${this.maxBytes} bytes)`, { reason: 'too_large' });
  }
}
