// The raw HTTP ceiling: autocannon (a bench peer, from bench/.peers) posting one JSON-RPC request
// over and over on N keep-alive connections, with the headers an MCP client of that era sends.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { meters } from './load.mjs';
import { PEERS_DIR } from './peers.mjs';

export const MODERN = '2026-07-28';
export const LEGACY = '2025-11-25';
const ACCEPT = 'application/json, text/event-stream';
const CLIENT_INFO = { name: 'mcpeg-bench', version: '1.0.0' };

/** Headers and body of a `tools/call` as the SDK v2 client sends it in the given era. */
export function toolCallRequest(era, name, args, sessionId) {
  if (era === 'modern') {
    return {
      headers: { 'content-type': 'application/json', accept: ACCEPT, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name,
          arguments: args,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    };
  }
  return {
    headers: {
      'content-type': 'application/json',
      accept: ACCEPT,
      'mcp-protocol-version': LEGACY,
      ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  };
}

/** The JSON-RPC answer in a response body: plain JSON, or the first message event of an SSE stream (after any priming event). */
export function rpcMessage(text) {
  const data = text.startsWith('{') ? text : text.split('\n').find((line) => line.startsWith('data: {'))?.slice(6);
  if (!data) throw new Error(`not a JSON-RPC answer: ${text.slice(0, 300)}`);
  return JSON.parse(data);
}

/** Opens a legacy (2025) session with initialize + notifications/initialized; returns its id (or undefined when the server is stateless). */
export async function openLegacySession(url, { signal } = {}) {
  const headers = { 'content-type': 'application/json', accept: ACCEPT };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    signal,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO } }),
  });
  const message = rpcMessage(await init.text());
  if (!init.ok || message.error) throw new Error(`initialize failed: HTTP ${init.status} ${JSON.stringify(message.error ?? message).slice(0, 300)}`);
  const sessionId = init.headers.get('mcp-session-id') ?? undefined;
  const initialized = await fetch(url, {
    method: 'POST',
    signal,
    headers: { ...headers, 'mcp-protocol-version': LEGACY, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.arrayBuffer();
  if (!initialized.ok) throw new Error(`notifications/initialized answered HTTP ${initialized.status}`);
  return sessionId;
}

/** Sends the request once and checks that the answer is a result carrying `expect`; fails loudly otherwise. */
export async function verifyRequest(url, { headers, body }, expect) {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  const message = response.ok ? rpcMessage(text) : undefined;
  if (!message?.result || !JSON.stringify(message.result).includes(expect)) {
    throw new Error(`the raw request to ${url} did not answer as expected (HTTP ${response.status}): ${text.slice(0, 400)}`);
  }
}

/** Runs autocannon for `seconds`; same result shape as closedLoop. */
export async function rawLoad({ url, request, connections, seconds, pid, tree = false }) {
  const autocannon = createRequire(join(PEERS_DIR, 'package.json'))('autocannon');
  const meter = meters(pid, tree);
  const cpuBefore = meter.cpu();
  const result = await autocannon({ url, method: 'POST', headers: request.headers, body: request.body, connections, duration: seconds, sampleInt: 100 });
  const cpu = meter.cpu() - cpuBefore;
  const calls = result['2xx'];
  const errors = result.errors + result.timeouts + result.non2xx;
  if (errors) process.stderr.write(`    autocannon: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts\n`);
  return {
    calls,
    errors,
    callsPerSecond: calls / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPer1000: calls ? (cpu / calls) * 1000 : Number.NaN,
    peakRss: meter.rss(),
  };
}
