import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { stopChild } from './helpers.js';

/** `@modelcontextprotocol/server-everything`, pinned: an upstream nobody here wrote, from the npm registry. */
export const EVERYTHING_VERSION = '2026.8.31';
const DIR = join(ROOT, '.conformance', 'upstreams');
const PACKAGE = join(DIR, 'node_modules', '@modelcontextprotocol', 'server-everything');

/**
 * The path of server-everything's entry script, installed on first use into .conformance/upstreams
 * (a cache outside the project's dependencies, like the conformance suite's tools).
 */
export function everythingServer(): string {
  const manifest = join(PACKAGE, 'package.json');
  const installed = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version : undefined;
  if (installed !== EVERYTHING_VERSION) {
    mkdirSync(DIR, { recursive: true });
    if (!existsSync(join(DIR, 'package.json'))) writeFileSync(join(DIR, 'package.json'), '{ "name": "mcpeg-test-upstreams", "private": true }\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', DIR, `@modelcontextprotocol/server-everything@${EVERYTHING_VERSION}`], {
      stdio: 'inherit',
      timeout: 170_000,
    });
    if (result.status !== 0) throw new Error(`could not install @modelcontextprotocol/server-everything@${EVERYTHING_VERSION} into ${DIR}`);
  }
  return join(PACKAGE, 'dist', 'index.js');
}

/** Starts server-everything over HTTP (`streamableHttp` → /mcp, `sse` → /sse) on a free loopback port. */
export async function startEverythingHttp(transport: 'streamableHttp' | 'sse'): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = everythingServer();
  const port = await freePort();
  const child = spawn(process.execPath, [script, transport], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(port) } });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/on port \d+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}: ${out}`)));
  });
  return { url: `http://127.0.0.1:${port}/${transport === 'sse' ? 'sse' : 'mcp'}`, stop: () => stopChild(child) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
