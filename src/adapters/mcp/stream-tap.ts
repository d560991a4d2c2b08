import type { FetchLike } from '@modelcontextprotocol/client';
import { idOfOversized } from './line-reader.js';

/**
 * The `_meta` key the gateway stamps on a server→client request or notification that arrived on the
 * response stream of one of its own requests: the JSON-RPC id of that request. Streamable HTTP says
 * which request a message relates to only by the stream it travels on, and the SDK client does not
 * hand that on to its handlers; this tap, below the SDK, writes it into the message. Removed again
 * before anything is relayed downstream.
 */
export const RELATED_REQUEST_META_KEY = 'dev.mcpeg/relatedRequestId';

/**
 * Wraps `fetch` for an upstream Streamable HTTP connection:
 * - SSE responses to POSTed requests get each server→client request and notification stamped with
 *   {@link RELATED_REQUEST_META_KEY}, so a sampling request or a log line reaches the right caller;
 * - no single message (SSE event or JSON body) may exceed `maxBytes`: an oversized event answering a
 *   request becomes an error response to it, an oversized JSON body an error of that request.
 *
 * @example new StreamableHTTPClientTransport(url, { fetch: tappedFetch(fetch, 4_000_000) })
 */
export function tappedFetch(base: FetchLike, maxBytes: number): FetchLike {
  return async (input, init) => {
    const response = await base(input, init);
    if (init?.method !== 'POST' || !response.body) return response;
    const type = response.headers.get('content-type') ?? '';
    let body: ReadableStream<Uint8Array>;
    if (type.includes('text/event-stream')) body = response.body.pipeThrough(sseTap(requestIdOf(init.body), maxBytes));
    else if (type.includes('json')) body = response.body.pipeThrough(byteLimit(maxBytes));
    else return response;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function requestIdOf(body: unknown): string | number | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message = JSON.parse(body) as { id?: unknown; method?: unknown };
    return typeof message.method === 'string' && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : undefined;
  } catch {
    return undefined;
  }
}

/** Rewrites SSE events one by one (they end with a blank line), leaving every other byte as it came. */
function sseTap(relatedId: string | number | undefined, maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  let skipping = false;
  const emit = (controller: TransformStreamDefaultController<Uint8Array>, event: string) => {
    controller.enqueue(encoder.encode(`${rewriteEvent(event, relatedId)}\n\n`));
  };
  /** One event larger than allowed: answer it (if it answers a request) instead of passing it on. */
  const refuse = (controller: TransformStreamDefaultController<Uint8Array>, event: string) => {
    const id = idOfOversized({ bytes: event.length, head: event.replace(/^(?:(?:id|event|retry):[^\n]*\n)*data:\s?/, '').slice(0, 512), tail: event.slice(-512) });
    if (id !== undefined) controller.enqueue(encoder.encode(`data: ${JSON.stringify(oversizedAnswer(id, event.length, maxBytes))}\n\n`));
  };
  return new TransformStream({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      for (;;) {
        const match = /\r?\n\r?\n/.exec(pending);
        if (!match) break;
        const event = pending.slice(0, match.index);
        pending = pending.slice(match.index + match[0].length);
        if (skipping) skipping = false;
        else if (event.length > maxBytes) refuse(controller, event);
        else emit(controller, event);
      }
      if (!skipping && pending.length > maxBytes) {
        // Still growing past the limit: answer now, drop the rest of it as it streams in.
        refuse(controller, pending);
        pending = pending.slice(-3);
        skipping = true;
      } else if (skipping) {
        // Keep the last bytes: the blank line that ends the skipped event may span two chunks.
        pending = pending.slice(-3);
      }
    },
    flush(controller) {
      pending += decoder.decode();
      if (pending.trim() !== '' && !skipping) emit(controller, pending);
    },
  });
}

function rewriteEvent(event: string, relatedId: string | number | undefined): string {
  if (relatedId === undefined) return event;
  const lines = event.split(/\r?\n/);
  const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  if (data.length === 0) return event;
  let message: { method?: unknown; params?: Record<string, unknown> };
  try {
    message = JSON.parse(data.join('\n')) as typeof message;
  } catch {
    return event;
  }
  if (message === null || typeof message !== 'object' || typeof message.method !== 'string') return event;
  const params = message.params && typeof message.params === 'object' ? message.params : {};
  const meta = params._meta && typeof params._meta === 'object' ? (params._meta as Record<string, unknown>) : {};
  message.params = { ...params, _meta: { ...meta, [RELATED_REQUEST_META_KEY]: relatedId } };
  const others = lines.filter((line) => !line.startsWith('data:'));
  return [...others, `data: ${JSON.stringify(message)}`].join('\n');
}

function byteLimit(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) {
        controller.error(new Error(`the upstream's answer is larger than max_message_size (${maxBytes} bytes): raise max_message_size for this service or ask for less`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

function oversizedAnswer(id: string | number, bytes: number, maxBytes: number) {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: -32603,
      message: `the upstream's answer was over ${bytes} bytes, more than max_message_size (${maxBytes} bytes): raise max_message_size for this service or ask for less`,
    },
  };
}

/** Removes the gateway's own stamp from `_meta` before a message is relayed downstream. */
export function withoutRelatedStamp<T extends { _meta?: Record<string, unknown> } | undefined>(params: T): T {
  if (!params?._meta || !(RELATED_REQUEST_META_KEY in params._meta)) return params;
  const { [RELATED_REQUEST_META_KEY]: _stamp, ...meta } = params._meta;
  const { _meta: _old, ...rest } = params;
  return (Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest) as T;
}
