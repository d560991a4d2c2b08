import { constants, promises as fs, type Dirent } from 'node:fs';
import { posix } from 'node:path';
import type { Dir, Workspace } from './workspace.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

/** One name met while walking a folder tree. `parent` is open only until the walk moves on. */
export interface TreeEntry {
  readonly parent: Dir;
  readonly name: string;
  readonly kind: EntryKind;
  /** Path relative to the folder the walk started in. */
  readonly relative: string;
  /** 1 for the start folder's own entries. */
  readonly depth: number;
}

export interface WalkOptions {
  /** How deep to go: 1 lists only the start folder. */
  readonly maxDepth: number;
  readonly includeHidden: boolean;
  readonly signal: AbortSignal;
  /** Folders to descend into; default every one. */
  readonly descend?: (entry: TreeEntry) => boolean;
}

/**
 * Walks a folder tree depth-first in name order, through open folder descriptors (each subfolder is
 * opened by name inside its parent with O_NOFOLLOW), so symbolic links are reported, never followed,
 * and a folder renamed meanwhile cannot lead outside. The caller owns `start`.
 */
export async function* walkTree(ws: Workspace, start: Dir, options: WalkOptions, relative = '', depth = 1): AsyncGenerator<TreeEntry> {
  const entries = (await fs.readdir(ws.at(start, ''), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of entries) {
    if (options.signal.aborted) throw options.signal.reason;
    if (!options.includeHidden && dirent.name.startsWith('.')) continue;
    const entry: TreeEntry = { parent: start, name: dirent.name, kind: kindOf(dirent), relative: posix.join(relative, dirent.name), depth };
    yield entry;
    if (entry.kind !== 'directory' || depth >= options.maxDepth || (options.descend && !options.descend(entry))) continue;
    let handle;
    try {
      handle = await fs.open(ws.at(start, dirent.name), DIR_FLAGS);
    } catch {
      continue; // removed or replaced by a link since readdir: not followed
    }
    const child: Dir = { handle, root: start.root, real: ws.procFd ? '' : posix.join(start.real, dirent.name) };
    try {
      yield* walkTree(ws, child, options, entry.relative, depth + 1);
    } finally {
      await handle.close().catch(() => {});
    }
  }
}

function kindOf(dirent: Dirent): EntryKind {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'directory';
  if (dirent.isSymbolicLink()) return 'symlink';
  return 'other';
}
