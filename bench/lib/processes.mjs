// Starting what a scenario measures: servers as child processes (never inside the benchmark
// process, which generates the load), and SDK v2 clients connected to them.
import { spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MCPEG = join(ROOT, 'dist/cli/main.js');
export const FIXTURES = join(ROOT, 'bench/fixtures');
export const ECHO_SERVERS = join(FIXTURES, 'echo-servers.mjs');

/**
 * Spawns a server and waits until a line of its stdout or stderr matches `ready` (the first capture
 * group, usually its URL, is returned). Fails with the tail of its output if it exits or takes too long.
 */
export function startServer(command, args, { ready = /listening on (http:\/\/\S+)/, env, timeoutMs = 30_000 } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${[command, ...args].join(' ')} ${why}; its output ended with:\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk) => {
      if (output === undefined) return;
      output += String(chunk);
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      output = undefined;
      resolve({ child, pid: child.pid, url: match[1], stop: () => stopChild(child) });
    };
    const onExit = (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 3 s. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const tempDirs = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes a gateway config into a fresh temp folder (removed when the benchmark exits); returns its path. */
export function writeConfig(yaml, name = 'mcpeg.yaml') {
  const dir = mkdtempSync(join(tmpdir(), 'mcpeg-bench-'));
  tempDirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** MCPEG on HTTP on a free loopback port. */
export const startMcpegHttp = (config) => startServer(process.execPath, [MCPEG, 'serve', '--http', '127.0.0.1:0', '--config', config]);

/** An SDK v2 client on stdio, spawning the server; `pid` is the server's. */
export async function stdioClient(command, args, env = {}) {
  const transport = new StdioClientTransport({ command, args, env: { ...process.env, ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'mcpeg-bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, pid: transport.pid, stop: () => client.close() };
}

/** `count` SDK v2 clients over Streamable HTTP, each its own session (legacy) or connection (modern). */
export async function httpClients(url, mode, count) {
  const clients = Array.from({ length: count }, () => new Client({ name: 'mcpeg-bench', version: '1.0.0' }, { versionNegotiation: { mode } }));
  const connected = await Promise.allSettled(clients.map((client) => client.connect(new StreamableHTTPClientTransport(new URL(url)))));
  const failure = connected.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    await Promise.allSettled(clients.map((client) => client.close()));
    throw failure.reason;
  }
  return clients;
}

/** Throws when a tool result is an error or does not carry the expected text. */
export function expectText(result, text) {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content).slice(0, 300)}`);
  const got = result.content?.[0]?.text;
  if (text !== undefined && !String(got).includes(text)) throw new Error(`unexpected result: ${JSON.stringify(result).slice(0, 300)}`);
  return result;
}

/** The config of one bench echo plugin instance named `echo` (tool `echo__echo`). */
export const ECHO_PLUGIN = join(FIXTURES, 'echo-plugin.js');
export const CATALOG_PLUGIN = join(FIXTURES, 'catalog-plugin.js');

/** A loopback port free right now (for servers that cannot bind port 0 and report it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a server told to listen on `port` and waits until `url` accepts connections (any HTTP answer).
 * For peers whose log output is not a stable readiness signal.
 */
export async function startOnPort(command, args, url, { env, timeoutMs = 30_000 } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stderr.on('data', (chunk) => {
    output = (output + String(chunk)).slice(-4000);
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${[command, ...args].join(' ')} exited with code ${child.exitCode}:\n${output}`);
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) }).then((response) => response.body?.cancel());
      return { child, pid: child.pid, url, stop: () => stopChild(child) };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${[command, ...args].join(' ')} did not answer on ${url} within ${timeoutMs} ms:\n${output}`);
}
