// The tools/call fast path against the SDK's own path: the same requests sent to two gateways, one
// with server.http.fast_path on and one with it off, must get the same answers (status and JSON-RPC
// messages). Then what only the fast path does itself: push requests routed over the call's own
// answer, cancellation, session close, and that plain calls really take it.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/core/gateway.js';
import { StdioFrontDoor } from '../../src/transports/stdio.js';
import { defineServiceType, z } from '../../src/sdk/index.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { serveHttp } from '../helpers/servers.js';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const ACCEPT = 'application/json, text/event-stream';
const envelope = (extra: Record<string, unknown> = {}, capabilities: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'fast-path-test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': capabilities,
  ...extra,
});

/** What the probe tools saw of cancellation, per call tag. */
const aborted = new Map<string, string>();
const started = new Map<string, () => void>();
/** How often the image tool ran: a result handed to the SDK must not run the call again. */
let imageCalls = 0;

const probeType = defineServiceType({
  name: 'fastprobe',
  version: '1.0.0',
  category: 'generic',
  description: 'fast path probe',
  configSchema: z.strictObject({}),
  create() {
    const tool = (name: string, call: (args: Record<string, unknown>, ctx: any) => Promise<unknown>, inputSchema: Record<string, unknown> = { type: 'object' }) => ({
      name,
      description: name,
      inputSchema: inputSchema as { type: 'object' },
      call: call as never,
    });
    return {
      tools: () => [
        tool('echo', async ({ text }) => ({ content: [{ type: 'text', text }] }), { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }),
        tool('routed', async ({ region }) => ({ content: [{ type: 'text', text: `region ${region}` }] }), {
          type: 'object',
          properties: { region: { type: 'string', 'x-mcp-header': 'Region' } },
        }),
        tool('chatty', async (_args, ctx) => {
          await ctx.log('debug', 'debug line');
          await ctx.log('info', { note: 'info line' }, 'probe');
          await ctx.progress(1, 2, 'half way');
          await ctx.log('error', 'error line');
          return { content: [{ type: 'text', text: 'chatted' }] };
        }),
        tool('fail', async () => {
          throw new Error('the backend said no');
        }),
        tool('malformed', async () => ({ content: 'not a list' })),
        tool('image', async () => {
          imageCalls++;
          return { content: [{ type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }] };
        }),
        tool('structured', async () => ({ structuredContent: { answer: 42 } })),
        tool('errorFlag', async () => ({ content: [{ type: 'text', text: 'soft failure' }], isError: true, _meta: { 'example.com/x': 1 } })),
        tool('context', async (_args, ctx) => ({
          content: [{ type: 'text', text: JSON.stringify({ era: ctx.era, meta: ctx.meta ?? null, capabilities: ctx.clientCapabilities ?? null, principal: ctx.principal.id }) }],
        })),
        tool('ask', async (_args, ctx) => {
          if (ctx.era === 'modern') {
            return { resultType: 'input_required', inputRequests: { pick: { method: 'elicitation/create', params: { message: 'pick one', requestedSchema: { type: 'object', properties: {} } } } } };
          }
          const answer = await ctx.elicit({ message: 'pick one', requestedSchema: { type: 'object', properties: { choice: { type: 'string' } } } });
          return { content: [{ type: 'text', text: `answer ${JSON.stringify(answer)}` }] };
        }),
        tool('roots', async (_args, ctx) => {
          try {
            return { content: [{ type: 'text', text: JSON.stringify(await ctx.listRoots()) }] };
          } catch (error) {
            return { content: [{ type: 'text', text: `refused: ${(error as Error).message}` }] };
          }
        }),
        tool('slow', async ({ tag }, ctx) => {
          started.get(tag as string)?.();
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 30_000);
            ctx.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              aborted.set(tag as string, String(ctx.signal.reason?.message ?? ctx.signal.reason));
              resolve();
            });
          });
          return { content: [{ type: 'text', text: 'slow done' }] };
        }),
      ],
    };
  },
});

const config = (fast: boolean) => `
server: { fast_path: ${fast} }
services:
  p: { driver: fastprobe }
`;

