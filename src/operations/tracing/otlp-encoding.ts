/** A finished span, ready to export. Times are nanoseconds since the Unix epoch. */
export interface SpanData {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly traceState: string | undefined;
  readonly name: string;
  /** OTLP SpanKind: 2 = SERVER. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: 0 | 1 | 2; readonly message?: string };
}

export interface ExportResource {
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly scope: { readonly name: string; readonly version: string };
}

type AttributeValue = string | number | boolean;

/**
 * An OTLP `ExportTraceServiceRequest` in the OTLP/JSON encoding (ids as hex, enums as numbers, 64-bit
 * integers as decimal strings).
 *
 * @example JSON.stringify(otlpJson(spans, resource))
 */
export function otlpJson(spans: readonly SpanData[], resource: ExportResource): unknown {
  const attributes = (values: Readonly<Record<string, AttributeValue>>) => Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource.attributes) },
        scopeSpans: [
          {
            scope: resource.scope,
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              ...(span.traceState ? { traceState: span.traceState } : {}),
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: span.startNs.toString(),
              endTimeUnixNano: span.endNs.toString(),
              attributes: attributes(span.attributes),
              status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
            })),
          },
        ],
      },
    ],
  };
}

function anyValue(value: AttributeValue) {
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}

/**
 * The same request in the protobuf encoding (`opentelemetry/proto/collector/trace/v1`), written by hand:
 * the handful of messages a span needs do not justify a protobuf library.
 */
export function otlpProtobuf(spans: readonly SpanData[], resource: ExportResource): Uint8Array {
  const keyValues = (values: Readonly<Record<string, AttributeValue>>, field: number, out: Writer) => {
    for (const [key, value] of Object.entries(values)) out.message(field, (kv) => kv.string(1, key).message(2, (any) => anyValueProto(any, value)));
  };
  const root = new Writer();
  root.message(1, (resourceSpans) =>
    resourceSpans
      .message(1, (res) => keyValues(resource.attributes, 1, res))
      .message(2, (scopeSpans) => {
        scopeSpans.message(1, (scope) => scope.string(1, resource.scope.name).string(2, resource.scope.version));
        for (const span of spans) {
          scopeSpans.message(2, (s) => {
            s.bytes(1, Buffer.from(span.traceId, 'hex')).bytes(2, Buffer.from(span.spanId, 'hex'));
            if (span.traceState) s.string(3, span.traceState);
            if (span.parentSpanId) s.bytes(4, Buffer.from(span.parentSpanId, 'hex'));
            s.string(5, span.name).varint(6, BigInt(span.kind)).fixed64(7, span.startNs).fixed64(8, span.endNs);
            keyValues(span.attributes, 9, s);
            s.message(15, (status) => {
              if (span.status.message) status.string(2, span.status.message);
              if (span.status.code !== 0) status.varint(3, BigInt(span.status.code));
            });
          });
        }
      }),
  );
  return root.finish();
}

function anyValueProto(out: Writer, value: AttributeValue) {
  if (typeof value === 'string') out.string(1, value);
  else if (typeof value === 'boolean') out.varint(2, value ? 1n : 0n);
  else if (Number.isInteger(value)) out.varint(3, BigInt.asUintN(64, BigInt(value)));
  else out.double(4, value);
}

/** A minimal protobuf writer: varints, length-delimited fields, fixed64 and double. */
class Writer {
  readonly #chunks: Uint8Array[] = [];

  #tag(field: number, wireType: number) {
    this.#varint(BigInt((field << 3) | wireType));
  }

  #varint(value: bigint) {
    const bytes: number[] = [];
    let rest = value;
    do {
      let byte = Number(rest & 0x7fn);
      rest >>= 7n;
      if (rest > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (rest > 0n);
    this.#chunks.push(Uint8Array.from(bytes));
  }

  varint(field: number, value: bigint): this {
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  fixed64(field: number, value: bigint): this {
    this.#tag(field, 1);
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(value);
    this.#chunks.push(buffer);
    return this;
  }

  double(field: number, value: number): this {
    this.#tag(field, 1);
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleLE(value);
    this.#chunks.push(buffer);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(BigInt(value.length));
    this.#chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (writer: Writer) => unknown): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Buffer.concat(this.#chunks);
  }
}
