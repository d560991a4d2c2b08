/** The exporter settings read from the standard OpenTelemetry environment variables. */
export interface OtelSettings {
  readonly disabled: boolean;
  readonly url: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** Probability a new trace (no sampled parent) is recorded; parents decide for their children unless the sampler ignores them. */
  readonly sampler: { readonly ratio: number; readonly parentBased: boolean };
  readonly batch: { readonly delayMs: number; readonly maxQueue: number; readonly maxBatch: number };
}

/**
 * Reads `OTEL_*` variables as the OpenTelemetry specification defines them (signal-specific `…_TRACES_…`
 * ones win). Throws a plain Error naming the variable when one holds a value it cannot use.
 *
 * @example otelSettings(process.env).url // 'http://localhost:4318/v1/traces'
 */
export function otelSettings(env: Readonly<Record<string, string | undefined>>): OtelSettings {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const traces = (name: string) => read(`OTEL_EXPORTER_OTLP_TRACES_${name}`) ?? read(`OTEL_EXPORTER_OTLP_${name}`);
  const number = (name: string, fallback: number) => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name}="${value}" is not a non-negative number`);
    return parsed;
  };
  const base = read('OTEL_EXPORTER_OTLP_ENDPOINT') ?? 'http://localhost:4318';
  const url = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? `${base.replace(/\/+$/, '')}/v1/traces`;
  try {
    new URL(url);
  } catch {
    throw new Error(`the OTLP traces endpoint "${url}" is not a URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT)`);
  }
  const protocol = traces('PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL="${protocol}" is not supported: use http/protobuf (the default) or http/json (grpc is not)`);
  }
  const timeoutName = read('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const sampler = read('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const arg = read('OTEL_TRACES_SAMPLER_ARG');
  const ratioArg = arg === undefined ? 1 : Number(arg);
  if (!Number.isFinite(ratioArg) || ratioArg < 0 || ratioArg > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG="${arg}" must be a number from 0 to 1`);
  const samplers: Record<string, OtelSettings['sampler']> = {
    always_on: { ratio: 1, parentBased: false },
    always_off: { ratio: 0, parentBased: false },
    traceidratio: { ratio: ratioArg, parentBased: false },
    parentbased_always_on: { ratio: 1, parentBased: true },
    parentbased_always_off: { ratio: 0, parentBased: true },
    parentbased_traceidratio: { ratio: ratioArg, parentBased: true },
  };
  if (!samplers[sampler]) throw new Error(`OTEL_TRACES_SAMPLER="${sampler}" is not supported: use ${Object.keys(samplers).join(', ')}`);
  const resourceAttributes = pairs(read('OTEL_RESOURCE_ATTRIBUTES'), 'OTEL_RESOURCE_ATTRIBUTES');
  const exporter = read('OTEL_TRACES_EXPORTER') ?? 'otlp';
  if (exporter !== 'otlp' && exporter !== 'none') throw new Error(`OTEL_TRACES_EXPORTER="${exporter}" is not supported: use otlp or none`);
  return {
    disabled: read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' || exporter === 'none',
    url,
    protocol,
    headers: pairs(traces('HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS'),
    timeoutMs: number(timeoutName, 10_000),
    serviceName: read('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'mcpeg',
    resourceAttributes,
    sampler: samplers[sampler]!,
    batch: {
      delayMs: number('OTEL_BSP_SCHEDULE_DELAY', 5000),
      maxQueue: Math.max(1, number('OTEL_BSP_MAX_QUEUE_SIZE', 2048)),
      maxBatch: Math.max(1, number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512)),
    },
  };
}

/** `key1=value1,key2=value2` with percent-encoded values, as OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES are written. */
function pairs(text: string | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    if (part.trim() === '') continue;
    const index = part.indexOf('=');
    if (index <= 0) throw new Error(`${name}: "${part.trim()}" is not key=value`);
    try {
      out[decodeURIComponent(part.slice(0, index).trim())] = decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      throw new Error(`${name}: "${part.trim()}" is not valid percent-encoding`);
    }
  }
  return out;
}
