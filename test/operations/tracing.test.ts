import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { callChannel } from '../../src/core/call-events.js';
import { otelSettings } from '../../src/operations/tracing/otel-env.js';
import { parseTraceparent } from '../../src/operations/tracing/trace-context.js';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { configFile, eventually, type Running, runGateway } from './helpers.js';

/** A real OTLP/HTTP receiver on a free port: it keeps every export request it is sent. */
let receiver: Server;
let endpoint: string;
const received: { path: string; type: string; body: Buffer }[] = [];
beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

let running: Running | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await running?.close();
  cleanup?.();
  running = undefined;
  received.length = 0;
});

const CONFIG = `
observability:
  tracing:
    enabled: true
services:
  svc:
    driver: ops
`;

async function start(protocol: string) {
  const file = configFile(CONFIG);
  cleanup = file.cleanup;
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'mcpeg-test' };
  const probe = createOpsProbe();
  running = await runGateway(file.path, [opsType(probe)], { env, watch: false });
  return probe;
}

async function client(headers: Record<string, string> = {}) {
  const mcp = new Client({ name: 'trace-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await mcp.connect(new StreamableHTTPClientTransport(running!.url, { requestInit: { headers } }));
  return mcp;
}

describe('tracing', () => {
  test('one SERVER span per tool call, continuing the trace from _meta or the traceparent header (OTLP/JSON)', async () => {
    const probe = await start('http/json');
    const viaMeta = await client();
    await viaMeta.callTool({ name: 'svc__work', arguments: { text: 'a' }, _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=x' } });
    probe.failing.add('svc');
    await viaMeta.callTool({ name: 'svc__work', arguments: {} });
    await viaMeta.close();
    const viaHeader = await client({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    probe.failing.delete('svc');
    await viaHeader.callTool({ name: 'svc__work', arguments: { text: 'b' } });
    await viaHeader.close();

    const spans = await eventually(() => {
      const all = received.flatMap((request) => JSON.parse(request.body.toString()).resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
      return all.length >= 3 ? all : undefined;
    }, 'three spans at the receiver');
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.type).toBe('application/json');
    const resource = JSON.parse(received[0]!.body.toString()).resourceSpans[0].resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'mcpeg-test' } });

    const [first, failed, headerSpan] = spans;
    expect(first).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', traceState: 'vendor=x', name: 'tools/call svc__work', kind: 2, status: { code: 0 } });
    expect(first.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(BigInt(first.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(first.startTimeUnixNano));
    expect(BigInt(first.startTimeUnixNano)).toBeGreaterThan(BigInt(Date.now() - 60_000) * 1_000_000n);
    expect(first.attributes).toContainEqual({ key: 'mcpeg.service', value: { stringValue: 'svc' } });
    expect(first.attributes).toContainEqual({ key: 'gen_ai.tool.name', value: { stringValue: 'svc__work' } });
    // No trace context: a new trace, a root span; a failure is an error span with its code.
    expect(failed.parentSpanId).toBeUndefined();
    expect(failed.traceId).not.toBe(first.traceId);
    expect(failed.status).toMatchObject({ code: 2 });
    expect(failed.attributes).toContainEqual({ key: 'error.type', value: { stringValue: 'BACKEND_UNREACHABLE' } });
    expect(headerSpan).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331' });
  });

  test('OTLP/protobuf by default, decodable by the protobuf wire format', async () => {
    await start('http/protobuf');
    const mcp = await client();
    await mcp.callTool({ name: 'svc__work', arguments: { text: 'p' }, _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    await mcp.close();
    await eventually(() => received.length > 0, 'an export');
    expect(received[0]!.type).toBe('application/x-protobuf');
    const request = decode(received[0]!.body);
    const resourceSpans = decode(request[1]![0] as Buffer);
    const scopeSpans = decode(resourceSpans[2]![0] as Buffer);
    const span = decode(scopeSpans[2]![0] as Buffer);
    expect((span[1]![0] as Buffer).toString('hex')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect((span[4]![0] as Buffer).toString('hex')).toBe('00f067aa0ba902b7');
    expect((span[5]![0] as Buffer).toString()).toBe('tools/call svc__work');
    expect(span[6]![0]).toBe(2n);
    expect((span[8]![0] as bigint) >= (span[7]![0] as bigint)).toBe(true);
    const attributes = span[9]!.map((kv) => decode(kv as Buffer)).map((kv) => [(kv[1]![0] as Buffer).toString(), (decode(kv[2]![0] as Buffer)[1]?.[0] as Buffer | undefined)?.toString()]);
    expect(attributes).toContainEqual(['mcpeg.service', 'svc']);
  });

  test('off by default: nothing subscribes to the call channel, so calls build no event', async () => {
    const file = configFile('services:\n  svc:\n    driver: ops\n');
    cleanup = file.cleanup;
    running = await runGateway(file.path, [opsType(createOpsProbe())], { watch: false });
    expect(callChannel.hasSubscribers).toBe(false);
  });

  test('the OTEL_* variables: endpoints, protocol, headers, sampler — and clear errors', () => {
    expect(otelSettings({})).toMatchObject({ url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', serviceName: 'mcpeg', disabled: false });
    expect(otelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' }).url).toBe('http://c:4318/v1/traces');
    expect(otelSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/custom' }).url).toBe('http://c/custom');
    expect(otelSettings({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20x,x-a=b' }).headers).toEqual({ authorization: 'Bearer x', 'x-a': 'b' });
    expect(otelSettings({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampler).toEqual({ ratio: 0.25, parentBased: false });
    expect(otelSettings({ OTEL_SDK_DISABLED: 'true' }).disabled).toBe(true);
    expect(() => otelSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/grpc is not/);
    expect(() => otelSettings({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER="sometimes"/);
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false });
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
  });
});

/** Decodes one protobuf message into field number → values (varints as bigint, fixed64 as bigint, bytes as Buffer). */
function decode(buffer: Buffer): Record<number, (bigint | Buffer)[]> {
  const out: Record<number, (bigint | Buffer)[]> = {};
  let offset = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (offset < buffer.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    const wire = tag & 7;
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = buffer.readBigUInt64LE(offset);
      offset += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      value = buffer.subarray(offset, offset + length);
      offset += length;
    } else throw new Error(`unexpected wire type ${wire}`);
    (out[field] ??= []).push(value);
  }
  return out;
}
