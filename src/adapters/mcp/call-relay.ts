import {
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequest,
  type InputRequiredResult,
  isInputRequiredResult,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type Tool,
} from '@modelcontextprotocol/client';
import { inputRequired } from '@modelcontextprotocol/server';
import { GatewayError } from '../../sdk/errors.js';
import type { CallContext, PromptResult, ResourceResult, ToolResult } from '../../sdk/service-type.js';
import type { CallRegistry } from './call-registry.js';
import type { McpConfig } from './config.js';
import type { Link } from './connection.js';
import type { Relay } from './mirror.js';
import type { ParkedCalls } from './parked-calls.js';
import { RELATED_REQUEST_META_KEY } from './stream-tap.js';
import { callAsTask, requiresTask } from './tasks.js';
import { assertCapability, push, type ServerRequest, UpstreamCall } from './upstream-call.js';
import { callFailure } from './upstream-errors.js';

/** What a relay needs of the service that owns it. */
export interface RelayHost {
  readonly service: string;
  readonly config: McpConfig;
  readonly calls: CallRegistry;
  readonly parked: ParkedCalls;
  /** The live connection, connecting (again) when there is none. */
  link(): Promise<Link>;
  /** Why the last connection was lost, for the errors of the calls it took with it. */
  lost(): string | undefined;
  /** A call finished: the service may start its idle timer. */
  settled(): void;
}

/**
 * The gateway's request state for a relayed call that needs input: `x` names a parked upstream call
 * (a legacy upstream is waiting on a server→client request), `u` carries a modern upstream's own
 * request state (opaque to us) to the retry.
 */
type RelayState = { k: 'x'; id: string } | { k: 'u'; s?: string };

type Send<T> = (link: Link, extra: Extra, signal: AbortSignal) => Promise<T>;
interface Extra {
  _meta?: Record<string, unknown>;
  inputResponses?: Record<string, unknown>;
  requestState?: string;
}

/** The SDK's own request timeout is a backstop only: the gateway's timeout and input_timeout govern. */
const BACKSTOP_TIMEOUT_MS = 86_400_000;
/** Rounds of input a legacy client is asked for on one call before the gateway gives up. */
const MAX_ROUNDS = 10;

/**
 * Relays calls to the upstream: arguments and `_meta` up; progress, log lines, results,
 * `structuredContent` and `isError` down; cancellation up (the downstream signal aborts the upstream
 * request). Input the upstream needs from the user travels in whichever shape each side speaks:
 *
 * | upstream asks by | legacy downstream                | modern downstream                          |
 * |------------------|----------------------------------|--------------------------------------------|
 * | server→client request (legacy upstream) | asked directly, same call | `input_required`; the upstream request waits (parked) for the retry |
 * | `input_required` (modern upstream)      | asked directly, then the upstream call retried with the answers | `input_required` relayed, its state wrapped in ours |
 */
export class UpstreamRelay implements Relay {
  readonly #host: RelayHost;

  constructor(host: RelayHost) {
    this.#host = host;
  }