let fast: Awaited<ReturnType<typeof serveHttp>>;
let slow: Awaited<ReturnType<typeof serveHttp>>;
let fastGateway: Gateway;
let slowGateway: Gateway;

beforeAll(async () => {
  fastGateway = await gatewayFrom(config(true), [probeType]);
  slowGateway = await gatewayFrom(config(false), [probeType]);
  fast = await serveHttp(fastGateway);
  slow = await serveHttp(slowGateway);
});
afterAll(async () => {
  await fast?.close();
  await slow?.close();
});

interface Answer {
  status: number;
  type: string;
  messages: Record<string, any>[];
}

async function post(url: URL, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', messages: parseMessages(await response.text()) };
}

function parseMessages(text: string): Record<string, any>[] {
  if (text.length === 0) return [];
  if (text.startsWith('{') || text.startsWith('[')) return [JSON.parse(text)].flat();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)));
}

/** Request state is freshly signed on every answer; everything else must be equal. */
function comparable(answer: Answer) {
  const messages = answer.messages.map((message) => {
    const result = message.result as Record<string, unknown> | undefined;
    return result && typeof result.requestState === 'string' ? { ...message, result: { ...result, requestState: '<signed>' } } : message;
  });
  return { status: answer.status, messages };
}

const modernHeaders = (name: string, extra: Record<string, string> = {}) => ({ 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name, ...extra });
const modernCall = (name: string, args: Record<string, unknown> = {}, meta: Record<string, unknown> = envelope(), id: string | number = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, _meta: meta },
});

async function openSession(url: URL, capabilities: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const init = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities, clientInfo: { name: 'fast-path-test', version: '1' } } }),
  });
  await init.text();
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': LEGACY };
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  return headers;
}

const legacyCall = (name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>, id: string | number = 5) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

