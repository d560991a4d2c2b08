import { type CallEvent, callChannel } from '../../core/call-events.js';
import type { Logger } from '../../sdk/logger.js';
import { GATEWAY_VERSION } from '../../version.js';
import { outcomeCode } from '../metrics.js';
import { type ExportResource, otlpJson, otlpProtobuf, type SpanData } from './otlp-encoding.js';
import type { OtelSettings } from './otel-env.js';
import { newSpanId, newTraceId, parseTraceparent } from './trace-context.js';

const SPAN = Symbol('mcpeg.span');

interface OpenSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly traceState: string | undefined;
  readonly startNs: bigint;
}

/**
 * One OpenTelemetry SERVER span per tool call, continued from the W3C trace context in the request's
 * `_meta` (`traceparent`, `tracestate`; the HTTP front door copies the headers there when `_meta` has
 * none), batched and exported over OTLP/HTTP. Loaded only when tracing is on: nothing of this exists
 * otherwise, and calls pay nothing.
 *
 * @example const tracer = new CallTracer({ settings: otelSettings(process.env), logger }); … await tracer.close();
 */
export class CallTracer {
  readonly #settings: OtelSettings;
  readonly #logger: Logger;
  readonly #resource: ExportResource;
  readonly #fetch: typeof fetch;
  #queue: SpanData[] = [];
  #timer: NodeJS.Timeout | undefined;
  #exporting: Promise<void> = Promise.resolve();
  readonly #subscribers;
  dropped = 0;
  exported = 0;
  #warned = false;

  constructor(options: { settings: OtelSettings; logger: Logger; fetch?: typeof fetch }) {
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? fetch;
    this.#resource = {
      attributes: {
        ...options.settings.resourceAttributes,
        'service.name': options.settings.serviceName,
        'service.version': GATEWAY_VERSION,
        'telemetry.sdk.name': 'mcpeg',
        'telemetry.sdk.language': 'nodejs',
      },
      scope: { name: 'mcpeg', version: GATEWAY_VERSION },
    };
    this.#subscribers = {
      start: (event: CallEvent) => this.#start(event),
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (event: CallEvent) => this.#end(event),
      error: () => {},
    };
    callChannel.subscribe(this.#subscribers);
  }

  #start(event: CallEvent) {
    const header = event.meta?.traceparent;
    const parent = typeof header === 'string' ? parseTraceparent(header) : undefined;
    const { ratio, parentBased } = this.#settings.sampler;
    const traceId = parent?.traceId ?? newTraceId();
    const sampled = parent && parentBased ? parent.sampled : sampleByTraceId(traceId, ratio);
    if (!sampled) return;
    const state = event.meta?.tracestate;
    event[SPAN] = {
      traceId,
      spanId: newSpanId(),
      parentSpanId: parent?.spanId,
      traceState: parent && typeof state === 'string' ? state : undefined,
      startNs: nowNs(),
    } satisfies OpenSpan;
  }

  #end(event: CallEvent) {
    const open = event[SPAN] as OpenSpan | undefined;
    if (!open) return;
    const code = outcomeCode(event);
    const error = event.error as { message?: unknown } | undefined;
    const span: SpanData = {
      ...open,
      name: `${event.method} ${event.target}`,
      kind: 2,
      endNs: nowNs(),
      attributes: {
        'mcp.method.name': event.method,
        'gen_ai.tool.name': event.target,
        'gen_ai.operation.name': 'execute_tool',
        'mcpeg.service': event.service,
        'mcpeg.era': event.era,
        'enduser.id': event.principal.id,
        ...(code ? { 'error.type': code } : {}),
      },
      status: code ? { code: 2, message: typeof error?.message === 'string' ? error.message : code } : { code: 0 },
    };
    if (this.#queue.length >= this.#settings.batch.maxQueue) {
      this.dropped++;
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#settings.batch.maxBatch) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#settings.batch.delayMs);
      this.#timer.unref();
    }
  }

  /** Exports every queued span now; resolves when the exports finished (failures are logged, not thrown). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#settings.batch.maxBatch);
      this.#exporting = this.#exporting.then(() => this.#export(batch));
    }
    return this.#exporting;
  }

  async #export(spans: SpanData[]): Promise<void> {
    const json = this.#settings.protocol === 'http/json';
    const body = json ? JSON.stringify(otlpJson(spans, this.#resource)) : otlpProtobuf(spans, this.#resource);
    try {
      const response = await this.#fetch(this.#settings.url, {
        method: 'POST',
        headers: { ...this.#settings.headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' },
        body,
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.exported += spans.length;
      this.#warned = false;
    } catch (error) {
      this.dropped += spans.length;
      if (!this.#warned) {
        this.#warned = true;
        this.#logger.warn(
          { url: this.#settings.url, err: (error as Error).message, spans: spans.length },
          `cannot export traces to ${this.#settings.url}: spans are dropped until it answers — check OTEL_EXPORTER_OTLP_ENDPOINT and the collector`,
        );
      }
    }
  }

  async close(): Promise<void> {
    callChannel.unsubscribe(this.#subscribers);
    await this.flush();
  }
}

/** The TraceIdRatioBased decision: the trace id's last 8 bytes compared with the ratio, so every service agrees. */
function sampleByTraceId(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return BigInt(`0x${traceId.slice(16)}`) < BigInt(Math.floor(ratio * 2 ** 53)) << 11n;
}

const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

function nowNs(): bigint {
  return originNs + process.hrtime.bigint();
}
