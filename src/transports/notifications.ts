import type { LoggingLevel, LoggingMessageNotificationParams, ProgressNotificationParams } from '@modelcontextprotocol/server';

/**
 * The params of the two notifications a call sends about itself, built key by key (no spreads on the
 * call path) and shared by the SDK's path and the fast path, so both say exactly the same.
 */
export function progressParams(progressToken: string | number, progress: number, total?: number, message?: string): ProgressNotificationParams {
  const params: ProgressNotificationParams = { progressToken, progress };
  if (total !== undefined) params.total = total;
  if (message) params.message = message;
  return params;
}

export function logParams(level: LoggingLevel, data: unknown, logger?: string): LoggingMessageNotificationParams {
  const params: LoggingMessageNotificationParams = { level, data };
  if (logger !== undefined) params.logger = logger;
  return params;
}
