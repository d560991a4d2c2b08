import type { IncomingMessage } from 'node:http';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  type RequestId,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { RequestScope } from '../core/gateway.js';
import type { CallAbort } from '../pipeline/call-abort.js';
import type { Era } from '../sdk/service-type.js';
import { errorResponse, resultResponse } from './call-stream.js';
import { progressParams } from './notifications.js';

/** Where a fast call's messages go: an HTTP answer, or the stdio connection. */
export interface CallSink {
  /** Whether anything went out, so the outcome can no longer be handed to the SDK to answer. */
  readonly started: boolean;
  /** Whether the client can still be written to. */
  readonly open: boolean;
  /** A notification or request related to the call, before its result. */
  send(message: unknown): void;
  /** The serialized JSON-RPC response; ends the call. */
  finish(json: string): void;
}

export const MODERN_REVISION = '2026-07-28';
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** A `tools/call` the fast path may serve: well-formed, nothing the SDK must take part in. */
export interface FastToolCall {
  readonly id: string | number;
  readonly name: string;
  readonly arguments: Record<string, unknown> | undefined;
  /** `_meta` without the protocol's envelope keys (what services see as `ctx.meta`). */
  readonly meta: Record<string, unknown> | undefined;
  readonly progressToken: string | number | undefined;
  /** Modern era: the envelope's client capabilities and log threshold. */
  readonly clientCapabilities?: ClientCapabilities;
  readonly logLevel?: LogLevel | undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Both answer forms must be acceptable and the body JSON, or the SDK answers (406 / 415 and friends). */
function plainHeaders(req: IncomingMessage): boolean {
  const accept = header(req, 'accept');
  const type = header(req, 'content-type');
  return (
    accept !== undefined &&
    accept.includes('application/json') &&
    accept.includes('text/event-stream') &&
    type !== undefined &&
    /^application\/json\s*(;|$)/i.test(type)
  );
}

/**
 * The common shape of a `tools/call` in either era: a single request, a string or number id, a string
 * name, object arguments, and no parameters the SDK gives meaning to (`task`, MRTR `inputResponses`
 * and `requestState`). Anything else goes the SDK's way, which answers it exactly as before.
 */
function toolCall(body: unknown): { id: string | number; params: Record<string, unknown>; meta: Record<string, unknown> | undefined } | undefined {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  const { id, params } = body;
  if ((typeof id !== 'string' && typeof id !== 'number') || !isPlainObject(params)) return undefined;
  for (const key in params) if (key !== 'name' && key !== 'arguments' && key !== '_meta') return undefined;
  if (typeof params.name !== 'string') return undefined;
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return undefined;
  const meta = params._meta;
  if (meta !== undefined && !isPlainObject(meta)) return undefined;
  const token = meta?.progressToken;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'number') return undefined;
  return { id, params, meta };
}

/** A modern-era (2026-07-28) `tools/call` over HTTP whose headers and envelope are exactly right, or undefined. */
export function modernToolCall(req: IncomingMessage, body: unknown): FastToolCall | undefined {
  if (!plainHeaders(req) || header(req, 'mcp-session-id') !== undefined) return undefined;
  if (header(req, 'mcp-protocol-version') !== MODERN_REVISION || header(req, 'mcp-method') !== 'tools/call') return undefined;
  const call = modernEnvelopeCall(body);
  return call && header(req, 'mcp-name') === call.name ? call : undefined;
}

/** A modern-era `tools/call` whose envelope (`_meta`) is exactly right, on any transport, or undefined. */
export function modernEnvelopeCall(body: unknown): FastToolCall | undefined {
  const call = toolCall(body);
  if (!call?.meta) return undefined;
  const { meta } = call;
  if (meta[PROTOCOL_VERSION_META_KEY] !== MODERN_REVISION) return undefined;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  if (!isPlainObject(capabilities)) return undefined;
  const info = meta[CLIENT_INFO_META_KEY];
  if (info !== undefined && !(isPlainObject(info) && typeof info.name === 'string' && typeof info.version === 'string')) return undefined;
  const level = meta[LOG_LEVEL_META_KEY];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) return undefined;
  const rest: Record<string, unknown> = {};
  let kept = false;
  for (const key in meta) {
    if (key === PROTOCOL_VERSION_META_KEY || key === CLIENT_CAPABILITIES_META_KEY || key === CLIENT_INFO_META_KEY || key === LOG_LEVEL_META_KEY) continue;
    rest[key] = meta[key];
    kept = true;
  }
  return {
    id: call.id,
    name: call.params.name as string,
    arguments: call.params.arguments as Record<string, unknown> | undefined,
    meta: kept ? rest : undefined,
    progressToken: meta.progressToken as string | number | undefined,
    clientCapabilities: capabilities as ClientCapabilities,
    logLevel: level as LogLevel | undefined,
  };
}

