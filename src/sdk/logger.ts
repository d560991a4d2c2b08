/** The logging surface a service sees: pino-compatible, structured fields first. */
export interface Logger {
  debug(fields: Record<string, unknown> | string, message?: string): void;
  info(fields: Record<string, unknown> | string, message?: string): void;
  warn(fields: Record<string, unknown> | string, message?: string): void;
  error(fields: Record<string, unknown> | string, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
