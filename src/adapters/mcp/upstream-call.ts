import type {
  ClientCapabilities,
  CreateMessageRequest,
  ElicitRequestFormParams,
  ElicitRequestURLParams,
  InputRequest,
  LoggingLevel,
} from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { CallContext } from '../../sdk/service-type.js';

/** A server→client request an upstream sent during a call, as relayed: method and params. */
export type ServerRequest =
  | { method: 'elicitation/create'; params: ElicitRequestFormParams | ElicitRequestURLParams }
  | { method: 'sampling/createMessage'; params: CreateMessageRequest['params'] }
  | { method: 'roots/list'; params?: Record<string, unknown> };

/** Client capability a server→client request needs. */
const NEEDS: Record<ServerRequest['method'], keyof ClientCapabilities> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

interface Pending {
  readonly key: string;
  readonly request: ServerRequest;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

export type Outcome<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'input'; requests: Record<string, InputRequest> };

/**
 * One request the gateway made upstream on behalf of a downstream call (tools/call, prompts/get,
 * resources/read): what the upstream's server→client requests, progress and log lines are relayed to.
 *
 * A legacy downstream client is asked directly (`ctx.elicit`, …) while its call waits. A modern one
 * cannot be asked mid-call: the request is parked here, the downstream call returns `input_required`,
 * and the upstream request stays pending until the client retries with the answer (`answer`, then
 * `next` again on the retry's context) — or until the call is cancelled or times out.
 */
export class UpstreamCall<T> {
  readonly controller = new AbortController();
  #ctx: CallContext | undefined;
  #settled: Outcome<T> | undefined;
  readonly #pending = new Map<string, Pending>();
  #sequence = 0;
  #wake: (() => void) | undefined;
  #detach: (() => void) | undefined;
  /** Progress and log lines already relayed: the result waits for them, so the client sees them first. */
  #delivered: Promise<void> = Promise.resolve();

  constructor(ctx: CallContext) {
    this.attach(ctx);
  }

  /** The downstream call now driving this one; its cancellation cancels the upstream request. */
  attach(ctx: CallContext): void {
    this.#detach?.();
    this.#ctx = ctx;
    const onAbort = () => this.controller.abort(ctx.signal.reason);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.#detach = () => ctx.signal.removeEventListener('abort', onAbort);
  }

  /** No downstream call is attached any more (it returned `input_required`). */
  detach(): void {
    this.#detach?.();
    this.#detach = undefined;
    this.#ctx = undefined;
  }

  get attached(): CallContext | undefined {
    return this.#ctx;
  }

  /** Runs the upstream request; its outcome is what `next` returns once no input is pending. */
  run(request: (signal: AbortSignal) => Promise<T>): void {
    request(this.controller.signal).then(
      (value) => this.#settle({ kind: 'done', value }),
      (error: unknown) => this.#settle({ kind: 'failed', error }),
    );
  }

  #settle(outcome: Outcome<T>) {
    this.#settled = outcome;
    for (const pending of this.#pending.values()) pending.reject(new Error('the upstream call ended'));
    this.#pending.clear();
    this.#wake?.();
  }

  /** Waits for the upstream's answer, or for input only a modern downstream client can give. */
  async next(): Promise<Outcome<T>> {
    for (;;) {
      if (this.#settled) {
        await this.#delivered;
        return this.#settled;
      }
      if (this.#pending.size > 0) {
        // Requests sent together arrive a moment apart: collect them into one round.
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (this.#settled) return this.#settled;
        return { kind: 'input', requests: Object.fromEntries([...this.#pending.values()].map((p) => [p.key, toInputRequest(p.request)])) };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }

  /** Gives parked requests the answers of a retry; unanswered ones stay parked (and are asked again). */
  answer(responses: Readonly<Record<string, unknown>> | undefined): void {
    for (const [key, response] of Object.entries(responses ?? {})) {
      const pending = this.#pending.get(key);
      if (!pending || response === null || typeof response !== 'object') continue;
      this.#pending.delete(key);
      pending.resolve(response);
    }
  }

  /** Asks the downstream client: directly when it is legacy, by parking the request when it is modern. */
  async ask(request: ServerRequest): Promise<unknown> {
    const ctx = this.#ctx;
    if (ctx) assertCapability(ctx, request);
    if (ctx?.era === 'legacy') return push(ctx, request);
    return new Promise((resolve, reject) => {
      const key = `${request.method.split('/')[0]}_${++this.#sequence}`;
      this.#pending.set(key, { key, request, resolve, reject });
      this.#wake?.();
    });
  }

  progress(progress: number, total?: number, message?: string): void {
    const ctx = this.#ctx;
    if (ctx) this.#deliver(() => ctx.progress(progress, total, message));
  }

  /** Relays a log line of the upstream to the attached client; false when none is attached. */
  log(level: LoggingLevel, data: unknown, logger?: string): boolean {
    const ctx = this.#ctx;
    if (!ctx) return false;
    this.#deliver(() => ctx.log(level, data, logger));
    return true;
  }

  #deliver(send: () => Promise<void>) {
    this.#delivered = this.#delivered.then(send).catch(() => {});
  }
}

/** Refuses a request the downstream client declared no capability for (it would be refused there anyway). */
export function assertCapability(ctx: CallContext, request: { method: string }): void {
  const needed = NEEDS[request.method as ServerRequest['method']];
  if (needed && !ctx.clientCapabilities?.[needed]) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidRequest,
      `the client this call came from did not declare the ${needed} capability, so the gateway cannot relay ${request.method} to it`,
    );
  }
}

/** Asks a legacy downstream client directly, on its session (a real server→client request). */
export function push(ctx: CallContext, request: ServerRequest): Promise<unknown> {
  switch (request.method) {
    case 'elicitation/create':
      return ctx.elicit(request.params);
    case 'sampling/createMessage':
      return ctx.createMessage(request.params);
    case 'roots/list':
      return ctx.listRoots();
  }
}

function toInputRequest(request: ServerRequest): InputRequest {
  return (request.method === 'roots/list' ? { method: 'roots/list', params: {} } : request) as InputRequest;
}
