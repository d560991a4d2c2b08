import { lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { GatewayError } from '../../sdk/errors.js';
import { relativePathProblem } from './paths.js';

/** True when `child` is `parent` or lies under it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The folder that holds a service's repositories. Every folder a call names is resolved to its real path
 * and must lie inside the root's real path, so neither `..` nor a symlink leads out of it.
 */
export class Workspace {
  #root: string | undefined;

  constructor(
    private readonly configured: string,
    private readonly service: string,
    private readonly cwd = process.cwd(),
  ) {}

  /** The configured folder as an absolute path (before symlinks are resolved). */
  get path(): string {
    return resolve(this.cwd, this.configured);
  }

  /** Creates the folder when missing and remembers its real path. */
  async open(): Promise<string> {
    await mkdir(this.path, { recursive: true });
    this.#root = await realpath(this.path);
    return this.#root;
  }

  /** The real path of the root (opened on first use). */
  async root(): Promise<string> {
    return this.#root ?? (await this.open());
  }

  /** The real path of an existing folder `path` (relative to the root), which must be inside the root. */
  async existing(path: string, argument: string): Promise<string> {
    const root = await this.root();
    const target = resolve(root, this.check(path, argument));
    let real: string;
    try {
      real = await realpath(target);
    } catch {
      throw this.invalid(`${argument} "${path}" does not exist in the workspace ${root}`);
    }
    if (!isInside(root, real)) throw this.invalid(`${argument} "${path}" leads outside the workspace ${root} (through a symlink); refused`);
    if (!(await stat(real)).isDirectory()) throw this.invalid(`${argument} "${path}" is not a folder`);
    return real;
  }

  /**
   * Where a new repository goes: `path` must not exist yet (or be an empty folder — git's own rule);
   * its parent folders are created, and their real path must stay inside the root.
   */
  async fresh(path: string, argument: string): Promise<string> {
    const root = await this.root();
    const target = resolve(root, this.check(path, argument));
    if (target === root) throw this.invalid(`${argument} must name a folder inside the workspace, not the workspace itself`);
    const parent = dirname(target);
    const realParent = await this.realParent(root, parent, path, argument);
    const destination = resolve(realParent, target.slice(parent.length + 1));
    if (!isInside(root, destination)) throw this.invalid(`${argument} "${path}" leads outside the workspace ${root}; refused`);
    const existing = await lstat(destination).catch(() => undefined);
    if (existing && (!existing.isDirectory() || (await readdir(destination)).length > 0)) {
      throw this.invalid(`${argument} "${path}" already exists in the workspace ${root}; choose a new folder name`);
    }
    return destination;
  }

  private async realParent(root: string, parent: string, path: string, argument: string): Promise<string> {
    // Create the missing folders one level at a time from the deepest existing one, checking each real path.
    const missing: string[] = [];
    let existing = parent;
    for (;;) {
      try {
        existing = await realpath(existing);
        break;
      } catch {
        missing.unshift(existing);
        existing = dirname(existing);
      }
    }
    if (!isInside(root, existing)) throw this.invalid(`${argument} "${path}" leads outside the workspace ${root} (through a symlink); refused`);
    let current = existing;
    for (const folder of missing) {
      current = resolve(current, folder.slice(dirname(folder).length + 1));
      await mkdir(current).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      current = await realpath(current);
      if (!isInside(root, current)) throw this.invalid(`${argument} "${path}" leads outside the workspace ${root} (through a symlink); refused`);
    }
    return current;
  }

  private check(path: string, argument: string): string {
    const problem =
      path === '.' ? undefined : (relativePathProblem(path) ?? (path.split(/[/\\]/).some((part) => part.startsWith('-')) ? 'has a part starting with "-"' : undefined));
    if (problem) throw this.invalid(`${argument} "${printable(path)}" ${problem}; give a folder relative to the workspace`);
    return path;
  }

  private invalid(message: string) {
    return new GatewayError('INVALID_ARGUMENTS', message, { service: this.service });
  }
}

/** A user value safe to put in a message: control characters escaped, at most 200 characters. */
export function printable(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}
