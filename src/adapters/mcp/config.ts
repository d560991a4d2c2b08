import { z } from 'zod';
import { duration, size } from '../../sdk/units.js';

const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency', 'off'] as const;

/** Keys that only make sense for one kind of upstream: a mistake to name them for the other. */
const STDIO_ONLY = ['args', 'env', 'cwd', 'idle_timeout'] as const;
const HTTP_ONLY = ['headers', 'transport'] as const;

/**
 * The `mcp` service's settings: an upstream MCP server reached over stdio (`command`) or HTTP (`url`).
 *
 * @example
 * { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], negotiation: 'auto' }
 * { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${file:/run/secrets/token}' } }
 */
export const mcpConfigSchema = z
  .strictObject({
    command: z.string().min(1).optional().describe('stdio: the program to run (argv[0]; never run through a shell)'),
    args: z.array(z.string()).optional().describe('stdio: its arguments'),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe('stdio: environment variables, added to a minimal safe set (PATH, HOME, …) — the gateway’s own environment is not passed on'),
    cwd: z.string().min(1).optional().describe('stdio: working directory of the child process'),
    url: z.url({ protocol: /^https?$/ }).optional().describe('HTTP: the MCP endpoint of the upstream server'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('HTTP: headers sent upstream (use ${file:…} or ${VAR} for tokens); the client’s own token is never forwarded'),
    transport: z.enum(['streamable-http', 'sse']).optional().describe('HTTP: streamable-http (default) or the legacy HTTP+SSE transport'),
    negotiation: z
      .enum(['auto', 'legacy'])
      .default('auto')
      .describe('auto: probe with server/discover once and cache the verdict; legacy: always the 2025 initialize handshake'),
    idle_timeout: duration().optional().describe('stdio: stop the child after this long without calls; it starts again on the next call'),
    max_message_size: size().default(4_000_000).describe('Largest message accepted from the upstream; a larger one fails the call it answers'),
    connect_timeout: duration().default(20_000).describe('How long connecting (spawn, handshake, first listing) may take'),
    input_timeout: duration()
      .default(300_000)
      .describe('How long an upstream call waits for the client to answer its sampling/elicitation/roots request (modern clients)'),
    log_level: z.enum(LOG_LEVELS).default('debug').describe('The most verbose log level asked of the upstream (off: none)'),
  })
  .superRefine((config, ctx) => {
    const stdio = config.command !== undefined;
    const http = config.url !== undefined;
    if (stdio === http) {
      ctx.addIssue({
        code: 'custom',
        message: stdio
          ? 'set either command: (a stdio server) or url: (an HTTP server), not both'
          : 'set command: (a stdio server the gateway launches) or url: (an HTTP server it connects to)',
      });
      return;
    }
    const wrong = stdio ? HTTP_ONLY : STDIO_ONLY;
    for (const key of wrong) {
      if (config[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key}: applies to ${stdio ? 'HTTP (url:)' : 'stdio (command:)'} upstreams only; this one is ${stdio ? 'stdio' : 'HTTP'}`,
        });
      }
    }
  });

export type McpConfig = z.output<typeof mcpConfigSchema>;
export type UpstreamLogLevel = McpConfig['log_level'];
