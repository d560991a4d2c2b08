// Real memory stores in temp dirs for the memory plugin's tests: each test makes its own folder, and
// `cleanup()` stops every gateway and removes every folder a test file made.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { createMemoryType } from '../../../src/plugins/memory/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';

const dirs: string[] = [];
const gateways: Gateway[] = [];

/** A fresh temp folder, removed by cleanup(). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpeg-memory-test-'));
  dirs.push(dir);
  return dir;
}

/** Stops every gateway and removes every folder this test file made. */
export async function cleanup(): Promise<void> {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.shutdown(5000)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A settable clock for the `memory_clock` type (a copy of `memory` reading this clock). */
export const clock = { now: Date.UTC(2026, 10, 22, 3, 0, 0) };
export const clockType = createMemoryType({ name: 'memory_clock', now: () => clock.now }) as ServiceType<unknown>;

/** A started gateway from YAML (the built-in memory type, and memory_clock). */
export async function gateway(yaml: string): Promise<Gateway> {
  const started = await gatewayFrom(yaml, [clockType]);
  gateways.push(started);
  return started;
}

/** A gateway with one memory service `mem` (prefix never: bare tool names) on `storage_path`, extra YAML config lines indented by 6. */
export async function memoryGateway(storagePath: string, extra = '', driver = 'memory'): Promise<Gateway> {
  return gateway(`global: { prefix: never }
plugins:
  mem:
    driver: ${driver}
    config:
      storage_path: ${JSON.stringify(storagePath)}
${extra}`);
}

/** Calls a tool through the real call path (validation, pipeline, error boundary). */
export function caller(gw: Gateway) {
  const call = (tool: string, args: Record<string, unknown> = {}) => gw.dispatcher.callTool(tool, args, scope());
  return {
    call,
    /** The structured content of a successful call; fails the test with the text of a failed one. */
    async ok(tool: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> {
      const result = await call(tool, args);
      if (result.isError) expect.fail(`${tool} failed: ${text(result)}`);
      return (result as { structuredContent: Record<string, any> }).structuredContent;
    },
    /** The text of a call that must fail. */
    async fails(tool: string, args: Record<string, unknown> = {}): Promise<{ text: string; code: string | undefined }> {
      const result = await call(tool, args);
      if (!result.isError) expect.fail(`${tool} should have failed, got: ${text(result)}`);
      const meta = (result as { _meta?: Record<string, { code?: string }> })._meta;
      return { text: text(result), code: meta?.['dev.mcpeg/error']?.code };
    },
  };
}

/** Runs a read on a database file directly (not through the gateway). */
export function readDirect<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
