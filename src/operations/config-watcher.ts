import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../sdk/logger.js';

export interface ConfigWatcher {
  close(): void;
}

/**
 * Calls `onChange` when the content of the config file changes. Watches the file and its folder: editors
 * save by writing a new file and renaming it over the old one, and a Kubernetes ConfigMap volume swaps
 * a symlinked `..data` folder — neither is seen by a watch on the old file alone. Events are debounced,
 * and a change is reported only when the file's bytes differ from the last ones seen (so a `touch`, or
 * the several events one save makes, cause no reload).
 *
 * @example const watcher = watchConfigFile('/etc/mcpeg/mcpeg.yaml', { onChange: () => reloader.reload('file changed'), logger });
 */
export function watchConfigFile(path: string, options: { onChange: () => void; logger: Logger; debounceMs?: number }): ConfigWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const digest = () => {
    try {
      return createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      return undefined; // mid-swap, or removed: wait for the next event
    }
  };
  let last = digest();
  let timer: NodeJS.Timeout | undefined;
  let fileWatcher: FSWatcher | undefined;
  let closed = false;

  const check = () => {
    timer = undefined;
    if (closed) return;
    watchFile(); // the path may name a new file (inode) now
    const now = digest();
    if (now === undefined || now === last) return;
    last = now;
    options.onChange();
  };
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  };
  const watchFile = () => {
    fileWatcher?.close();
    try {
      fileWatcher = watch(path, { persistent: false }, schedule);
      fileWatcher.on('error', () => schedule());
    } catch {
      fileWatcher = undefined; // not there right now; the folder watch sees it come back
    }
  };

  watchFile();
  let folderWatcher: FSWatcher | undefined;
  const name = basename(path);
  try {
    folderWatcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      // A ConfigMap swap renames `..data`, not the file: any entry starting with `..` counts too.
      if (file === null || file === name || String(file).startsWith('..')) schedule();
    });
    folderWatcher.on('error', (error) => options.logger.warn({ err: error.message }, `stopped watching the folder of ${path}; send SIGHUP to reload`));
  } catch (error) {
    options.logger.warn({ err: (error as Error).message }, `cannot watch the folder of ${path}: changes are seen only through the file itself; SIGHUP reloads too`);
  }
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      fileWatcher?.close();
      folderWatcher?.close();
    },
  };
}
