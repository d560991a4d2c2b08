// Shared pieces of the script tests: the fixture program, temp dirs, a gateway from YAML, pid checks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Gateway, RequestScope } from '../../../src/core/gateway.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope } from '../../helpers/scope.js';

/** The multi-mode test program, run as `node FIXTURE MODE …`. */
export const FIXTURE = fileURLToPath(new URL('./fixture.mjs', import.meta.url));
/** node itself, as an absolute path (the tests never depend on PATH to find it). */
export const NODE = process.execPath;

const dirs: string[] = [];
const gateways: Gateway[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpeg-script-'));
  dirs.push(dir);
  return dir;
}

/** A started gateway from YAML (the script type is built in); stopped by cleanup(). */
export async function gateway(yaml: string): Promise<Gateway> {
  const started = await gatewayFrom(yaml);
  gateways.push(started);
  return started;
}

export async function cleanup(): Promise<void> {
  await Promise.all(gateways.splice(0).map((started) => started.shutdown(1000)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Calls a tool through the gateway's dispatcher, as a front door would. */
export function call(gw: Gateway, tool: string, args: Record<string, unknown>, overrides: Partial<RequestScope> = {}) {
  return gw.dispatcher.callTool(tool, args, scope(overrides));
}

/** The MCPEG error code of a tool result, if it carries one. */
export function errorCode(result: unknown): string | undefined {
  return (result as { _meta?: Record<string, { code?: string }> })._meta?.['dev.mcpeg/error']?.code;
}

export function structured<T = Record<string, unknown>>(result: unknown): T {
  return (result as { structuredContent: T }).structuredContent;
}

/** True while a process with this pid exists and is not a zombie (a zombie runs nothing; its parent has yet to reap it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** JSON-quotes a string for a YAML flow scalar (YAML accepts JSON strings). */
export const q = (value: string) => JSON.stringify(value);
