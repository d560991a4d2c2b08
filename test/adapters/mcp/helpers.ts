import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import mcpServiceType from '../../../src/adapters/mcp/index.js';
import { buildGateway, loadConfig } from '../../../src/bootstrap.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { Logger } from '../../../src/sdk/logger.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { httpClient, type Mode, serveHttp } from '../../helpers/servers.js';

export const UPSTREAMS = fileURLToPath(new URL('../../fixtures/upstreams/', import.meta.url));
export const SDK_UPSTREAM = `${UPSTREAMS}sdk-upstream.mjs`;
export const FAKE_UPSTREAM = `${UPSTREAMS}fake-upstream.mjs`;
export const NODE = process.execPath;

/** YAML list of strings, quoted. */
export const yamlList = (items: readonly string[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

/** A started gateway (eager services connected) behind a real HTTP front door on port 0. */
export async function gatewayOnHttp(yaml: string, types: readonly ServiceType<unknown>[] = []): Promise<{ gateway: Gateway; url: URL; close: () => Promise<void> }> {
  const gateway = await gatewayFrom(yaml, [mcpServiceType as ServiceType<unknown>, ...types]);
  await gateway.warmUp(20_000);
  const server = await serveHttp(gateway);
  return { gateway, url: server.url, close: server.close };
}

/** A downstream SDK client that can answer sampling, elicitation and roots. */
export async function capableClient(url: URL, mode: Mode): Promise<Client> {
  const client = await httpClient(url, mode, { sampling: {}, elicitation: { form: {} }, roots: {} });
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { colour: 'teal' } }));
  client.setRequestHandler('sampling/createMessage', async (request) => ({
    role: 'assistant',
    model: 'test-model',
    content: { type: 'text', text: `answer to ${JSON.stringify((request.params.messages[0]?.content as { text?: string })?.text)}` },
  }));
  client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  return client;
}

/** Starts `node <script> http` and resolves with the URL it prints. */
export function startHttpUpstream(script = SDK_UPSTREAM, args: string[] = ['http'], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`upstream did not start: ${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/i.exec(out) ?? /(http:\/\/(?:127\.0\.0\.1|localhost):\d+\/\S*)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, stop: () => stopChild(child) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}: ${out}`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  });
}

/** Text of a tool result. */
export function resultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((block) => block.text ?? '').join('\n');
}

export interface LogEntry {
  readonly level: string;
  readonly bindings: Record<string, unknown>;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A Logger that keeps every entry (with its child bindings), for asserting what the gateway logged. */
export function recordingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at = (level: string) => (fields: Record<string, unknown> | string, message?: string) => {
    entries.push(typeof fields === 'string' ? { level, bindings, fields: {}, message: fields } : { level, bindings, fields, message: message ?? '' });
  };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}

/** Like gatewayOnHttp, with a recording logger. */
export async function recordedGateway(yaml: string): Promise<{ gateway: Gateway; url: URL; close: () => Promise<void>; log: LogEntry[] }> {
  const logger = recordingLogger();
  const loaded = await loadConfig({ text: yaml, origin: '/tmp/mcpeg-test.yaml', env: process.env, logger, types: [mcpServiceType as ServiceType<unknown>] });
  if (!loaded.ok) throw new Error(loaded.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
  const gateway = buildGateway({ config: loaded.config, registry: loaded.registry, logger });
  await gateway.warmUp(20_000);
  const server = await serveHttp(gateway);
  return { gateway, url: server.url, close: server.close, log: logger.entries };
}