  callTool(tool: Tool, args: Record<string, unknown>, ctx: CallContext): Promise<ToolResult> {
    // Passing the definition (without outputSchema) keeps the SDK from re-validating the upstream's
    // structured output — the gateway relays results as they are — while it still mirrors x-mcp-header arguments.
    const { outputSchema: _omit, ...definition } = tool;
    return this.#relay<ToolResult>('tools/call', tool.name, ctx, (link, extra, signal) =>
      requiresTask(tool) && !link.modern
        ? callAsTask(link.client, { name: tool.name, arguments: args, ...extra }, { signal, timeout: BACKSTOP_TIMEOUT_MS })
        : link.client.callTool(
        { name: tool.name, arguments: args, ...extra },
        { signal, allowInputRequired: true, timeout: BACKSTOP_TIMEOUT_MS, toolDefinition: definition as Tool },
      ) as Promise<ToolResult>,
    );
  }

  getPrompt(name: string, args: Record<string, string>, ctx: CallContext): Promise<PromptResult> {
    return this.#relay<PromptResult>('prompts/get', name, ctx, (link, extra, signal) =>
      link.client.request({ method: 'prompts/get', params: { name, arguments: args, ...extra } }, { signal, allowInputRequired: true, timeout: BACKSTOP_TIMEOUT_MS }) as Promise<PromptResult>,
    );
  }

  readResource(uri: string, ctx: CallContext): Promise<ResourceResult> {
    return this.#relay<ResourceResult>(
      'resources/read',
      uri,
      ctx,
      (link, extra, signal) =>
        link.client.request({ method: 'resources/read', params: { uri, ...extra } }, { signal, allowInputRequired: true, timeout: BACKSTOP_TIMEOUT_MS }) as Promise<ResourceResult>,
      uri,
    );
  }

  async complete(ref: Parameters<Relay['complete']>[0], name: string, value: string, context: Record<string, string>): Promise<string[]> {
    const link = await this.#host.link();
    try {
      const result = await link.client.complete(
        { ref, argument: { name, value }, ...(Object.keys(context).length > 0 ? { context: { arguments: context } } : {}) },
        { timeout: this.#host.config.connect_timeout },
      );
      return result.completion.values;
    } catch (error) {
      throw callFailure(this.#host.service, 'completion/complete', error, this.#host.lost());
    } finally {
      this.#host.settled();
    }
  }

  async #relay<T>(method: string, target: string, ctx: CallContext, send: Send<T>, uri?: string): Promise<T> {
    const what = `${method} ${target}`;
    const state = ctx.requestState<RelayState>();
    let call: UpstreamCall<T> | undefined;
    let upstreamState: string | undefined;
    let answers = nonEmpty(ctx.inputResponses);
    if (state?.k === 'x') {
      call = this.#host.parked.take(state.id) as UpstreamCall<T> | undefined;
      if (!call) {
        throw new GatewayError(
          'BACKEND_ERROR',
          `the ${what} call that was waiting for your answer is gone (it waited longer than input_timeout, or the gateway restarted): call it again`,
          { service: this.#host.service },
        );
      }
      call.attach(ctx);
      call.answer(ctx.inputResponses);
    } else if (state?.k === 'u') {
      upstreamState = state.s;
    }
    try {
      for (let round = 0; ; round++) {
        call ??= await this.#start(ctx, send, { answers, upstreamState });
        const outcome = await call.next();
        if (outcome.kind === 'failed') return (await this.#failed(what, ctx, outcome.error, uri)) as T;
        if (outcome.kind === 'input') return (await this.#park(call, ctx, outcome.requests)) as T;
        call = undefined;
        const result = outcome.value;
        if (!isInputRequiredResult(result)) return ownResult(result);
        // A modern upstream asks by result: relay it to a modern client, fulfil it for a legacy one.
        if (ctx.era === 'modern') return (await this.#relayInputRequired(result, ctx)) as T;
        if (round + 1 >= MAX_ROUNDS) {
          throw new GatewayError('BACKEND_ERROR', `the upstream still asked for input after ${MAX_ROUNDS} rounds of ${what}; gave up`, { service: this.#host.service });
        }
        answers = await this.#fulfil(ctx, result.inputRequests ?? {});
        upstreamState = result.requestState;
      }
    } finally {
      this.#host.settled();
    }
  }

  async #start<T>(ctx: CallContext, send: Send<T>, input: { answers?: Record<string, unknown>; upstreamState?: string }): Promise<UpstreamCall<T>> {
    const link = await this.#host.link();
    const call = new UpstreamCall<T>(ctx);
    const extra: Extra = {
      _meta: { ...metaFor(link, ctx, this.#host.config), progressToken: this.#host.calls.progressToken(call as UpstreamCall<unknown>) },
      ...(input.answers ? { inputResponses: input.answers } : {}),
      ...(input.upstreamState !== undefined ? { requestState: input.upstreamState } : {}),
    };
    call.run((signal) => this.#host.calls.run(call, () => send(link, extra, signal)));
    return call;
  }

  /** A modern client must answer a legacy upstream's request: park the upstream call, return input_required. */
  async #park<T>(call: UpstreamCall<T>, ctx: CallContext, requests: Record<string, InputRequest>): Promise<InputRequiredResult> {
    call.detach();
    const id = this.#host.parked.park(call as UpstreamCall<unknown>);
    return inputRequired({ inputRequests: requests, requestState: await ctx.mintRequestState({ k: 'x', id } satisfies RelayState) });
  }

  async #relayInputRequired(result: InputRequiredResult, ctx: CallContext): Promise<InputRequiredResult> {
    const requestState = await ctx.mintRequestState({ k: 'u', ...(result.requestState !== undefined ? { s: result.requestState } : {}) } satisfies RelayState);
    return inputRequired({ ...(result.inputRequests ? { inputRequests: result.inputRequests } : {}), requestState });
  }

  /** Asks a legacy client each input a modern upstream wants, one after the other. */
  async #fulfil(ctx: CallContext, requests: Record<string, InputRequest>): Promise<Record<string, unknown>> {
    const answers: Record<string, unknown> = {};
    for (const [key, request] of Object.entries(requests)) {
      try {
        assertCapability(ctx, request);
      } catch (error) {
        throw new GatewayError('BACKEND_ERROR', `the upstream needs input your client cannot give: ${(error as Error).message}`, { service: this.#host.service });
      }
      answers[key] = await push(ctx, request as ServerRequest);
    }
    return answers;
  }

  async #failed(what: string, ctx: CallContext, error: unknown, uri: string | undefined): Promise<InputRequiredResult> {
    if (error instanceof ProtocolError && error.code === ProtocolErrorCode.MissingRequiredClientCapability) {
      // The upstream needs a client capability the caller did not declare: a modern caller gets the same
      // -32021 (the error boundary passes it through); a legacy era has no such error, so it reads as a failure.
      if (ctx.era === 'modern') throw error;
      throw new GatewayError('BACKEND_ERROR', `the upstream refused ${what}: it needs a client capability your client did not declare (${error.message})`, {
        service: this.#host.service,
        cause: error,
      });
    }
    if (ctx.signal.aborted && ctx.signal.reason instanceof GatewayError) throw ctx.signal.reason;
    throw callFailure(this.#host.service, what, error, this.#host.lost(), uri);
  }
}

/** `_meta` for the upstream request: the caller's own keys (trace context, …); on a modern upstream also what the caller can answer and the log level. */
function metaFor(link: Link, ctx: CallContext, config: McpConfig): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctx.meta ?? {})) {
    if (key === 'progressToken' || key === RELATED_REQUEST_META_KEY || key.startsWith('io.modelcontextprotocol/')) continue;
    meta[key] = value;
  }
  if (link.modern) {
    const declared = ctx.clientCapabilities ?? {};
    meta[CLIENT_CAPABILITIES_META_KEY] = {
      ...(declared.sampling ? { sampling: declared.sampling } : {}),
      ...(declared.elicitation ? { elicitation: declared.elicitation } : {}),
      ...(declared.roots ? { roots: declared.roots } : {}),
    };
    if (config.log_level !== 'off') meta[LOG_LEVEL_META_KEY] = config.log_level;
  }
  return meta;
}

/**
 * The upstream's result as the gateway's own: protocol-level fields of the upstream hop (`resultType`,
 * cache hints, `io.modelcontextprotocol/*` keys such as the upstream's serverInfo) are dropped — the
 * gateway's server sets its own — and everything else (content, structuredContent, isError, the
 * upstream's own `_meta` keys) passes through untouched.
 */
function ownResult<T>(result: T): T {
  if (result === null || typeof result !== 'object') return result;
  const { resultType: _type, ttlMs: _ttl, cacheScope: _scope, ...rest } = result as Record<string, unknown>;
  const meta = rest._meta as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object') {
    const kept = Object.fromEntries(Object.entries(meta).filter(([key]) => !key.startsWith('io.modelcontextprotocol/')));
    if (Object.keys(kept).length > 0) rest._meta = kept;
    else delete rest._meta;
  }
  return rest as T;
}

function nonEmpty(responses: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  return responses && Object.keys(responses).length > 0 ? { ...responses } : undefined;
}
