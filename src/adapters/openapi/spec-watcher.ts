import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** Changes closer together than this count as one (editors write a file in several steps). */
const DEBOUNCE_MS = 250;

/**
 * Calls `onChange` when the document may have changed: for a file, when it is written or replaced
 * (the folder is watched, since editors save by renaming a new file over the old one); for a URL,
 * every `refreshMs`. Returns the function that stops watching.
 *
 * @example const stop = watchSpec({ spec: 'specs/api.yaml', watch: true, onChange: () => reload() });
 */
export function watchSpec(options: { spec: string; baseDir?: string | undefined; watch: boolean; refreshMs?: number | undefined; onChange: () => void }): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(options.onChange, DEBOUNCE_MS);
    timer.unref();
  };
  if (/^https?:\/\//i.test(options.spec)) {
    if (options.refreshMs === undefined || options.refreshMs <= 0) return () => {};
    const interval = setInterval(options.onChange, options.refreshMs);
    interval.unref();
    return () => clearInterval(interval);
  }
  if (!options.watch) return () => {};
  const path = resolve(options.baseDir ?? process.cwd(), options.spec);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name.toString() === basename(path)) changed();
    });
    // A watcher that fails later (the folder removed) just stops: the service keeps its tools.
    watcher.on('error', () => watcher?.close());
  } catch {
    return () => {};
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
