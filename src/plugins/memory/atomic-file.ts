import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `file` with `lines` (one per line) so that a reader — or a crash at any moment — sees either
 * the old file or the complete new one: write a temp file in the same folder, fsync it, rename it over
 * the target, fsync the folder (which makes the rename itself survive a power loss).
 *
 * @example await writeFileAtomic('/srv/memory.json', ['{"a":1}', '{"b":2}'])
 */
export async function writeFileAtomic(file: string, lines: Iterable<string>, signal?: AbortSignal): Promise<number> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx'); // the process umask decides the mode, as for the database and snapshots
  let bytes = 0;
  try {
    // Buffered in chunks of ~1 MB: one write per line would be slow, one string for all of it large.
    let chunk: string[] = [];
    let size = 0;
    for (const line of lines) {
      chunk.push(line);
      size += line.length + 1;
      if (size >= 1_000_000) {
        signal?.throwIfAborted();
        bytes += await writeAll(handle, `${chunk.join('\n')}\n`);
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length > 0) bytes += await writeAll(handle, `${chunk.join('\n')}\n`);
    await handle.sync();
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dirname(file));
  return bytes;
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, text: string): Promise<number> {
  const buffer = Buffer.from(text, 'utf8');
  await handle.writeFile(buffer); // writes all of it from the current position (write() may write less)
  return buffer.length;
}

/** fsync a folder, so that a file created or renamed in it survives a power loss. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
