import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoOf, fsFailure, refuse } from './fs-errors.js';
import { BACKUP_SUFFIX, type FilePolicy } from './file-policy.js';
import { isWithin } from './path-input.js';
import type { Target, Workspace } from './workspace.js';

/** No following a final link, no blocking on a FIFO, no controlling terminal from a device. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** An open regular file inside the workspace and what fstat said about it. */
export interface OpenFile {
  readonly handle: FileHandle;
  readonly stat: Stats;
}

/**
 * Opens the target for reading, refusing folders, devices, FIFOs and sockets, and files with other
 * hard links (unless allowed). On Linux the descriptor's real path is checked against the root once
 * more: nothing is read from a file that is not inside the workspace.
 */
export async function openForRead(ws: Workspace, target: Target, policy: FilePolicy): Promise<OpenFile> {
  if (target.name === '') throw refuse(ws.service, `${target.display} is a workspace folder, not a file — list_directory shows its entries`);
  let handle: FileHandle;
  try {
    handle = await fs.open(ws.at(target.dir, target.name), READ_FLAGS);
  } catch (error) {
    throw fsFailure(error, ws.service, 'read', target.display);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw refuse(ws.service, `${target.display} is a folder, not a file — list_directory shows its entries`);
    if (!stat.isFile()) throw refuse(ws.service, `${target.display} is not a regular file (a device, pipe or socket), so it is refused`);
    policy.checkLinks(stat, target.display);
    if (ws.procFd) {
      const real = await fs.readlink(`/proc/self/fd/${handle.fd}`);
      if (!isWithin(real, target.dir.root.real)) throw refuse(ws.service, `${target.display} is no longer inside the workspace — nothing was read`, { reason: 'outside_workspace' });
    }
    return { handle, stat };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** Reads a whole open file, at most max_file_size bytes (a file that grows past it while read is refused too). */
export async function readBounded(file: OpenFile, policy: FilePolicy, shown: string): Promise<Buffer> {
  policy.checkSize(file.stat.size, shown, 'the file');
  const limit = policy.maxBytes;
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(file.stat.size - total, 64 * 1024), limit - total + 1, 4 * 1024 * 1024));
    const { bytesRead } = await file.handle.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limit) policy.checkSize(total, shown, 'the file (it grew while being read)');
  }
  return Buffer.concat(chunks, total);
}

/** Reads a text-or-bytes file the workspace allows: resolve → open → bounded read. */
export async function readFileAt(ws: Workspace, target: Target, policy: FilePolicy): Promise<{ bytes: Buffer; stat: Stats }> {
  const file = await openForRead(ws, target, policy);
  try {
    return { bytes: await readBounded(file, policy, target.display), stat: file.stat };
  } finally {
    await file.handle.close().catch(() => {});
  }
}

export interface WriteOptions {
  /** Permission bits for the new file; an overwritten file keeps its own. */
  readonly mode?: number;
  /** Fail when the name exists (create). Uses link(2), which refuses atomically. */
  readonly exclusive?: boolean;
  /** Keep the replaced content as `<name>.bak` (a hard link to the old file: no copy). */
  readonly backup?: boolean;
  /** Refuse when the file on disk is no longer the one read (an edit's read-modify-write). */
  readonly expect?: Pick<Stats, 'ino' | 'mtimeMs' | 'size'>;
}

/**
 * Writes `data` to the target atomically: a temporary file in the same folder, fsync, then rename
 * over the name (or link, for `exclusive`), then fsync of the folder. A reader sees the old content
 * or the new one, never a part; a crash leaves at most a `.mcpeg-*.tmp` file. The existing inode is
 * never written to, so a hard link elsewhere keeps its content.
 */
export async function writeAtomic(ws: Workspace, target: Target, data: Uint8Array, options: WriteOptions = {}): Promise<{ replaced: boolean }> {
  const { dir, name, display } = target;
  if (name === '') throw refuse(ws.service, `${display} is a workspace folder, not a file`);
  const temp = `.mcpeg-${randomBytes(8).toString('hex')}.tmp`;
  let tempCreated = false;
  try {
    const existing = options.exclusive ? undefined : await lstatOrNone(ws.at(dir, name));
    if (existing?.isDirectory()) throw refuse(ws.service, `${display} is a folder; a file cannot replace it`);
    if (existing && !existing.isFile()) throw refuse(ws.service, `${display} is not a regular file, so it is not replaced`);
    const handle = await fs.open(ws.at(dir, temp), TEMP_FLAGS, options.mode ?? 0o666);
    tempCreated = true;
    try {
      let written = 0;
      while (written < data.length) written += (await handle.write(data, written, data.length - written, written)).bytesWritten;
      if (existing) await handle.chmod(existing.mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await ws.verify(dir, display);
    if (options.exclusive) {
      await linkNoReplace(ws.at(dir, temp), ws.at(dir, name));
      await fs.unlink(ws.at(dir, temp)).catch(() => {}); // gone already when the fallback renamed it
      tempCreated = false;
    } else {
      if (options.expect) {
        const now = await lstatOrNone(ws.at(dir, name));
        if (!now || now.ino !== options.expect.ino || now.mtimeMs !== options.expect.mtimeMs || now.size !== options.expect.size) {
          throw refuse(ws.service, `${display} changed on disk while it was being edited — nothing was written; read it again and retry`, { reason: 'changed' });
        }
      }
      if (options.backup && existing) await keepBackup(ws, target);
      await fs.rename(ws.at(dir, temp), ws.at(dir, name));
      tempCreated = false;
    }
    await dir.handle.sync();
    return { replaced: existing !== undefined };
  } catch (error) {
    if (tempCreated) await fs.unlink(ws.at(dir, temp)).catch(() => {});
    throw fsFailure(error, ws.service, options.exclusive ? 'create' : 'write', display);
  }
}

/** Makes `<name>.bak` the current file (a second name for its inode), replacing an older backup atomically. */
async function keepBackup(ws: Workspace, target: Target): Promise<void> {
  const { dir, name } = target;
  const staged = `.mcpeg-${randomBytes(8).toString('hex')}.bak.tmp`;
  try {
    await fs.link(ws.at(dir, name), ws.at(dir, staged));
  } catch (error) {
    if (!NO_HARD_LINKS.has(errnoOf(error) ?? '')) throw error;
    await fs.copyFile(ws.at(dir, name), ws.at(dir, staged), constants.COPYFILE_EXCL); // a file system without hard links
  }
  try {
    await fs.rename(ws.at(dir, staged), ws.at(dir, `${name}${BACKUP_SUFFIX}`));
  } catch (error) {
    await fs.unlink(ws.at(dir, staged)).catch(() => {});
    throw error;
  }
}

/** What link(2) answers on file systems without hard links (FAT, some network and FUSE file systems). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Gives `from` the name `to` unless `to` exists: link(2), which refuses an existing name atomically.
 * Where hard links are not supported, a check then rename(2) — which leaves a short window for a
 * name created meanwhile to be replaced.
 */
export async function linkNoReplace(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (error) {
    if (!NO_HARD_LINKS.has(errnoOf(error) ?? '')) throw error;
    if (await lstatOrNone(to)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    await fs.rename(from, to);
  }
}

/** lstat, or undefined when the name does not exist. */
export async function lstatOrNone(path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The last name of a display path, for extension checks. */
export function baseName(display: string): string {
  return posix.basename(display);
}
