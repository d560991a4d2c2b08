import { AsyncLocalStorage } from 'node:async_hooks';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { RELATED_REQUEST_META_KEY } from './stream-tap.js';
import type { UpstreamCall } from './upstream-call.js';

type RequestId = string | number;
type AnyCall = UpstreamCall<unknown>;

/** Why a server→client message could not be tied to one call. */
export type Unassociated = { reason: 'none' } | { reason: 'ambiguous'; inFlight: number };

/**
 * Which downstream call an upstream's server→client request, progress or log line belongs to, on a
 * connection that all downstream clients share.
 *
 * The SDK client gives its request handlers the upstream's own request id, not the id of the
 * gateway request it relates to. So the gateway learns its outgoing ids itself: each upstream
 * request is sent inside `run(call, …)`, an AsyncLocalStorage scope, and `noteOutgoing` (hooked into
 * the transport's `send`) records `id → call`. A message stamped by the HTTP stream tap
 * ({@link RELATED_REQUEST_META_KEY}) then finds its call exactly. An unstamped one (stdio, the
 * legacy SSE transport, a message on the standalone GET stream) has nothing on the wire to say where
 * it belongs: it is relayed only when exactly one call is in flight, never guessed between several.
 */
export class CallRegistry {
  readonly #scope = new AsyncLocalStorage<AnyCall>();
  readonly #inFlight = new Set<AnyCall>();
  readonly #byRequestId = new Map<RequestId, AnyCall>();
  readonly #idsOf = new Map<AnyCall, RequestId[]>();
  readonly #byProgressToken = new Map<string, AnyCall>();
  readonly #tokenOf = new Map<AnyCall, string>();
  #tokens = 0;

  /** Runs an upstream request for `call`; everything it sends is attributed to `call` until it settles. */
  async run<T>(call: UpstreamCall<T>, request: () => Promise<T>): Promise<T> {
    const key = call as AnyCall;
    this.#inFlight.add(key);
    try {
      return await this.#scope.run(key, request);
    } finally {
      this.#inFlight.delete(key);
      for (const id of this.#idsOf.get(key) ?? []) this.#byRequestId.delete(id);
      this.#idsOf.delete(key);
      const token = this.#tokenOf.get(key);
      if (token !== undefined) this.#byProgressToken.delete(token);
      this.#tokenOf.delete(key);
    }
  }

  /**
   * The progress token to send with `call`'s request. Progress notifications carrying it are taken
   * off the wire by {@link takeProgress} before the SDK client sees them: the client dispatches
   * notifications a microtask late but drops a request's progress handler as soon as its response
   * arrives, so a last progress update sent right before the result would otherwise be lost.
   */
  progressToken(call: UpstreamCall<unknown>): string {
    const token = `mcpeg-${++this.#tokens}`;
    this.#byProgressToken.set(token, call);
    this.#tokenOf.set(call, token);
    return token;
  }

  /** Hook for the transport's incoming messages: relays a progress notification of ours; true when it did. */
  takeProgress(message: JSONRPCMessage): boolean {
    if (!('method' in message) || message.method !== 'notifications/progress' || 'id' in message) return false;
    const params = message.params as { progressToken?: unknown; progress?: unknown; total?: unknown; message?: unknown } | undefined;
    const call = typeof params?.progressToken === 'string' ? this.#byProgressToken.get(params.progressToken) : undefined;
    if (!call || typeof params?.progress !== 'number') return false;
    call.progress(params.progress, typeof params.total === 'number' ? params.total : undefined, typeof params.message === 'string' ? params.message : undefined);
    return true;
  }

  /** Calls running now, on this connection. */
  get size(): number {
    return this.#inFlight.size;
  }

  /** Hook for the transport's `send`: remembers which call an outgoing request belongs to. */
  noteOutgoing(message: JSONRPCMessage): void {
    const call = this.#scope.getStore();
    if (!call || !('method' in message) || !('id' in message) || message.id === undefined) return;
    this.#byRequestId.set(message.id, call);
    const ids = this.#idsOf.get(call) ?? [];
    ids.push(message.id);
    this.#idsOf.set(call, ids);
  }

  /** The call a server→client message relates to, from the tap's stamp or, lacking one, the only call in flight. */
  find(meta: Readonly<Record<string, unknown>> | undefined): AnyCall | Unassociated {
    const related = meta?.[RELATED_REQUEST_META_KEY];
    if (typeof related === 'string' || typeof related === 'number') {
      const call = this.#byRequestId.get(related);
      if (call) return call;
    }
    if (this.#inFlight.size === 1) return this.#inFlight.values().next().value as AnyCall;
    return this.#inFlight.size === 0 ? { reason: 'none' } : { reason: 'ambiguous', inFlight: this.#inFlight.size };
  }
}

export function isUnassociated(found: AnyCall | Unassociated): found is Unassociated {
  return 'reason' in found && !('controller' in found);
}
