import type { ServerResponse } from 'node:http';
import type { CallSink } from './fast-tool-call.js';

const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/**
 * The HTTP answer to one JSON-RPC request served by the fast path. It starts as a plain JSON answer;
 * the first message related to the request before its result (progress, a log message, a
 * server→client request) turns it into an event stream, as the SDK's transports do. The result, or
 * error, is always the last message.
 */
export class CallStream implements CallSink {
  readonly #res: ServerResponse;
  readonly #headers: Readonly<Record<string, string>>;
  #streaming = false;
  #done = false;

  constructor(res: ServerResponse, headers: Readonly<Record<string, string>> = {}) {
    this.#res = res;
    this.#headers = headers;
  }

  /** Whether anything went out: the answer can no longer be handed to another writer. */
  get started(): boolean {
    return this.#streaming || this.#done || this.#res.headersSent;
  }

  /** Whether the client can still be written to. */
  get open(): boolean {
    return !this.#done && !this.#res.destroyed;
  }

  /** A notification or request related to the call, sent before its result. */
  send(message: unknown): void {
    if (!this.open) return;
    if (!this.#streaming) {
      this.#streaming = true;
      this.#res.writeHead(200, { ...EVENT_STREAM_HEADERS, ...this.#headers });
    }
    this.#res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** The JSON-RPC response, already serialized; ends the answer. */
  finish(json: string): void {
    if (!this.open) return;
    this.#done = true;
    if (this.#streaming) {
      this.#res.end(`event: message\ndata: ${json}\n\n`);
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) };
    for (const name in this.#headers) headers[name] = this.#headers[name]!;
    this.#res.writeHead(200, headers);
    this.#res.end(json);
  }
}

/** A JSON-RPC result response around an already serialized result, without building an envelope object. */
export function resultResponse(id: string | number, resultJson: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}`;
}

/** A JSON-RPC error response. */
export function errorResponse(id: string | number, error: { code: number; message: string; data?: unknown }): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code: error.code, message: error.message, ...(error.data !== undefined ? { data: error.data } : {}) },
  });
}
