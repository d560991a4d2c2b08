import type {
  ClientCapabilities,
  CompleteResult,
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitRequestURLParams,
  ElicitResult,
  GetPromptResult,
  Icon,
  InputRequiredResult,
  ListRootsResult,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType,
  Tool,
  CallToolResult,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Logger } from './logger.js';

/** The protocol era of the client a call comes from (see docs/architecture.md). */
export type Era = 'legacy' | 'modern';

/** Who is calling. `anonymous` when the front door authenticates nobody. */
export interface Principal {
  readonly id: string;
  readonly roles: readonly string[];
}

/** Everything a tool, resource or prompt handler may use while it serves one call. */
export interface CallContext {
  /** Aborted on client cancellation, timeout, or gateway shutdown: stop the backend work when it fires. */
  readonly signal: AbortSignal;
  /** The service instance's configured name. */
  readonly service: string;
  readonly era: Era;
  readonly principal: Principal;
  readonly clientCapabilities: ClientCapabilities | undefined;
  /** `_meta` of the request, reserved protocol keys removed (trace context lives here). */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** Report progress; a no-op when the client asked for none. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Send a log message to the client (respects its `logging/setLevel`). */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /** Answers the client gave to an `input_required` result of the previous round (untrusted input). */
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;
  /** The verified payload of the request state minted in the previous round, if any. */
  requestState<T = unknown>(): T | undefined;
  /** Mint an integrity-protected request state to return with an `input_required` result. */
  mintRequestState(payload: unknown): Promise<string>;
  /** Legacy-era push requests to the client. They throw on a modern-era call: return `inputRequired(...)` instead. */
  elicit(params: ElicitRequestFormParams | ElicitRequestURLParams): Promise<ElicitResult>;
  createMessage(params: CreateMessageRequest['params']): Promise<CreateMessageResult>;
  listRoots(): Promise<ListRootsResult>;
}

export type ToolResult = CallToolResult | InputRequiredResult;
export type ResourceResult = ReadResourceResult | InputRequiredResult;
export type PromptResult = GetPromptResult | InputRequiredResult;

/** A tool a service offers. `inputSchema` is raw JSON Schema; the gateway validates arguments against it. */
export interface ToolDefinition extends Omit<Tool, 'inputSchema' | 'outputSchema'> {
  readonly inputSchema: Tool['inputSchema'];
  readonly outputSchema?: Tool['outputSchema'];
  call(args: Record<string, unknown>, ctx: CallContext): Promise<ToolResult>;
}

export interface ResourceDefinition extends Resource {
  read(ctx: CallContext): Promise<ResourceResult>;
}

/** Returns completion values for one argument/variable, given what the user typed so far. */
export type Completer = (value: string, context: { arguments: Record<string, string> }) => Promise<string[]> | string[];

export interface ResourceTemplateDefinition extends ResourceTemplateType {
  /** Reads a resource whose URI matched the template; `variables` holds the matched parts. */
  read(uri: string, variables: Record<string, string | string[]>, ctx: CallContext): Promise<ResourceResult>;
  /** Completion per template variable. */
  readonly complete?: Readonly<Record<string, Completer>>;
}

export interface PromptDefinition extends Prompt {
  get(args: Record<string, string>, ctx: CallContext): Promise<PromptResult>;
  /** Completion per prompt argument. */
  readonly complete?: Readonly<Record<string, Completer>>;
}

/** What a health check found; throwing means unhealthy too. */
export interface HealthReport {
  readonly healthy: boolean;
  readonly detail?: string;
}

