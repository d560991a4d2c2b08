import { constants, existsSync, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { GatewayError } from '../../sdk/index.js';
import { errnoOf, fsFailure, refuse } from './fs-errors.js';
import { isWithin, parsePathArgument, segmentsOf } from './path-input.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Symbolic links followed while resolving one path, as Linux's MAXSYMLINKS. */
const MAX_SYMLINK_HOPS = 40;

/** A workspace folder: as configured (absolute) and as the kernel names it (symlinks resolved). */
export interface Root {
  readonly folder: string;
  readonly real: string;
}

/** An open folder inside a root. `real` is where it is now. */
export interface Dir {
  readonly handle: FileHandle;
  readonly root: Root;
  real: string;
}

/** Where a path argument led: an open parent folder and the final name in it (`''` for a root itself). */
export interface Target {
  readonly dir: Dir;
  readonly name: string;
  /** The path as the tools show it: relative to the first root, else absolute. */
  readonly display: string;
}

/** Test seam: runs between the steps of a resolution, so a test can swap a folder at the worst moment. */
export type WalkHook = (event: { stage: 'opened' | 'resolved'; real: string; name: string }) => Promise<void> | void;

export interface WorkspaceOptions {
  readonly service: string;
  /**
   * Resolve through `/proc/self/fd/N/name` (Linux): each step opens a name inside an already open
   * folder, so a folder swapped for a symbolic link between two steps cannot redirect the walk.
   * Default: on when /proc/self/fd exists. Off, each step uses the real path string of the folder.
   */
  readonly procFd?: boolean;
  readonly hook?: WalkHook;
}

/**
 * The workspace roots of one editor service and the only way its tools reach a file: a path argument
 * is folded lexically, then walked one name at a time from an open root, never following a symbolic
 * link blindly — a link is read and its target must lie inside a root, or the path is refused. The
 * walk ends with an open parent folder (a file descriptor), so what the tools then read, write or
 * rename is inside the workspace even if names change meanwhile. See docs/plugins/editor.md.
 *
 * @example
 * const ws = new Workspace(['/srv/ws'], { service: 'editor' });
 * await ws.open();
 * await ws.within('notes/todo.md', { follow: true }, (target) => readAt(ws, target));
 */
export class Workspace {
  readonly service: string;
  readonly procFd: boolean;
  readonly #folders: readonly string[];
  readonly #hook: WalkHook | undefined;
  #roots: readonly Root[] = [];

  constructor(folders: readonly string[], options: WorkspaceOptions) {
    if (folders.length === 0) throw new Error('a workspace needs at least one folder');
    this.#folders = folders;
    this.service = options.service;
    this.procFd = options.procFd ?? existsSync('/proc/self/fd');
    this.#hook = options.hook;
  }

  /** Creates missing workspace folders and learns their real paths. */
  async open(): Promise<void> {
    const roots: Root[] = [];
    for (const folder of this.#folders) {
      try {
        await fs.mkdir(folder, { recursive: true });
        const real = await fs.realpath(folder);
        if (!(await fs.stat(real)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
        if (!roots.some((root) => root.real === real)) roots.push({ folder, real });
      } catch (error) {
        throw new GatewayError('SERVICE_START_FAILED', `cannot use the workspace folder ${folder}: ${(error as Error).message} — check workspace_dir and its permissions`, {
          service: this.service,
          cause: error,
        });
      }
    }
    this.#roots = roots;
  }

  get roots(): readonly Root[] {
    if (this.#roots.length === 0) throw new GatewayError('SERVICE_UNAVAILABLE', 'the workspace is not open yet', { service: this.service });
    return this.#roots;
  }

  /** The path of `name` inside an open folder, for the system calls that take a path. */
  at(dir: Dir, name: string): string {
    return this.procFd ? `/proc/self/fd/${dir.handle.fd}/${name}` : join(dir.real, name);
  }

  /** Resolves `path`, runs `use` on the target, and closes the folder it opened, whatever happens. */
  async within<T>(path: unknown, options: ResolveOptions, use: (target: Target) => Promise<T>): Promise<T> {
    const target = await this.resolve(path, options);
    try {
      return await use(target);
    } finally {
      await target.dir.handle.close().catch(() => {});
    }
  }

  /**
   * Resolves a path argument to an open parent folder and a final name. With `follow`, a final
   * symbolic link is followed (inside the roots only); without, the link itself is the target.
   * The caller closes `dir.handle` (or uses {@link within}).
   */
  async resolve(path: unknown, options: ResolveOptions): Promise<Target> {
    const argument = options.argument ?? 'path';
    const request = parsePathArgument(path, argument, this.service);
    const shown = String(path);
    let place = this.#locate(request.normalized, request.absolute, () => `${argument} ${shown} is outside the workspace${this.#rootsHint()}`);
    let dir = await this.#openRoot(place.root);
    let pending = segmentsOf(place.relative);
    let hops = 0;
    try {
      while (pending.length > 0) {
        const name = pending[0]!;
        const rest = pending.slice(1);
        const link = async () => {
          if (++hops > MAX_SYMLINK_HOPS) throw refuse(this.service, `${argument} ${shown} goes through more than ${MAX_SYMLINK_HOPS} symbolic links (a loop?)`);
          const target = await fs.readlink(this.at(dir, name));
          const from = await this.realOf(dir);
          const absolute = posix.resolve(from, target);
          place = this.#locate(absolute, true, () => `${argument} ${shown} leads through the symbolic link ${this.#show(posix.join(from, name))} to a place outside the workspace`);
          await dir.handle.close();
          dir = await this.#openRoot(place.root);
          pending = [...segmentsOf(place.relative), ...rest];
        };
        if (rest.length === 0) {
          const stat = await fs.lstat(this.at(dir, name)).catch((error: unknown) => {
            if (errnoOf(error) === 'ENOENT') return undefined;
            throw fsFailure(error, this.service, 'resolve', shown);
          });
          if (options.follow && stat?.isSymbolicLink()) {
            await link();
            continue;
          }
          break;
        }
        let child: FileHandle;
        try {
          child = await fs.open(this.at(dir, name), DIR_FLAGS);
        } catch (error) {
          const errno = errnoOf(error);
          if (errno === 'ENOENT' && options.createParents) {
            // Bounded: a folder that keeps vanishing right after it is made is someone else's race.
            if (++hops > MAX_SYMLINK_HOPS) throw fsFailure(error, this.service, 'create the folders of', shown);
            await fs.mkdir(this.at(dir, name)).catch((made: unknown) => {
              if (errnoOf(made) !== 'EEXIST') throw fsFailure(made, this.service, 'create the folder', this.#show(posix.join(dir.real, name)));
            });
            continue; // open it as any other folder: it may have been swapped already
          }
          if (errno === 'ENOTDIR' || errno === 'ELOOP') {
            const stat = await fs.lstat(this.at(dir, name)).catch((gone: unknown) => {
              throw fsFailure(gone, this.service, 'open', shown);
            });
            if (stat.isSymbolicLink()) {
              await link();
              continue;
            }
            throw refuse(this.service, `${argument} ${shown} needs ${name} to be a folder, but it is a file`);
          }
          if (errno === 'ENOENT') throw refuse(this.service, `${argument} ${shown}: the folder ${name} does not exist${options.createParents === false ? ' (pass create_parents: true to create it)' : ''}`);
          throw fsFailure(error, this.service, 'open', shown);
        }
        const parent = dir;
        dir = { handle: child, root: parent.root, real: this.procFd ? '' : join(parent.real, name) };
        await parent.handle.close();
        pending = rest;
        await this.#hook?.({ stage: 'opened', real: await this.realOf(dir), name });
      }
      const name = pending[0] ?? '';
      await this.#verify(dir, shown);
      await this.#hook?.({ stage: 'resolved', real: dir.real, name });
      return { dir, name, display: this.#show(name === '' ? dir.real : posix.join(dir.real, name)) };
    } catch (error) {
      await dir.handle.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Runs `use` on the folder a target names, opened by name inside its open parent (never through a
   * link), and closes it afterwards. A root target is its own open folder.
   */
  async inFolder<T>(target: Target, action: string, use: (dir: Dir) => Promise<T>): Promise<T> {
    if (target.name === '') return use(target.dir);
    let handle: FileHandle;
    try {
      handle = await fs.open(this.at(target.dir, target.name), DIR_FLAGS);
    } catch (error) {
      if (errnoOf(error) === 'ENOTDIR') throw refuse(this.service, `${target.display} is a file, not a folder — read_file reads it`);
      throw fsFailure(error, this.service, action, target.display);
    }
    try {
      return await use({ handle, root: target.dir.root, real: this.procFd ? '' : join(target.dir.real, target.name) });
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /** Fails unless the open folder is still inside its root (it may have been moved since it was opened). */
  async verify(dir: Dir, shown: string): Promise<void> {
    await this.#verify(dir, shown);
  }

  /** The path the tools show for a real path: relative to the first root when inside it, else absolute. */
  show(real: string): string {
    return this.#show(real);
  }

  /** Opens a root folder and checks it still is the folder found at start. */
  async openRoot(root: Root): Promise<Dir> {
    return this.#openRoot(root);
  }

  async #openRoot(root: Root): Promise<Dir> {
    let handle: FileHandle;
    try {
      handle = await fs.open(root.real, DIR_FLAGS);
    } catch (error) {
      throw new GatewayError('BACKEND_ERROR', `the workspace folder ${root.folder} cannot be opened (${errnoOf(error) ?? String(error)}) — was it deleted or replaced? Restart the service after fixing it`, {
        service: this.service,
        cause: error,
      });
    }
    const dir: Dir = { handle, root, real: root.real };
    if (this.procFd && (await this.realOf(dir)) !== root.real) {
      await handle.close();
      throw new GatewayError('BACKEND_ERROR', `the workspace folder ${root.folder} was moved or replaced since the service started — restart the service`, {
        service: this.service,
      });
    }
    return dir;
  }

  /** Where an open folder is now (Linux: asked of the kernel; elsewhere: the path it was opened by). */
  async realOf(dir: Dir): Promise<string> {
    if (this.procFd) dir.real = await fs.readlink(`/proc/self/fd/${dir.handle.fd}`);
    return dir.real;
  }

  async #verify(dir: Dir, shown: string): Promise<void> {
    const real = await this.realOf(dir);
    // Without /proc the path string is all there is: at least check it still names the open folder.
    const swapped = !this.procFd && !(await sameFile(dir.handle, real));
    if (swapped || !isWithin(real, dir.root.real)) {
      throw refuse(this.service, `${shown} is no longer inside the workspace (its folder was moved or deleted while in use) — nothing was done; retry`, {
        reason: 'outside_workspace',
      });
    }
  }

  /** The root an absolute path is in (longest match; configured or real spelling), or the default root for a relative one. */
  #locate(normalized: string, absolute: boolean, outside: () => string): { root: Root; relative: string } {
    const roots = this.roots;
    if (!absolute) {
      if (normalized === '..' || normalized.startsWith('../')) throw refuse(this.service, outside(), { reason: 'outside_workspace' });
      return { root: roots[0]!, relative: normalized };
    }
    let best: { root: Root; relative: string; length: number } | undefined;
    for (const root of roots) {
      for (const base of [root.real, root.folder]) {
        if (isWithin(normalized, base) && (!best || base.length > best.length)) {
          best = { root, relative: posix.relative(base, normalized), length: base.length };
        }
      }
    }
    if (!best) throw refuse(this.service, outside(), { reason: 'outside_workspace' });
    return { root: best.root, relative: best.relative };
  }

  #show(real: string): string {
    const first = this.roots[0]!;
    if (isWithin(real, first.real)) return posix.relative(first.real, real) || '.';
    return real;
  }

  #rootsHint(): string {
    const roots = this.#roots.map((root) => root.real);
    return roots.length === 1
      ? ` (${roots[0]}): give a path relative to it`
      : ` roots (${roots.join(', ')}): give a path relative to the first, or an absolute path inside one`;
  }
}

export interface ResolveOptions {
  /** Follow a final symbolic link (inside the roots). Intermediate links are always resolved and checked. */
  readonly follow: boolean;
  /** Create missing intermediate folders (true), or say how to (false), or just say they are missing (undefined). */
  readonly createParents?: boolean;
  /** The argument's name, for messages (`path`, `from`, `to`). */
  readonly argument?: string;
}

/** True when `path` (followed) is the file or folder open as `handle`. */
async function sameFile(handle: FileHandle, path: string): Promise<boolean> {
  try {
    const [open, named] = await Promise.all([handle.stat(), fs.stat(path)]);
    return open.dev === named.dev && open.ino === named.ino;
  } catch {
    return false;
  }
}