/** A legacy-era `tools/call` over HTTP, headers exactly right, or undefined (the session is checked by the caller). */
export function legacyToolCall(req: IncomingMessage, body: unknown): FastToolCall | undefined {
  if (!plainHeaders(req)) return undefined;
  const version = header(req, 'mcp-protocol-version');
  if (version === undefined || version === MODERN_REVISION || !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  return legacyShapeCall(body);
}

/** A legacy-era `tools/call` of the plain shape, on any transport, or undefined. */
export function legacyShapeCall(body: unknown): FastToolCall | undefined {
  const call = toolCall(body);
  if (!call) return undefined;
  return {
    id: call.id,
    name: call.params.name as string,
    arguments: call.params.arguments as Record<string, unknown> | undefined,
    meta: call.meta,
    progressToken: call.meta?.progressToken as string | number | undefined,
  };
}

/** Whether a log message at `level` passes `threshold` (no threshold: everything passes). */
export function passesLogThreshold(level: string, threshold: string | undefined): boolean {
  if (threshold === undefined) return true;
  return LOG_LEVELS.indexOf(level as LogLevel) >= LOG_LEVELS.indexOf(threshold as LogLevel);
}

/** What a call ended with: the dispatcher's result, or what it threw. */
export type CallOutcome = { readonly result: unknown } | { readonly error: unknown };

/**
 * A result the fast path may put on the wire as it is: only text content, and only fields whose
 * validation by the SDK cannot change them. Anything richer (images, resources, structured output
 * without content, `input_required`) is handed to the SDK, which validates and encodes it.
 */
export function isPlainToolResult(result: unknown): boolean {
  if (!isPlainObject(result) || !Array.isArray(result.content)) return false;
  for (const key in result) {
    const value = result[key];
    if (key === 'content') {
      for (const block of value as unknown[]) {
        if (!isPlainObject(block) || block.type !== 'text' || typeof block.text !== 'string') return false;
        for (const field in block) if (field !== 'type' && field !== 'text') return false;
      }
    } else if (key === 'isError') {
      if (typeof value !== 'boolean') return false;
    } else if (key === '_meta' || key === 'structuredContent') {
      if (!isPlainObject(value)) return false;
    } else return false;
  }
  return true;
}

/**
 * {@link encodeModernResult} serialized. The usual result (no `_meta`, no `resultType` of its own) is
 * serialized as it is and the two fields spliced in before its closing brace: no copy of the result.
 */
export function encodeModernResultJson(result: Record<string, unknown>, serverInfo: { name: string; version: string }, serverInfoJson: string): string {
  if (result._meta === undefined && result.resultType === undefined) {
    const json = JSON.stringify(result);
    const stamp = `"resultType":"complete","_meta":{"${SERVER_INFO_META_KEY}":${serverInfoJson}}}`;
    return json === '{}' ? `{${stamp}` : `${json.slice(0, -1)},${stamp}`;
  }
  return JSON.stringify(encodeModernResult(result, serverInfo));
}

/** The 2026-07-28 encoding of a result: `resultType` (default `complete`) and the server's identity in `_meta`. */
export function encodeModernResult(result: Record<string, unknown>, serverInfo: { name: string; version: string }): Record<string, unknown> {
  // Copied key by key: `{ ...result, … }` takes V8's slow path.
  const encoded: Record<string, unknown> = {};
  for (const key in result) encoded[key] = result[key];
  encoded.resultType = result.resultType ?? 'complete';
  const meta = result._meta as Record<string, unknown> | undefined;
  if (meta === undefined) encoded._meta = { [SERVER_INFO_META_KEY]: serverInfo };
  else if (meta[SERVER_INFO_META_KEY] === undefined) {
    const stamped: Record<string, unknown> = {};
    for (const key in meta) stamped[key] = meta[key];
    stamped[SERVER_INFO_META_KEY] = serverInfo;
    encoded._meta = stamped;
  }
  return encoded;
}

/** The JSON-RPC error for what a call threw after its answer had started streaming. */
export function streamedError(id: RequestId, error: unknown): string {
  if (error instanceof ProtocolError) return errorResponse(id, { code: error.code, message: error.message, data: error.data });
  return errorResponse(id, { code: -32603, message: error instanceof Error ? error.message : String(error) });
}

/** The pieces of a fast call that differ by era. */
export interface FastCallEra {
  readonly era: Era;
  /** A result as it goes on the wire, serialized (the modern era stamps it). */
  encode(result: Record<string, unknown>): string;
  /** Everything in the request scope the era decides (logging, push requests, request state). */
  readonly scope: Pick<RequestScope, 'clientCapabilities' | 'log' | 'elicit' | 'createMessage' | 'listRoots' | 'mintRequestState'>;
}

/**
 * The request scope of a fast call. A class, not an object literal: `{ ...era.scope, … }` and a getter
 * in a literal both take V8's slow path, which cost more than the rest of a plain call. The signal is
 * made only if something reads it.
 */
class FastScope implements RequestScope {
  readonly era: RequestScope['era'];
  readonly clientCapabilities: RequestScope['clientCapabilities'];
  readonly log: RequestScope['log'];
  readonly elicit: RequestScope['elicit'];
  readonly createMessage: RequestScope['createMessage'];
  readonly listRoots: RequestScope['listRoots'];
  readonly mintRequestState: RequestScope['mintRequestState'];
  readonly inputResponses = undefined;
  readonly progress: RequestScope['progress'];
  readonly #abort: CallAbort;

  constructor(
    era: FastCallEra,
    abort: CallAbort,
    readonly principal: RequestScope['principal'],
    readonly meta: RequestScope['meta'],
    token: string | number | undefined,
    stream: CallSink,
  ) {
    this.#abort = abort;
    this.era = era.era;
    this.clientCapabilities = era.scope.clientCapabilities;
    this.log = era.scope.log;
    this.elicit = era.scope.elicit;
    this.createMessage = era.scope.createMessage;
    this.listRoots = era.scope.listRoots;
    this.mintRequestState = era.scope.mintRequestState;
    this.progress = async (progress, total, message) => {
      if (token !== undefined) stream.send({ jsonrpc: '2.0', method: 'notifications/progress', params: progressParams(token, progress, total, message) });
    };
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  requestState<T>(): T | undefined {
    return undefined;
  }
}

/**
 * Runs one `tools/call` through the dispatcher and answers it on `stream`. A plain result is written
 * here; anything else, while nothing has gone out yet, goes to `handOff`, which lets the SDK encode
 * the outcome (validation, `input_required`, JSON-RPC errors) exactly as on its own path.
 */
export async function serveFastToolCall(options: {
  readonly call: FastToolCall;
  readonly stream: CallSink;
  readonly era: FastCallEra;
  /** Made for this call alone: aborted when the client goes away or cancels, and lent to the dispatcher. */
  readonly abort: CallAbort;
  readonly principal: RequestScope['principal'];
  readonly meta: Record<string, unknown> | undefined;
  readonly dispatch: (name: string, args: Record<string, unknown> | undefined, scope: RequestScope, owner: CallAbort) => Promise<unknown>;
  readonly handOff: (outcome: CallOutcome) => Promise<void>;
}): Promise<void> {
  const { call, stream, era } = options;
  const scope = new FastScope(era, options.abort, options.principal, options.meta, call.progressToken, stream);
  let outcome: CallOutcome;
  try {
    outcome = { result: await options.dispatch(call.name, call.arguments, scope, options.abort) };
  } catch (error) {
    outcome = { error };
  }
  if (!stream.open) return;
  if ('result' in outcome && isPlainToolResult(outcome.result)) {
    stream.finish(resultResponse(call.id, era.encode(outcome.result as Record<string, unknown>)));
    return;
  }
  if (!stream.started) return options.handOff(outcome);
  // Rare: a rich result or an error after progress or log messages already went out on the stream.
  if ('error' in outcome) stream.finish(streamedError(call.id, outcome.error));
  else stream.finish(resultResponse(call.id, isPlainObject(outcome.result) ? era.encode(outcome.result) : JSON.stringify(outcome.result)));
}
