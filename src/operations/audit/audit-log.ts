import { type CallEvent, callChannel } from '../../core/call-events.js';
import type { Logger } from '../../sdk/logger.js';
import { outcomeCode } from '../metrics.js';
import { parseTraceparent } from '../tracing/trace-context.js';
import { argumentDigest } from './argument-digest.js';
import { RotatingFile } from './rotating-file.js';

/** One line of the audit file. */
export interface AuditRecord {
  readonly time: string;
  readonly principal: string;
  readonly roles: readonly string[];
  readonly era: string;
  readonly service: string;
  readonly tool: string;
  /** SHA-256 of the canonical JSON of the arguments, secret-looking fields replaced first. */
  readonly arguments_digest: string;
  /** Paths of the argument fields that were redacted before hashing. */
  readonly redacted: readonly string[];
  readonly outcome: 'ok' | 'error';
  /** The error code when the outcome is an error (`tool_error`: the tool answered isError itself). */
  readonly code?: string;
  readonly duration_ms: number;
  readonly trace_id?: string;
}

/**
 * Writes one JSON line per tool call — who called which tool of which service, a digest of the arguments
 * (never the arguments), the outcome and how long it took — to a size-rotated file.
 *
 * @example const audit = new AuditLog({ path: '/var/log/mcpeg/audit.jsonl', maxBytes: 10e6, keep: 5, logger });
 */
export class AuditLog {
  readonly file: RotatingFile;
  readonly #subscribers;

  constructor(options: { path: string; maxBytes: number; keep: number; logger: Logger }) {
    let warned = false;
    this.file = new RotatingFile({
      path: options.path,
      maxBytes: options.maxBytes,
      keep: options.keep,
      onError: (error) => {
        if (warned) return;
        warned = true;
        options.logger.error({ err: error.message, path: options.path }, `cannot write the audit log ${options.path}: records are being lost — check the folder exists and is writable`);
      },
    });
    this.#subscribers = {
      start: () => {},
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (event: CallEvent) => {
        if (event.method === 'tools/call') this.file.write(`${JSON.stringify(auditRecord(event))}\n`);
      },
      error: () => {},
    };
    callChannel.subscribe(this.#subscribers);
  }

  async close(): Promise<void> {
    callChannel.unsubscribe(this.#subscribers);
    await this.file.close();
  }
}

/** The audit record of one settled call. */
export function auditRecord(event: CallEvent): AuditRecord {
  const { digest, redacted } = argumentDigest(event.arguments ?? {});
  const code = outcomeCode(event);
  const trace = typeof event.meta?.traceparent === 'string' ? parseTraceparent(event.meta.traceparent) : undefined;
  return {
    time: new Date().toISOString(),
    principal: event.principal.id,
    roles: event.principal.roles,
    era: event.era,
    service: event.service,
    tool: event.target,
    arguments_digest: digest,
    redacted,
    outcome: code === undefined ? 'ok' : 'error',
    ...(code === undefined ? {} : { code }),
    duration_ms: Math.round((performance.now() - event.startedAt) * 1000) / 1000,
    ...(trace ? { trace_id: trace.traceId } : {}),
  };
}
