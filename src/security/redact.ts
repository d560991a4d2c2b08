/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Object paths pino removes from every log line, whatever their value: credentials that must never be
 * logged even when no secret value is configured (a client's bearer token, an API key header).
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers.cookie',
  'password',
  '*.password',
  'passphrase',
  '*.passphrase',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'api_key',
  '*.api_key',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'client_secret',
  '*.client_secret',
];

/** Shorter values would redact ordinary words; a secret that short is not a secret. */
const MIN_SECRET_LENGTH = 4;

/**
 * A function that replaces every configured secret value in a text (longest first, so a secret that
 * contains another is removed whole).
 *
 * @example secretRedactor(['hunter22'])('password hunter22 refused') // 'password [REDACTED] refused'
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

/**
 * A deep copy of `value` with secret values removed from every string and credential-like keys
 * blanked: for admin output and audit records.
 *
 * @example redactDeep({ dsn: 'postgres://u:hunter22@db' }, ['hunter22']) // { dsn: 'postgres://u:[REDACTED]@db' }
 */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  const redact = secretRedactor(secrets);
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return redact(item);
    if (item === null || typeof item !== 'object' || depth > 32) return item;
    if (Array.isArray(item)) return item.map((child) => walk(child, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(item)) out[key] = CREDENTIAL_KEY.test(key) && child !== undefined ? REDACTED : walk(child, depth + 1);
    return out;
  };
  return walk(value, 0);
}

const CREDENTIAL_KEY = /^(?:authorization|password|passphrase|token|access_token|api_key|apikey|secret|client_secret|x-api-key|cookie)$/i;
