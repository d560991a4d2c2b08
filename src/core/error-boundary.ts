import { type CallToolResult, ProtocolError, ProtocolErrorCode, ResourceNotFoundError } from '@modelcontextprotocol/server';
import { GatewayError, isGatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';

/** The `_meta` key under which a failed call's error code travels to the client. */
export const ERROR_META_KEY = 'dev.mcpeg/error';

/** Gateway codes that are protocol errors (the request itself is wrong), never tool results. */
const PROTOCOL_CODES: Partial<Record<GatewayError['code'], number>> = {
  UNKNOWN_TOOL: ProtocolErrorCode.InvalidParams,
  UNKNOWN_PROMPT: ProtocolErrorCode.InvalidParams,
  INVALID_CURSOR: ProtocolErrorCode.InvalidParams,
};

/** JSON-RPC code for gateway-side failures of prompts/get, resources/read and completion (server error range). */
export const SERVICE_FAILURE_RPC_CODE = -32010;

/**
 * The one place where errors become what a client sees. A failure of a service's tool becomes an
 * `isError` result naming the service, its code in `_meta`; protocol mistakes become JSON-RPC errors;
 * anything unexpected becomes -32603 with an incident id, logged with its stack, never leaked.
 */
export function toToolResult(error: unknown, logger: Logger): CallToolResult {
  if (isGatewayError(error) && PROTOCOL_CODES[error.code] !== undefined) throw toProtocolError(error, logger);
  // A missing client capability is the client's protocol problem (-32021), whichever service found it.
  if (error instanceof ProtocolError && error.code === ProtocolErrorCode.MissingRequiredClientCapability) throw error;
  const failure = describe(error, logger);
  return {
    isError: true,
    content: [{ type: 'text', text: failure.message }],
    _meta: { [ERROR_META_KEY]: { code: failure.code, ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) } },
  };
}

/** Maps an error of a non-tool request to a JSON-RPC error. */
export function toProtocolError(error: unknown, logger: Logger): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (isGatewayError(error)) {
    if (error.code === 'UNKNOWN_RESOURCE') return new ResourceNotFoundError(String(error.data?.uri ?? ''), error.message);
    const code = PROTOCOL_CODES[error.code] ?? (error.code === 'INVALID_ARGUMENTS' ? ProtocolErrorCode.InvalidParams : undefined);
    if (code !== undefined) return new ProtocolError(code, error.message, { code: error.code });
  }
  const failure = describe(error, logger);
  return new ProtocolError(
    failure.code === 'INTERNAL' ? ProtocolErrorCode.InternalError : SERVICE_FAILURE_RPC_CODE,
    failure.message,
    { code: failure.code, ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) },
  );
}

function describe(error: unknown, logger: Logger): { code: string; message: string; retryAfterMs?: number } {
  if (isGatewayError(error)) {
    return { code: error.code, message: error.message, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) };
  }
  if (error instanceof ServiceFailure) return { code: 'BACKEND_ERROR', message: error.message };
  const incident = Math.random().toString(36).slice(2, 10);
  logger.error({ incident, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'internal error');
  return { code: 'INTERNAL', message: `internal error in the gateway (incident ${incident}; the gateway log has the details)` };
}

/** A plain error thrown by a service's handler: reported as that service's backend failure. */
export class ServiceFailure extends Error {
  override readonly name = 'ServiceFailure';
}

/** Wraps anything a service handler throws so the boundary names the service and keeps the cause. */
export function fromService(service: string, error: unknown): unknown {
  if (isGatewayError(error) || error instanceof ProtocolError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ServiceFailure(`[${service}] ${message}`, { cause: error });
}