describe('modern era: the fast path answers exactly as the SDK path does', () => {
  const cases: [string, unknown, Record<string, string>][] = [
    ['a plain call', modernCall('p__echo', { text: 'hi' }), modernHeaders('p__echo')],
    ['a string id', modernCall('p__echo', { text: 'hi' }, envelope(), 'call-7'), modernHeaders('p__echo')],
    ['no arguments at all', { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'p__echo', _meta: envelope() } }, modernHeaders('p__echo')],
    ['arguments of the wrong type', modernCall('p__echo', { text: 5 }), modernHeaders('p__echo')],
    ['hostile text', modernCall('p__echo', { text: '"}]}\u0000\u2028<script>\n\ndata: {"forged":1}' }), modernHeaders('p__echo')],
    ['an unknown tool', modernCall('p__nope'), modernHeaders('p__nope')],
    ['a tool that throws', modernCall('p__fail'), modernHeaders('p__fail')],
    ['a malformed result', modernCall('p__malformed'), modernHeaders('p__malformed')],
    ['an image result', modernCall('p__image'), modernHeaders('p__image')],
    ['a result with only structured content', modernCall('p__structured'), modernHeaders('p__structured')],
    ['isError and _meta of its own', modernCall('p__errorFlag'), modernHeaders('p__errorFlag')],
    ['logs without a log level (dropped) and no progress token', modernCall('p__chatty'), modernHeaders('p__chatty')],
    ['logs at level info with a progress token', modernCall('p__chatty', {}, envelope({ 'io.modelcontextprotocol/logLevel': 'info', progressToken: 'tok' })), modernHeaders('p__chatty')],
    ['logs at level error', modernCall('p__chatty', {}, envelope({ 'io.modelcontextprotocol/logLevel': 'error' })), modernHeaders('p__chatty')],
    ['what the service sees', modernCall('p__context', {}, envelope({ progressToken: 3, custom: 'kept', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, { sampling: {} })), modernHeaders('p__context')],
    ['trace context from headers', modernCall('p__context'), modernHeaders('p__context', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01' })],
    ['input_required without the capability', modernCall('p__ask'), modernHeaders('p__ask')],
    ['input_required with the capability', modernCall('p__ask', {}, envelope({}, { elicitation: { form: {} } })), modernHeaders('p__ask')],
    ['a push request on a modern call', modernCall('p__roots'), modernHeaders('p__roots')],
    ['Mcp-Name disagreeing with the body', modernCall('p__echo', { text: 'x' }), modernHeaders('p__fail')],
    ['a mirrored argument without its header', modernCall('p__routed', { region: 'eu' }), modernHeaders('p__routed')],
    ['a mirrored argument with its header', modernCall('p__routed', { region: 'eu' }), modernHeaders('p__routed', { 'mcp-param-region': 'eu' })],
    ['an unsupported version in the envelope', modernCall('p__echo', { text: 'x' }, { ...envelope(), 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }), modernHeaders('p__echo')],
    ['an envelope without capabilities', modernCall('p__echo', { text: 'x' }, { 'io.modelcontextprotocol/protocolVersion': MODERN }), modernHeaders('p__echo')],
    ['a null id', { ...modernCall('p__echo', { text: 'x' }), id: null }, modernHeaders('p__echo')],
    ['arguments that are a list', { ...modernCall('p__echo'), params: { name: 'p__echo', arguments: ['x'], _meta: envelope() } }, modernHeaders('p__echo')],
    ['an extra parameter (task)', { ...modernCall('p__echo'), params: { name: 'p__echo', arguments: { text: 'x' }, task: { ttl: 1000 }, _meta: envelope() } }, modernHeaders('p__echo')],
    ['a batch', [modernCall('p__echo', { text: 'x' })], modernHeaders('p__echo')],
    ['a text/plain body', modernCall('p__echo', { text: 'x' }), modernHeaders('p__echo', { 'content-type': 'text/plain' })],
    ['an Accept without event streams', modernCall('p__echo', { text: 'x' }), modernHeaders('p__echo', { accept: 'application/json' })],
  ];
  it.each(cases)('%s', async (_label, body, headers) => {
    const [ours, sdk] = await Promise.all([post(fast.url, body, headers), post(slow.url, body, headers)]);
    expect(comparable(ours)).toEqual(comparable(sdk));
  });

  it('hands a rich result to the SDK without running the call twice', async () => {
    const before = imageCalls;
    const answer = await post(fast.url, modernCall('p__image'), modernHeaders('p__image'));
    expect(answer.messages[0]?.result.content[0].type).toBe('image');
    expect(imageCalls - before).toBe(1);
  });

  it('answers a plain call with one JSON body, and streams once the tool reports progress', async () => {
    const plain = await post(fast.url, modernCall('p__echo', { text: 'hi' }), modernHeaders('p__echo'));
    expect(plain.type).toBe('application/json');
    expect(plain.messages[0]?.result).toMatchObject({ content: [{ type: 'text', text: 'hi' }], resultType: 'complete' });
    const chatty = await post(fast.url, modernCall('p__chatty', {}, envelope({ progressToken: 'p' })), modernHeaders('p__chatty'));
    expect(chatty.type).toBe('text/event-stream');
    expect(chatty.messages.map((message) => message.method ?? 'result')).toEqual(['notifications/progress', 'result']);
  });

  it('aborts the call when the client goes away', async () => {
    const tag = 'modern-disconnect';
    const running = new Promise<void>((resolve) => started.set(tag, resolve));
    const controller = new AbortController();
    const call = post(fast.url, modernCall('p__slow', { tag }), modernHeaders('p__slow'), controller.signal).catch((error: Error) => error);
    await running;
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await expect.poll(() => aborted.get(tag)).toBeDefined();
  });
});

describe('legacy era: the fast path answers exactly as the SDK path does', () => {
  let ours: Record<string, string>;
  let sdk: Record<string, string>;
  beforeAll(async () => {
    [ours, sdk] = await Promise.all([openSession(fast.url, { roots: {} }), openSession(slow.url, { roots: {} })]);
  });

  const cases: [string, unknown][] = [
    ['a plain call', legacyCall('p__echo', { text: 'hi' })],
    ['a string id', legacyCall('p__echo', { text: 'hi' }, undefined, 'abc')],
    ['arguments of the wrong type', legacyCall('p__echo', { text: [] })],
    ['an unknown tool', legacyCall('p__nope')],
    ['a tool that throws', legacyCall('p__fail')],
    ['a malformed result', legacyCall('p__malformed')],
    ['an image result', legacyCall('p__image')],
    ['a result with only structured content', legacyCall('p__structured')],
    ['isError and _meta of its own', legacyCall('p__errorFlag')],
    ['logs and progress', legacyCall('p__chatty', {}, { progressToken: 9 })],
    ['what the service sees', legacyCall('p__context', {}, { progressToken: 'x', custom: 1 })],
    ['a push request the client has the capability for is not answered here', legacyCall('p__echo', { text: 'still fine' })],
    ['elicitation without the capability', legacyCall('p__ask')],
  ];
  it.each(cases)('%s', async (_label, body) => {
    const [a, b] = await Promise.all([post(fast.url, body, ours), post(slow.url, body, sdk)]);
    expect(comparable(a)).toEqual(comparable(b));
  });

  it('applies logging/setLevel to calls on either path', async () => {
    const setLevel = { jsonrpc: '2.0', id: 90, method: 'logging/setLevel', params: { level: 'warning' } };
    await Promise.all([post(fast.url, setLevel, ours), post(slow.url, setLevel, sdk)]);
    const [a, b] = await Promise.all([post(fast.url, legacyCall('p__chatty'), ours), post(slow.url, legacyCall('p__chatty'), sdk)]);
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.messages.filter((message) => message.method === 'notifications/message').map((message) => message.params.level)).toEqual(['error']);
  });

  it('hands a rich result to the SDK without running the call twice', async () => {
    const before = imageCalls;
    const answer = await post(fast.url, legacyCall('p__image'), ours);
    expect(answer.messages.at(-1)?.result.content[0].type).toBe('image');
    expect(imageCalls - before).toBe(1);
  });

  it('answers a plain call in its session with one JSON body', async () => {
    const answer = await post(fast.url, legacyCall('p__echo', { text: 'hi' }), ours);
    expect(answer.type).toBe('application/json');
    expect(answer.messages).toEqual([{ jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'hi' }] } }]);
  });

  it('sends a push request on the call’s own stream and takes the client’s answer through the session', async () => {
    const headers = await openSession(fast.url, { roots: {} });
    const response = await fetch(fast.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body: JSON.stringify(legacyCall('p__roots', {}, undefined, 'r1')),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('roots/list')) text += (await reader.read()).value ?? '';
    const request = parseMessages(text).find((message) => message.method === 'roots/list')!;
    const reply = await post(fast.url, { jsonrpc: '2.0', id: request.id, result: { roots: [{ uri: 'file:///work', name: 'work' }] } }, headers);
    expect(reply.status).toBe(202);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    const result = parseMessages(text).find((message) => message.id === 'r1');
    expect(JSON.parse(result?.result.content[0].text)).toEqual({ roots: [{ uri: 'file:///work', name: 'work' }] });
  });

  it('stops a call on notifications/cancelled for its id', async () => {
    const tag = 'legacy-cancel';
    const running = new Promise<void>((resolve) => started.set(tag, resolve));
    const call = post(fast.url, legacyCall('p__slow', { tag }, undefined, 'c1'), ours).catch((error: Error) => error);
    await running;
    const notice = await post(fast.url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c1', reason: 'user pressed stop' } }, ours);
    expect(notice.status).toBe(202);
    await expect.poll(() => aborted.get(tag)).toBeDefined();
    await call;
  });

  it('stops a call when its session is deleted', async () => {
    const headers = await openSession(fast.url);
    const tag = 'legacy-delete';
    const running = new Promise<void>((resolve) => started.set(tag, resolve));
    const call = post(fast.url, legacyCall('p__slow', { tag }), headers).catch((error: Error) => error);
    await running;
    const deleted = await fetch(fast.url, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    await expect.poll(() => aborted.get(tag)).toBeDefined();
    await call;
  });

  it('refuses another principal’s or an unknown session the SDK’s way', async () => {
    const [a, b] = await Promise.all([
      post(fast.url, legacyCall('p__echo', { text: 'x' }), { ...ours, 'mcp-session-id': 'no-such-session' }),
      post(slow.url, legacyCall('p__echo', { text: 'x' }), { ...sdk, 'mcp-session-id': 'no-such-session' }),
    ]);
    expect(a.status).toBe(404);
    expect(comparable(a)).toEqual(comparable(b));
  });
});

