/**
 * Coded errors. Every error the gateway shows a user carries a stable string `code`;
 * `docs/errors.md` documents each one and `test/sdk/error-codes.test.ts` keeps both in sync.
 *
 * @example
 * throw new GatewayError('BACKEND_UNREACHABLE', 'connection refused at 127.0.0.1:5432', { service: 'orders_db' });
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'SERVICE_UNAVAILABLE',
  'SERVICE_START_FAILED',
  'SERVICE_DISABLED',
  'SERVICE_STOPPING',
  'BACKEND_ERROR',
  'BACKEND_UNREACHABLE',
  'DRIVER_MISSING',
  'CALL_TIMEOUT',
  'CALL_CANCELLED',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
  'MEMORY_PRESSURE',
  'ACCESS_DENIED',
  'RATE_LIMITED',
  'INVALID_ARGUMENTS',
  'UNKNOWN_TOOL',
  'UNKNOWN_PROMPT',
  'UNKNOWN_RESOURCE',
  'UNKNOWN_SERVICE',
  'INVALID_CURSOR',
  'CATALOG_COLLISION',
  'PLUGIN_INVALID',
  'PLUGIN_INCOMPATIBLE',
  'PLUGIN_LOAD_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface GatewayErrorOptions {
  /** The service instance the error belongs to; prefixes the message as `[name]`. */
  service?: string;
  cause?: unknown;
  /** Structured context for logs and clients (never secrets). */
  data?: Record<string, unknown>;
  /** How long a caller should wait before retrying, when the gateway knows. */
  retryAfterMs?: number;
}

/** The one error class of the gateway: a stable `code`, the service it concerns, context in fields. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: ErrorCode;
  readonly service: string | undefined;
  readonly data: Record<string, unknown> | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(options.service ? `[${options.service}] ${message}` : message, { cause: options.cause });
    this.code = code;
    this.service = options.service;
    this.data = options.data;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** True when `error` is a {@link GatewayError}, including one thrown by a copy of the SDK loaded twice. */
export function isGatewayError(error: unknown): error is GatewayError {
  return (
    error instanceof GatewayError ||
    (error instanceof Error &&
      error.name === 'GatewayError' &&
      typeof (error as { code?: unknown }).code === 'string' &&
      (ERROR_CODES as readonly string[]).includes((error as unknown as { code: string }).code))
  );
}
