import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, SdkHttpError, type Transport } from '@modelcontextprotocol/client';
import { GatewayError, isGatewayError } from '../../sdk/errors.js';
import type { McpConfig } from './config.js';
import { ChildProcessTransport } from './stdio-transport.js';

/** Where the upstream is, for messages: the command, or the URL without credentials or query. */
export function upstreamLabel(config: McpConfig): string {
  if (config.command) return [config.command, ...(config.args ?? [])].join(' ');
  const url = new URL(config.url!);
  return `${url.origin}${url.pathname}`;
}

/** Why connecting failed, said for the person on call: what happened, where, what to check. */
export function connectFailure(service: string, config: McpConfig, error: unknown, transport: Transport): GatewayError {
  if (isGatewayError(error)) return error;
  const where = upstreamLabel(config);
  const stdio = transport instanceof ChildProcessTransport ? transport : undefined;
  if (error instanceof Error && error.name === 'ConnectTimeout') {
    const what = stdio
      ? `"${where}" did not complete the MCP handshake within ${config.connect_timeout} ms (connect_timeout) — is it an MCP server that speaks JSON-RPC on stdout? Its stderr is in the log under this service`
      : `${where} did not complete the MCP handshake within ${config.connect_timeout} ms (connect_timeout)`;
    return new GatewayError('BACKEND_UNREACHABLE', what, { service, cause: error });
  }
  if (stdio?.spawnError !== undefined) {
    return new GatewayError('BACKEND_UNREACHABLE', `the upstream process could not be started: ${stdio.spawnError}`, { service, cause: error });
  }
  if (stdio?.exitedUnasked) {
    return new GatewayError('BACKEND_UNREACHABLE', `the upstream process "${where}" ${stdio.exitReason} before completing the MCP handshake`, { service, cause: error });
  }
  if (error instanceof SdkHttpError) {
    const status = error.status;
    if (status === 401 || status === 403) {
      return new GatewayError('BACKEND_UNREACHABLE', `${where} refused the gateway's credentials (HTTP ${status}): check the headers: of this service (the token may be wrong or expired)`, { service, cause: error });
    }
    return new GatewayError('BACKEND_UNREACHABLE', `${where} answered the MCP handshake with HTTP ${status}${error.statusText ? ` ${error.statusText}` : ''}: is that the server's MCP endpoint?`, { service, cause: error });
  }
  return new GatewayError('BACKEND_UNREACHABLE', `cannot connect to ${where}: ${networkReason(error)}`, { service, cause: error });
}

/**
 * Maps what a relayed request failed with. A JSON-RPC error from the upstream keeps its code and
 * message; a lost connection says why; a resource the upstream does not have stays "not found".
 */
export function callFailure(service: string, what: string, error: unknown, lost: string | undefined, uri?: string): unknown {
  if (isGatewayError(error)) return error;
  if (error instanceof ProtocolError) {
    if (uri !== undefined && (error.code === ProtocolErrorCode.ResourceNotFound || (error.code === ProtocolErrorCode.InvalidParams && (error.data as { uri?: unknown } | undefined)?.uri !== undefined))) {
      return new GatewayError('UNKNOWN_RESOURCE', `Resource not found: ${uri} (the upstream of "${service}" does not have it)`, { data: { uri }, cause: error });
    }
    return new GatewayError('BACKEND_ERROR', `the upstream answered ${what} with JSON-RPC error ${error.code}: ${error.message}`, {
      service,
      cause: error,
      data: { upstreamCode: error.code },
    });
  }
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.ConnectionClosed || error.code === SdkErrorCode.NotConnected) {
      return new GatewayError('BACKEND_UNREACHABLE', `${lost ?? 'the connection to the upstream closed'} while ${what} was running; the gateway restarts it`, { service, cause: error });
    }
    if (error instanceof SdkHttpError) {
      return new GatewayError('BACKEND_ERROR', `the upstream answered ${what} with HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ''}`, { service, cause: error });
    }
    return new GatewayError('BACKEND_ERROR', `${what} failed: ${error.message}`, { service, cause: error });
  }
  if (lost) return new GatewayError('BACKEND_UNREACHABLE', `${lost} while ${what} was running; the gateway restarts it`, { service, cause: error });
  return new GatewayError('BACKEND_ERROR', `${what} failed: ${networkReason(error)}`, { service, cause: error });
}

function networkReason(error: unknown): string {
  // The network error sits a few causes deep (SDK error → fetch TypeError → system error).
  let code: string | undefined;
  for (let cause: unknown = error, depth = 0; cause && depth < 5 && code === undefined; depth++) {
    const errno = (cause as { code?: unknown }).code;
    if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) code = errno;
    cause = (cause as { cause?: unknown }).cause;
  }
  if (code === 'ECONNREFUSED') return 'connection refused — is the server running, and is url: right?';
  if (code === 'ENOTFOUND') return 'host not found — check url:';
  if (code === 'ECONNRESET') return 'the connection was reset by the server';
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}
