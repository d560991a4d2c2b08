import pino from 'pino';
import type { Logger } from '../sdk/logger.js';
import { REDACT_PATHS, REDACTED } from '../security/redact.js';

/**
 * The gateway's logger: structured JSON to stderr (stdout is the protocol in stdio mode), with
 * configured secrets redacted from every line. `pretty` prints one readable line per event for a TTY.
 */
export function createLogger(options: { level: string; secrets?: readonly string[]; pretty?: boolean }): Logger {
  const state: LoggerState = { secrets: sortSecrets(options.secrets), children: new Set() };
  const redact = (text: string) => state.secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
  const destination = options.pretty ? prettyStderr(redact) : { write: (line: string) => process.stderr.write(redact(line)) };
  const root = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Credentials by key (a bearer token, an API key header), whatever their value; configured secrets by value below.
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      // Children (one per service) are remembered weakly so a reload can change their level too.
      onChild: (child) => {
        state.children.add(new WeakRef(child));
      },
    },
    destination,
  );
  states.set(root, state);
  return root as unknown as Logger;
}

interface LoggerState {
  secrets: readonly string[];
  readonly children: Set<WeakRef<pino.Logger>>;
}

const states = new WeakMap<object, LoggerState>();

function sortSecrets(secrets: readonly string[] | undefined): readonly string[] {
  return [...(secrets ?? [])].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Applies a reloaded config to a logger made by {@link createLogger}: the new level (to it and every child)
 * and the new set of secret values to redact.
 *
 * @example updateLogger(logger, { level: 'debug', secrets: config.secrets })
 */
export function updateLogger(logger: Logger, update: { level?: string; secrets?: readonly string[] }): void {
  const state = states.get(logger);
  if (!state) return;
  if (update.secrets) state.secrets = sortSecrets(update.secrets);
  if (update.level === undefined) return;
  (logger as unknown as pino.Logger).level = update.level;
  for (const ref of state.children) {
    const child = ref.deref();
    if (child) child.level = update.level;
    else state.children.delete(ref);
  }
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