/** A live service instance. Declaring tools never does I/O; `start` does. */
export interface ServiceInstance {
  /** Connect, import drivers, spawn processes. Called lazily before the first call, bounded by a timeout. */
  start?(signal: AbortSignal): Promise<void>;
  /** Release everything `start` took. Bounded by a timeout. */
  stop?(signal: AbortSignal): Promise<void>;
  health?(signal: AbortSignal): Promise<HealthReport | undefined>;
  tools?(): readonly ToolDefinition[];
  resources?(): readonly ResourceDefinition[];
  resourceTemplates?(): readonly ResourceTemplateDefinition[];
  prompts?(): readonly PromptDefinition[];
  /** The client subscribed to updates of `uri`; call `ctx.resourceUpdated(uri)` when it changes. */
  subscribe?(uri: string): Promise<void>;
  unsubscribe?(uri: string): Promise<void>;
  /** Current resource usage (a connection pool, a process), for `/metrics` and the admin API. Must be cheap and never throw. */
  stats?(): ServiceStats;
}

/**
 * What {@link ServiceInstance.stats} reports. `pool`: connections in use are `size - idle`; `waiting` are
 * calls queued for a connection; `max` the configured limit.
 *
 * @example stats: () => ({ pool: { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: 10 } })
 */
export interface ServiceStats {
  readonly pool?: { readonly size: number; readonly idle: number; readonly waiting: number; readonly max?: number };
}

/** What the gateway hands a service type when it creates an instance. */
export interface ServiceContext<C> {
  /** The instance's configured name (the YAML key). */
  readonly name: string;
  /** The validated, frozen `config` of the instance (service-level keys merged with `config:`). */
  readonly config: C;
  /** The effective default timeout for one call, in milliseconds (global, overridden per service). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /**
   * Import a backend library lazily. A missing package becomes a `DRIVER_MISSING` error for this
   * service only, naming the package to install.
   */
  importDriver<T = unknown>(specifier: string): Promise<T>;
  /** Tell the gateway this instance's tools / resources / prompts changed; clients get `list_changed`. */
  listChanged(kind: 'tools' | 'resources' | 'prompts'): void;
  /** Tell subscribed clients that a resource changed. */
  resourceUpdated(uri: string): void;
  /**
   * Report that a started instance stopped working (a child process exited, a connection dropped
   * for good). The gateway marks the service failed, answers its calls with a clear error, and
   * restarts it with backoff.
   */
  reportFailure(error: unknown): void;
  /**
   * The folder of the config file that configured this service: relative paths in its settings (an
   * OpenAPI document, say) resolve against it. Undefined when the config came from no file.
   */
  readonly configDir?: string | undefined;
}

/** Metadata checked before a service type runs (ADR-020 plugin metadata). */
export interface ServiceTypeMetadata {
  /** The type's name, used as `driver:` / `type:` / the service key in config. `[a-z][a-z0-9_-]*`. */
  readonly name: string;
  /** Semver of the type's implementation. */
  readonly version: string;
  /** The seed's `type:` category: database, queue, secrets, rest, script, editor, git, memory, generic, … */
  readonly category: string;
  readonly description?: string;
  readonly capabilities?: readonly ('tools' | 'resources' | 'prompts' | 'completions' | 'subscriptions')[];
  /** Service types that must be registered for this one to work. */
  readonly dependencies?: readonly string[];
  /** Range of gateway versions it supports, e.g. `>=0.1 <2`. Checked at registration. */
  readonly gateway?: string;
  readonly icons?: readonly Icon[];
  /**
   * Start instances when the gateway starts instead of on their first call. For types whose tools
   * are only known after connecting (an upstream MCP server, an OpenAPI document): the gateway
   * waits a bounded time for them before it starts serving, so the first `tools/list` is complete.
   */
  readonly eager?: boolean;
}

/** A service type: metadata, a config schema, and a factory. Built-ins and plugins are the same thing. */
export interface ServiceType<C = unknown> extends ServiceTypeMetadata {
  /** Validates the instance config. Unknown keys should be errors (`z.strictObject`). */
  readonly configSchema: z.ZodType<C>;
  /** Build an instance. Must not do I/O: it runs to list tools before any call; `start` does the I/O. */
  create(ctx: ServiceContext<C>): ServiceInstance;
}

/** The outcome of a completion request, as the protocol carries it. */
export type Completion = CompleteResult['completion'];
