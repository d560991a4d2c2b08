import { type ClientCapabilities, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Gateway } from '../../src/core/gateway.js';
import { HttpFrontDoor } from '../../src/transports/http.js';

export type Mode = 'legacy' | 'auto';

/** Serves a gateway over HTTP on a free loopback port; `close` stops both. */
export async function serveHttp(gateway: Gateway): Promise<{ url: URL; close: () => Promise<void> }> {
  const door = new HttpFrontDoor(gateway, { host: '127.0.0.1', port: 0 });
  const { url } = await door.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: new URL(url),
    close: async () => {
      await gateway.shutdown(1000);
      await door.close();
    },
  };
}

/** An SDK v2 client connected over Streamable HTTP in the given negotiation mode. */
export async function httpClient(url: URL, mode: Mode, capabilities: ClientCapabilities = {}): Promise<Client> {
  const client = new Client({ name: 'mcpeg-test', version: '1.0.0' }, { versionNegotiation: { mode }, capabilities });
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}
