import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Readable, Writable } from 'node:stream';
import type { Gateway } from '../core/gateway.js';
import { McpServerFactory } from './mcp-server.js';

/**
 * The stdio front door: one connection, either era (the opening message decides). stdout carries
 * protocol messages only; the gateway logs to stderr. Streams are parameters so tests can pipe them.
 */
export class StdioFrontDoor {
  readonly #handle;
  readonly #closed: Promise<void>;

  constructor(gateway: Gateway, streams: { stdin?: Readable; stdout?: Writable } = {}) {
    const factory = new McpServerFactory(gateway);
    const transport = new StdioServerTransport(streams.stdin ?? process.stdin, streams.stdout ?? process.stdout);
    let resolveClosed!: () => void;
    this.#closed = new Promise((resolve) => {
      resolveClosed = resolve;
    });
    const previous = transport.onclose;
    this.#handle = serveStdio((ctx) => factory.create(ctx, true), {
      transport,
      onerror: (error) => gateway.logger.warn({ err: error.message }, 'stdio protocol error'),
    });
    const wrapped = transport.onclose;
    transport.onclose = () => {
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
