import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { GatewayError } from '../sdk/errors.js';
import type { AuthConfig, TlsConfig } from './schema.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The front door's Node server: HTTPS when `server.tls` is configured (TLS 1.2 at least; client
 * certificates when asked), plain HTTP otherwise. Unreadable files are a `CONFIG_INVALID` naming the key.
 *
 * @example const server = createListener(config.server.tls, handler);
 */
export function createListener(tls: TlsConfig | undefined, handler: Handler): Server {
  if (!tls) return createHttpServer(handler);
  const read = (key: 'cert' | 'key' | 'ca', path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new GatewayError('CONFIG_INVALID', `server.tls.${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) — check the path and that the gateway's user may read it`, { cause: error });
    }
  };
  if (tls.client_certificates !== 'none' && !tls.ca) {
    throw new GatewayError('CONFIG_INVALID', `server.tls.client_certificates: ${tls.client_certificates} needs server.tls.ca, the CA that signs client certificates`);
  }
  try {
    return createHttpsServer(
      {
        cert: read('cert', tls.cert),
        key: read('key', tls.key),
        ...(tls.ca ? { ca: read('ca', tls.ca) } : {}),
        ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
        minVersion: 'TLSv1.2',
        requestCert: tls.client_certificates !== 'none',
        rejectUnauthorized: tls.client_certificates === 'require',
      },
      handler,
    ) as unknown as Server;
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('CONFIG_INVALID', `server.tls: the certificate or key cannot be used: ${(error as Error).message} — check that key matches cert and the passphrase is right`, { cause: error });
  }
}

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare.startsWith('::ffff:127.');
}

/**
 * Refuses to listen beyond loopback without authentication, unless explicitly forced
 * (`server.auth.allow_unauthenticated_remote: true` or `mcpeg serve --allow-remote`).
 */
export function checkBindAddress(host: string, auth: AuthConfig, forced = false): void {
  if (auth.mode !== 'none' || isLoopback(host) || forced || auth.allow_unauthenticated_remote) return;
  throw new GatewayError(
    'CONFIG_INVALID',
    `refusing to listen on ${host}: server.auth.mode is none, so anyone who can reach that address could call every tool. ` +
      'Configure server.auth (api_keys or oauth), or listen on 127.0.0.1 behind an authenticating proxy, ' +
      'or — on a network you trust — set server.auth.allow_unauthenticated_remote: true (or pass --allow-remote).',
  );
}
