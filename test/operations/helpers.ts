import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway, loadConfig, type LoadResult } from '../../src/bootstrap.js';
import type { Gateway } from '../../src/core/gateway.js';
import { startOperations, type Operations } from '../../src/operations/operations.js';
import type { Logger } from '../../src/sdk/logger.js';
import type { ServiceType } from '../../src/sdk/service-type.js';
import { HttpFrontDoor } from '../../src/transports/http.js';

/** A logger that keeps every line, for asserting what the person on call would read. */
export function recordingLogger(): Logger & { lines: { level: string; fields: Record<string, unknown>; message: string }[]; text(): string } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const log = (level: string) => (fields: Record<string, unknown> | string, message?: string) => {
      if (typeof fields === 'string') lines.push({ level, fields: bindings, message: fields });
      else lines.push({ level, fields: { ...bindings, ...fields }, message: message ?? '' });
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (more) => make({ ...bindings, ...more }) };
  };
  return Object.assign(make({}), { lines, text: () => lines.map((line) => `${line.level} ${line.message}`).join('\n') });
}

/** A config file in a fresh temp folder; `write` replaces its content (write + rename, like an editor). */
export function configFile(text: string): { dir: string; path: string; write(text: string): void; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mcpeg-ops-'));
  const path = join(dir, 'mcpeg.yaml');
  writeFileSync(path, text);
  let version = 0;
  return {
    dir,
    path,
    write(next: string) {
      const temp = join(dir, `.mcpeg.yaml.${++version}.tmp`);
      writeFileSync(temp, next);
      renameSync(temp, path); // over the file, as editors do
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Running {
  readonly gateway: Gateway;
  readonly ops: Operations;
  readonly url: URL;
  readonly base: string;
  close(): Promise<void>;
}

/** Loads the file, builds the gateway, starts operations (watching the file) and serves HTTP on port 0. */
export async function runGateway(
  path: string,
  types: readonly ServiceType<unknown>[],
  options: { logger?: Logger; env?: Record<string, string | undefined>; watch?: boolean } = {},
): Promise<Running> {
  const logger = options.logger ?? recordingLogger();
  const env = options.env ?? process.env;
  const load = (): Promise<LoadResult> => loadConfig({ text: readFileSync(path, 'utf8'), origin: path, env, logger, types });
  const loaded = await load();
  if (!loaded.ok) throw new Error(`invalid test config:\n${loaded.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n')}`);
  const gateway = buildGateway({ config: loaded.config, registry: loaded.registry, logger });
  await gateway.warmUp();
  const front: { door?: HttpFrontDoor } = {};
  const ops = await startOperations({
    gateway,
    registry: loaded.registry,
    logger,
    load,
    env,
    ...(options.watch === false ? {} : { watchPath: path, watchDebounceMs: 50 }),
    sessions: () => front.door?.sessions() ?? { legacy: 0, modern: 0 },
  });
  const door = new HttpFrontDoor(gateway, { host: '127.0.0.1', port: 0, routes: ops.routes });
  front.door = door;
  const { url } = await door.listen({ host: '127.0.0.1', port: 0 });
  const parsed = new URL(url);
  return {
    gateway,
    ops,
    url: parsed,
    base: `${parsed.protocol}//${parsed.host}`,
    close: async () => {
      await gateway.shutdown(1000);
      await ops.close();
      await door.close();
    },
  };
}

/** Polls `check` until it returns a truthy value (the machine is loaded: generous, never a fixed sleep as the assertion). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
