// A sandbox for the editor plugin's tests: a temp folder holding the workspace and, beside it, an
// "outside" folder with sentinel files whose content is a secret no tool result may ever contain.
// `cleanup()` stops every gateway a test file started and removes every sandbox.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { editorConfigSchema, editorTools, Workspace, type WalkHook, workspaceFolders } from '../../../src/plugins/editor/index.js';
import type { EditorContext } from '../../../src/plugins/editor/editor-context.js';
import { FilePolicy } from '../../../src/plugins/editor/file-policy.js';
import { KeyLock } from '../../../src/plugins/editor/key-lock.js';
import { gatewayFrom, quietLogger } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';

/** The secret planted outside the workspace. */
export const SECRET = 'SENTINEL-7f3a9c-outside-the-workspace';

export interface Sandbox {
  readonly base: string;
  readonly ws: string;
  readonly outside: string;
  /** Path → sha256 of every file under `outside` when the sandbox was made. */
  readonly sentinels: ReadonlyMap<string, string>;
}

const dirs: string[] = [];
const gateways: Gateway[] = [];

/** A fresh sandbox: `ws/` (empty) and `outside/` with sentinel files (secret.txt, secret.md, nested/deep.json). */
export function sandbox(): Sandbox {
  const base = mkdtempSync(join(tmpdir(), 'mcpeg-editor-test-'));
  dirs.push(base);
  const ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(ws);
  mkdirSync(join(outside, 'nested'), { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(join(outside, 'secret.md'), `# ${SECRET}\n`);
  writeFileSync(join(outside, 'nested', 'deep.json'), JSON.stringify({ secret: SECRET }));
  return { base, ws, outside, sentinels: snapshot(outside) };
}

/** sha256 of every file under a folder (symlinks not followed), by relative path. */
export function snapshot(folder: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile()) out.set(`${prefix}${entry.name}`, createHash('sha256').update(readFileSync(path)).digest('hex'));
      else out.set(`${prefix}${entry.name}`, entry.isSymbolicLink() ? 'symlink' : 'other');
    }
  };
  walk(folder, '');
  return out;
}

/** Asserts nothing under `outside` was created, changed or removed. */
export function expectOutsideUntouched(box: Sandbox): void {
  expect(snapshot(box.outside)).toEqual(box.sentinels);
  expect(readdirSync(box.base).sort()).toEqual(['outside', 'ws']);
}

/** Stops every gateway and removes every sandbox this test file made. */
export async function cleanup(): Promise<void> {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.shutdown(2000)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A started gateway with an editor plugin on the sandbox's workspace (extra YAML lines go under config:). */
export async function editorGateway(box: Sandbox, extra = '', name = 'ed'): Promise<Gateway> {
  const gateway = await gatewayFrom(`plugins:
  ${name}:
    driver: editor
    config:
      workspace_dir: ${JSON.stringify(box.ws)}
${extra
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => `      ${line}`)
  .join('\n')}
`);
  gateways.push(gateway);
  return gateway;
}

/** Tracks a gateway built elsewhere so cleanup() stops it. */
export function track(gateway: Gateway): Gateway {
  gateways.push(gateway);
  return gateway;
}

export interface Outcome {
  readonly ok: boolean;
  readonly text: string;
  readonly code: string | undefined;
  readonly structured: Record<string, any> | undefined;
}

/** Calls a tool through the dispatcher (validation, pipeline, error boundary) and flattens the result. */
export async function call(gateway: Gateway, tool: string, args: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Outcome> {
  const result = (await gateway.dispatcher.callTool(tool, args, scope(signal ? { signal } : {}))) as Record<string, any>;
  return {
    ok: result.isError !== true,
    text: text(result),
    code: result._meta?.['dev.mcpeg/error']?.code,
    structured: result.structuredContent,
  };
}

/** Calls a tool that must succeed; returns its outcome. */
export async function ok(gateway: Gateway, tool: string, args: Record<string, unknown> = {}): Promise<Outcome> {
  const outcome = await call(gateway, tool, args);
  if (!outcome.ok) expect.fail(`${tool} ${JSON.stringify(args)} failed: ${outcome.text}`);
  return outcome;
}

export function mtimeOf(path: string): number {
  return statSync(path).mtimeMs;
}

/**
 * An editor wired by hand, without a gateway: the same tools on a Workspace built with explicit
 * options (procFd off to test the portable mode, or a hook to race the walk). Thrown errors become
 * failed outcomes, as the gateway's boundary would make them.
 */
export async function directEditor(
  box: Sandbox,
  options: { procFd?: boolean; hook?: WalkHook; config?: Record<string, unknown> } = {},
): Promise<{ call: (tool: string, args: Record<string, unknown>) => Promise<Outcome>; editor: EditorContext }> {
  const config = editorConfigSchema.parse({ workspace_dir: box.ws, ...options.config });
  const workspace = new Workspace(workspaceFolders(config), { service: 'ed', ...(options.procFd === undefined ? {} : { procFd: options.procFd }), ...(options.hook ? { hook: options.hook } : {}) });
  await workspace.open();
  const editor: EditorContext = { service: 'ed', config, workspace, policy: new FilePolicy(config, 'ed'), lock: new KeyLock(), logger: quietLogger() };
  const tools = new Map(editorTools(editor).map((tool) => [tool.name, tool]));
  const context = { ...scope(), service: 'ed' };
  return {
    editor,
    call: async (name, args) => {
      const tool = tools.get(name);
      if (!tool) throw new Error(`no tool ${name}`);
      try {
        const result = (await tool.call(args, context)) as Record<string, any>;
        return { ok: result.isError !== true, text: text(result), code: undefined, structured: result.structuredContent };
      } catch (error) {
        return { ok: false, text: (error as Error).message, code: (error as { code?: string }).code, structured: undefined };
      }
    },
  };
}
