import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a request body up to `limit` bytes; resolves `undefined` as soon as it is larger (the caller
 * answers 413 and closes the connection), so a client streaming an endless body is not read to its end.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData).off('end', onEnd);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

/** The `get` of web `Headers` over a Node request's headers (no copy). */
export function nodeHeaders(req: IncomingMessage): Pick<Headers, 'get'> {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** A web-standard Request for the SDK, built from a Node request and its already-read body. */
export function toRequest(req: IncomingMessage, body: Buffer | undefined, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const host = req.headers.host ?? 'localhost';
  const method = req.method ?? 'GET';
  return new Request(`http://${host}${req.url ?? '/'}`, {
    method,
    headers,
    signal,
    ...(body && body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body: new Uint8Array(body) } : {}),
  });
}

/**
 * Writes a web Response to a Node response: a JSON body in one write with its length, an SSE body
 * chunk by chunk. When the client goes away an event stream is cancelled, which the SDK treats as
 * cancellation of that request.
 */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') headers[name] = response.headers.getSetCookie();
    else headers[name] = value;
  });
  if (!(headers['content-type'] ?? '').includes('text/event-stream')) {
    // A plain JSON answer is complete: one write with its length, no chunked framing.
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
    if (body) headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  // An event stream may stay quiet for a while; the client must see its headers now, not at the first event.
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const onClose = () => {
    reader.cancel().catch(() => {});
  };
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      if (res.destroyed) break;
    }
  } catch {
    // The client disconnected or the producer failed mid-stream; nothing more can be sent.
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}

/** A JSON-RPC error answered over plain HTTP (before the SDK sees the request). */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: unknown = null,
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  const echoed = typeof id === 'string' || typeof id === 'number' ? id : null;
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: echoed }));
}
