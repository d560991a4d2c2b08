import type { JSONRPCMessage, RequestId, Server } from '@modelcontextprotocol/server';
import type { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Writable } from 'node:stream';
import type { Gateway } from '../core/gateway.js';
import { CallAbort } from '../pipeline/call-abort.js';
import type { Era } from '../sdk/service-type.js';
import { GatewayError } from '../sdk/errors.js';
import { principalOf } from '../security/principal.js';
import { legacyEra, modernEra } from './fast-call-eras.js';
import { type CallSink, legacyShapeCall, modernEnvelopeCall, serveFastToolCall } from './fast-tool-call.js';
import type { McpServerFactory } from './mcp-server.js';

/** A stdio connection as a call sink: every message is a line of its own, so nothing ever streams. */
class StdioSink implements CallSink {
  readonly #transport: StdioServerTransport;
  readonly #stdout: Writable;
  readonly #cancelled: CallAbort;
  #done = false;

  /** `cancelled` is the call's abort: cancelled by the client, the call gets no answer at all, as the protocol asks. */
  constructor(transport: StdioServerTransport, stdout: Writable, cancelled: CallAbort) {
    this.#transport = transport;
    this.#stdout = stdout;
    this.#cancelled = cancelled;
  }

  get started(): boolean {
    return false;
  }

  get open(): boolean {
    // Aborted by the gateway itself (a timeout, shutdown: a GatewayError) the call still gets its answer.
    const cancelled = this.#cancelled.aborted && !(this.#cancelled.reason instanceof GatewayError);
    return !this.#done && !cancelled && !this.#stdout.destroyed;
  }

  send(message: unknown): void {
    if (this.open) this.#transport.send(message as JSONRPCMessage).catch(() => {});
  }

  finish(json: string): void {
    if (!this.open) return;
    this.#done = true;
    this.#stdout.write(`${json}\n`);
  }
}

/**
 * The tools/call fast path on stdio: once the SDK has pinned the connection to an era (and, for the
 * legacy era, the client has initialized), a plain `tools/call` goes straight to the dispatcher and
 * its answer straight to stdout. Everything else, and unusual outcomes (handed off by call id), go
 * through the SDK as before. Cancellation of a fast call arrives as `notifications/cancelled`.
 */
export class StdioFastPath {
  readonly #gateway: Gateway;
  readonly #factory: McpServerFactory;
  readonly #transport: StdioServerTransport;
  readonly #stdout: Writable;
  readonly #calls = new Map<RequestId, CallAbort>();
  /** Calls handed to the SDK to answer, until their answer goes out. */
  readonly #handedOff = new Set<RequestId>();
  #connection: { server: Server; era: Era } | undefined;

  constructor(options: { gateway: Gateway; factory: McpServerFactory; transport: StdioServerTransport; stdout: Writable }) {
    this.#gateway = options.gateway;
    this.#factory = options.factory;
    this.#transport = options.transport;
    this.#stdout = options.stdout;
    // Once the SDK has answered a handed-off call, its outcome must not linger: a later request may reuse the id.
    const send = options.transport.send.bind(options.transport);
    options.transport.send = (message: JSONRPCMessage) => {
      if (this.#handedOff.size > 0 && ('result' in message || 'error' in message) && this.#handedOff.delete(message.id as RequestId)) {
        if (this.#connection) this.#factory.dropHandOff(this.#connection.server, message.id as RequestId);
      }
      return send(message);
    };
  }

  /** The SDK created the connection's instance (it pins the era with it). */
  pinned(server: Server, era: Era): void {
    this.#connection = { server, era };
  }

  /** Wraps the SDK's inbound handler: what the fast path serves never reaches it. */
  intercept(sdk: (message: JSONRPCMessage, extra?: unknown) => void): (message: JSONRPCMessage, extra?: unknown) => void {
    return (message, extra) => {
      if (this.#calls.size > 0) this.#cancelled(message);
      if (!this.#serve(message, extra, sdk)) sdk(message, extra);
    };
  }

  /** The connection closed: calls still running are aborted. */
  closed(): void {
    for (const abort of this.#calls.values()) abort.abort(new Error('the client closed the connection'));
  }

  #serve(message: JSONRPCMessage, extra: unknown, sdk: (message: JSONRPCMessage, extra?: unknown) => void): boolean {
    const connection = this.#connection;
    if (!connection || (message as { method?: unknown }).method !== 'tools/call') return false;
    const { server, era } = connection;
    const call = era === 'modern' ? modernEnvelopeCall(message) : server.getClientCapabilities() ? legacyShapeCall(message) : undefined;
    if (!call || this.#calls.has(call.id)) return false;
    const abort = new CallAbort();
    const sink = new StdioSink(this.#transport, this.#stdout, abort);
    this.#calls.set(call.id, abort);
    serveFastToolCall({
      call,
      stream: sink,
      era: era === 'modern' ? modernEra(call, sink, this.#factory) : legacyEra(call, sink, server, abort, this.#factory),
      abort,
      principal: principalOf(undefined),
      meta: call.meta,
      dispatch: (name, args, scope, owner) => this.#gateway.dispatcher.callTool(name, args, scope, owner),
      handOff: async (outcome) => {
        this.#factory.handOff(server, call.id, outcome);
        this.#handedOff.add(call.id);
        sdk(message, extra);
      },
    })
      .catch((error: unknown) => this.#gateway.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'stdio fast path failed'))
      .finally(() => {
        if (this.#calls.get(call.id) === abort) this.#calls.delete(call.id);
      });
    return true;
  }

  #cancelled(message: JSONRPCMessage): void {
    const { method, params } = message as { method?: unknown; params?: { requestId?: RequestId; reason?: unknown } };
    if (method !== 'notifications/cancelled' || params?.requestId === undefined) return;
    const reason = typeof params.reason === 'string' ? params.reason : 'cancelled by the client';
    this.#calls.get(params.requestId)?.abort(new Error(reason));
  }
}
