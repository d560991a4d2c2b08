import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let located: Promise<string> | undefined;

/**
 * The file a sqlite service's child process runs. In a build it is the compiled `worker.js` next to
 * this module. When the gateway runs from its TypeScript sources (the test suite, development) there is
 * no .js file, and Node 20 cannot run .ts: the worker's source is then transpiled once with the
 * TypeScript compiler — a dev dependency, present wherever the sources are — into a temp file named by
 * its content. worker.ts imports only node: built-ins and types, so the transpiled file runs on its own.
 *
 * @example fork(await workerScript(), { serialization: 'advanced' })
 */
export function workerScript(): Promise<string> {
  located ??= locate();
  located.catch(() => {
    located = undefined; // a failure is not cached: the next start tries again
  });
  return located;
}

async function locate(): Promise<string> {
  const compiled = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  const sourceFile = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const source = await readFile(sourceFile, 'utf8');
  // Named by the source's hash: an unchanged worker is not transpiled (nor the compiler loaded) again.
  const target = join(await privateDir(), `sqlite-worker-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.mjs`);
  if (existsSync(target)) return target;
  const ts = (await import('typescript')).default;
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: sourceFile,
  }).outputText;
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, output);
  await rename(temp, target); // atomic: a concurrent start sees the whole file or none
  return target;
}

/**
 * A folder only this user can write to, so no one else can plant the script this process runs. A
 * shared folder that fails the check is not used: a fresh private one is made instead (no caching).
 */
async function privateDir(): Promise<string> {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `mcpeg-${uid ?? 'user'}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  const ours = info.isDirectory() && (uid === undefined || (info.uid === uid && (info.mode & 0o077) === 0));
  return ours ? dir : mkdtemp(join(tmpdir(), 'mcpeg-'));
}
