import pino from 'pino';
import type { Logger } from '../sdk/logger.js';

/**
 * The gateway's logger: structured JSON to stderr (stdout is the protocol in stdio mode), with
 * configured secrets redacted from every line. `pretty` prints one readable line per event for a TTY.
 */
export function createLogger(options: { level: string; secrets?: readonly string[]; pretty?: boolean }): Logger {
  const secrets = [...(options.secrets ?? [])].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
  const redact = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
  const destination = options.pretty ? prettyStderr(redact) : { write: (line: string) => process.stderr.write(redact(line)) };
  return pino({ level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination) as unknown as Logger;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function prettyStderr(redact: (text: string) => string) {
  return {
    write(line: string) {
      try {
        const { level, time, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
        const rest = Object.entries(fields)
          .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
          .join(' ');
        const clock = typeof time === 'string' ? time.slice(11, 19) : '';
        process.stderr.write(redact(`${clock} ${LEVELS[level as number] ?? level} ${msg ?? ''}${rest ? `  ${rest}` : ''}\n`));
      } catch {
        process.stderr.write(redact(line));
      }
    },
  };
}
