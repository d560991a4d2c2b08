import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Readable, Writable } from 'node:stream';
import type { Gateway } from '../core/gateway.js';
import { McpServerFactory } from './mcp-server.js';
import { StdioFastPath } from './stdio-fast-path.js';

/**
 * The stdio front door: one connection, either era (the opening message decides). stdout carries
 * protocol messages only; the gateway logs to stderr. Streams are parameters so tests can pipe them.
 */
export class StdioFrontDoor {
  readonly #handle;
  readonly #closed: Promise<void>;

  constructor(gateway: Gateway, streams: { stdin?: Readable; stdout?: Writable } = {}) {
    const factory = new McpServerFactory(gateway);
    const stdout = streams.stdout ?? process.stdout;
    const transport = new StdioServerTransport(streams.stdin ?? process.stdin, stdout);
    const fast = gateway.config.server.fast_path ? new StdioFastPath({ gateway, factory, transport, stdout }) : undefined;
    let resolveClosed!: () => void;
    this.#closed = new Promise((resolve) => {
      resolveClosed = resolve;
    });
    const previous = transport.onclose;
    this.#handle = serveStdio(
      (ctx) => {
        const server = factory.create(ctx, true);
        fast?.pinned(server, ctx.era);
        return server;
      },
      { transport, onerror: (error) => gateway.logger.warn({ err: error.message }, 'stdio protocol error') },
    );
    if (fast && transport.onmessage) transport.onmessage = fast.intercept(transport.onmessage);
    const wrapped = transport.onclose;
    transport.onclose = () => {
      fast?.closed();
      wrapped?.();
      previous?.();
      resolveClosed();
    };
    gateway.on('listChanged', (kinds) => factory.broadcastListChanged(kinds));
    gateway.on('resourceUpdated', (uri) => factory.broadcastResourceUpdated(uri));
  }

  /** Resolves when the client closes stdin. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}
