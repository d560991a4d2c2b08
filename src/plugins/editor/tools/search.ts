import type { CallContext, ToolDefinition } from '../../../sdk/index.js';
import { done, type EditorContext, PATH_SCHEMA } from '../editor-context.js';
import { lstatOrNone, openForRead, readBounded } from '../file-io.js';
import { refuse } from '../fs-errors.js';
import { globArgument } from '../glob.js';
import { type LineMatch, RegexWorker } from '../regex-worker.js';
import { binaryReason } from '../text-codec.js';
import { walkTree } from '../tree-walk.js';
import type { Dir } from '../workspace.js';

const DEFAULT_RESULTS = 100;
const MAX_RESULTS = 1000;
/** Files looked at in one search, at most: a bound for a workspace holding a huge tree. */
const MAX_FILES = 50_000;

/** `search`: lines matching a regular expression (or literal text) in the files under a folder. */
export function searchTool(editor: EditorContext): ToolDefinition {
  return {
    name: 'search',
    title: 'Search file contents',
    description: `Find lines matching a JavaScript regular expression (or literal text) in the text files under a folder. Skips binary files, files over max_file_size, hidden names unless include_hidden, and stops after max_results matches or ${editor.config.search_timeout} ms.`,
    inputSchema: {
      type: 'object',
      properties: {
        pattern: { type: 'string', minLength: 1, maxLength: 10_000, description: 'A regular expression, matched against each line' },
        path: { ...PATH_SCHEMA, default: '.' },
        glob: { type: 'string', minLength: 1, maxLength: 1000, description: 'Only files whose name (pattern without /) or relative path matches' },
        literal: { type: 'boolean', default: false, description: 'Treat pattern as plain text' },
        case_insensitive: { type: 'boolean', default: false },
        include_hidden: { type: 'boolean', default: false },
        max_results: { type: 'integer', minimum: 1, maximum: MAX_RESULTS, default: DEFAULT_RESULTS },
      },
      required: ['pattern'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    call: (args, call) => search(editor, args, call),
  };
}

interface Hit extends LineMatch {
  readonly path: string;
}

export async function search(editor: EditorContext, args: Record<string, unknown>, call: Pick<CallContext, 'signal' | 'progress'>) {
  const { workspace: ws } = editor;
  try {
    new RegExp(...regexOf(args));
  } catch (error) {
    throw refuse(editor.service, `pattern is not a valid regular expression: ${(error as Error).message} — or pass literal: true`);
  }
  return ws.within(args.path ?? '.', { follow: true }, async (target) => {
    if (target.name !== '' && (await lstatOrNone(ws.at(target.dir, target.name)))?.isFile()) {
      throw refuse(editor.service, `${target.display} is a file; search takes a folder (use glob to pick files)`);
    }
    return ws.inFolder(target, 'search', (start) => searchFolder(editor, args, call, target.display, start));
  });
}

/** Source and flags of the search's regular expression (literal text escaped). */
function regexOf(args: Record<string, unknown>): [string, string] {
  const pattern = String(args.pattern);
  return [args.literal === true ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern, args.case_insensitive === true ? 'i' : ''];
}

/** Walks the folder, reading each eligible file inside the workspace and matching it in the worker. */
async function searchFolder(
  editor: EditorContext,
  args: Record<string, unknown>,
  call: Pick<CallContext, 'signal' | 'progress'>,
  shown: string,
  start: Dir,
) {
  const { workspace: ws, policy } = editor;
  const limit = (args.max_results as number | undefined) ?? DEFAULT_RESULTS;
  const matches = globArgument(editor.service, args.glob);
  const hits: Hit[] = [];
  const skipped = { binary: 0, too_large: 0, hardlinked: 0, not_allowed: 0 };
  let files = 0;
  let stopped: 'max_results' | 'timeout' | 'max_files' | undefined;
  const base = shown === '.' ? '' : `${shown}/`;
  const worker = new RegexWorker(...regexOf(args));
  const timer = setTimeout(() => {
    stopped = 'timeout';
    void worker.close(new Error('timeout'));
  }, editor.config.search_timeout);
  const onAbort = () => void worker.close(call.signal.reason);
  call.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of walkTree(ws, start, { maxDepth: 64, includeHidden: args.include_hidden === true, signal: call.signal })) {
      if (entry.kind !== 'file' || !matches(entry.relative)) continue;
      if (!policy.allows(entry.name)) {
        skipped.not_allowed++;
        continue;
      }
      if (++files > MAX_FILES) {
        stopped = 'max_files';
        break;
      }
      const text = await readText(editor, { dir: entry.parent, name: entry.name, display: `${base}${entry.relative}` }, skipped);
      if (text === undefined) continue;
      let found: LineMatch[];
      try {
        found = await worker.match(text, limit - hits.length);
      } catch (error) {
        if (call.signal.aborted) throw call.signal.reason;
        if (stopped === 'timeout') break;
        throw error;
      }
      for (const match of found) hits.push({ path: `${base}${entry.relative}`, ...match });
      if (hits.length >= limit) {
        stopped = 'max_results';
        break;
      }
      if (files % 200 === 0) await call.progress(files, undefined, `searched ${files} files`);
    }
  } finally {
    clearTimeout(timer);
    call.signal.removeEventListener('abort', onAbort);
    await worker.close().catch(() => {});
  }
  const note = {
    max_results: `stopped at max_results (${limit}); narrow the search`,
    timeout: `stopped after search_timeout (${editor.config.search_timeout} ms): the pattern is too slow or the tree too big — results are partial`,
    max_files: `stopped after ${MAX_FILES} files; narrow the search with path or glob`,
  };
  const lines = hits.map((hit) => `${hit.path}:${hit.line}:${hit.column}: ${hit.text}`);
  const summary = `${hits.length} match(es) in ${files > MAX_FILES ? MAX_FILES : files} file(s) searched${stopped ? ` — ${note[stopped]}` : ''}`;
  return done(`${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${summary}`, {
    matches: hits,
    files_searched: Math.min(files, MAX_FILES),
    skipped,
    truncated: stopped !== undefined,
    ...(stopped ? { stopped } : {}),
  });
}

/** The UTF-8 text of a file met in the walk, or undefined (counted) when it is skipped. */
async function readText(
  editor: EditorContext,
  target: { dir: Dir; name: string; display: string },
  skipped: { binary: number; too_large: number; hardlinked: number },
): Promise<string | undefined> {
  let file;
  try {
    file = await openForRead(editor.workspace, target, editor.policy);
  } catch (error) {
    const reason = (error as { data?: { reason?: string } }).data?.reason;
    if (reason === 'hardlinked') skipped.hardlinked++;
    return undefined; // vanished, not regular, or replaced meanwhile: not searched
  }
  try {
    if (file.stat.size > editor.policy.maxBytes) {
      skipped.too_large++;
      return undefined;
    }
    const bytes = await readBounded(file, editor.policy, target.display).catch(() => undefined);
    if (bytes === undefined) {
      skipped.too_large++;
      return undefined;
    }
    if (binaryReason(bytes)) {
      skipped.binary++;
      return undefined;
    }
    return bytes.toString('utf8');
  } finally {
    await file.handle.close().catch(() => {});
  }
}
