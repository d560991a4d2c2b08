import type { AuthConfig } from './config.js';

/**
 * What authenticates a request: headers and query parameters added when the request goes to the
 * service's own origin (never to another origin, even after a redirect), and the secret values to
 * scrub from anything shown to a client or written to a log.
 */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
}

export const NO_CREDENTIALS: Credentials = Object.freeze({ headers: {}, query: {}, secrets: [] });

/**
 * The credentials an `auth:` block describes.
 *
 * @example credentialsOf({ type: 'bearer', token: 't0k3n' }).headers // { authorization: 'Bearer t0k3n' }
 */
export function credentialsOf(auth: AuthConfig | undefined): Credentials {
  if (!auth) return NO_CREDENTIALS;
  switch (auth.type) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${auth.token}` }, query: {}, secrets: [auth.token] };
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      return { headers: { authorization: `Basic ${encoded}` }, query: {}, secrets: [auth.password, encoded] };
    }
    case 'api_key':
      return auth.in === 'query'
        ? { headers: {}, query: { [auth.name]: auth.value }, secrets: [auth.value, encodeURIComponent(auth.value)] }
        : { headers: { [auth.name.toLowerCase()]: auth.value }, query: {}, secrets: [auth.value] };
  }
}

/** Several credentials at once (an OpenAPI operation may require an API key and a bearer token). */
export function mergeCredentials(parts: readonly Credentials[]): Credentials {
  return {
    headers: Object.assign({}, ...parts.map((part) => part.headers)) as Record<string, string>,
    query: Object.assign({}, ...parts.map((part) => part.query)) as Record<string, string>,
    secrets: parts.flatMap((part) => part.secrets),
  };
}

/** Secrets shorter than this are not scrubbed: they would blank out ordinary text (as the log redaction does). */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces every secret in `text` with `[REDACTED]` — for error messages and response bodies, so an
 * API that echoes the request (or a message that quotes a URL) never hands a credential to a client.
 *
 * @example scrub('token=abcd1234', ['abcd1234']) // 'token=[REDACTED]'
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}