/** A raw stdio peer of a front door: JSON lines in, JSON lines out, answers collected by id. */
function stdioPeer(gateway: Gateway) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const door = new StdioFrontDoor(gateway, { stdin, stdout });
  const seen: Record<string, any>[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const message = JSON.parse(buffer.slice(0, newline));
      seen.push(message);
      // The client side of a push request: roots/list is answered at once.
      if (message.method === 'roots/list') stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { roots: [{ uri: 'file:///stdio', name: 'stdio' }] } })}\n`);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    door,
    send: (message: unknown) => stdin.write(`${JSON.stringify(message)}\n`),
    /** Every message up to and including the answer to `id`, removed from what was seen. */
    async until(id: string | number): Promise<Record<string, any>[]> {
      for (;;) {
        const at = seen.findIndex((message) => message.id === id && ('result' in message || 'error' in message));
        if (at >= 0) return comparable({ status: 0, type: '', messages: seen.splice(0, at + 1) }).messages;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    seen,
  };
}

describe.each(['legacy', 'modern'] as const)('stdio, %s era: the fast path answers exactly as the SDK path does', (era) => {
  let ours: ReturnType<typeof stdioPeer>;
  let sdk: ReturnType<typeof stdioPeer>;
  const call = (name: string, args: Record<string, unknown> = {}, meta: Record<string, unknown> = {}, id: string | number = 11) =>
    era === 'modern' ? modernCall(name, args, envelope(meta), id) : legacyCall(name, args, Object.keys(meta).length > 0 ? meta : undefined, id);

  beforeAll(async () => {
    ours = stdioPeer(fastGateway);
    sdk = stdioPeer(slowGateway);
    for (const peer of [ours, sdk]) {
      if (era === 'legacy') {
        peer.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: LEGACY, capabilities: { roots: {} }, clientInfo: { name: 'stdio-test', version: '1' } } });
        await peer.until('init');
        peer.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      } else {
        peer.send({ jsonrpc: '2.0', id: 'discover', method: 'server/discover', params: { _meta: envelope() } });
        await peer.until('discover');
      }
    }
  });
  afterAll(async () => {
    await ours?.door.close();
    await sdk?.door.close();
  });

  const cases: [string, unknown][] = [
    ['a plain call', call('p__echo', { text: 'hi' })],
    ['arguments of the wrong type', call('p__echo', { text: 1 })],
    ['an unknown tool', call('p__nope')],
    ['a tool that throws', call('p__fail')],
    ['a malformed result', call('p__malformed')],
    ['an image result', call('p__image')],
    ['logs and progress', call('p__chatty', {}, { progressToken: 'stdio', 'io.modelcontextprotocol/logLevel': 'info' })],
    ['what the service sees', call('p__context', {}, { custom: 'x' })],
    ['a push request', call('p__roots')],
  ];
  it.each(cases)('%s', async (_label, message) => {
    ours.send(message);
    sdk.send(message);
    expect(await ours.until(11)).toEqual(await sdk.until(11));
  });

  it('stops a call on notifications/cancelled and sends no answer for it', async () => {
    const tag = `stdio-cancel-${era}`;
    const running = new Promise<void>((resolve) => started.set(tag, resolve));
    ours.send(call('p__slow', { tag }, {}, 'slow-1'));
    await running;
    ours.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow-1', reason: 'stop', ...(era === 'modern' ? { _meta: envelope() } : {}) } });
    await expect.poll(() => aborted.get(tag)).toBe('stop');
    ours.send(call('p__echo', { text: 'after' }, {}, 'after'));
    const after = await ours.until('after');
    expect(after.some((message) => message.id === 'slow-1')).toBe(false);
    expect(after.at(-1)?.result.content[0].text).toBe('after');
  });
});
