import { GatewayError } from '../../sdk/errors.js';
import { readCapped } from '../http-client/capped-body.js';
import { type Credentials, scrub } from '../http-client/credentials.js';

/** A token is renewed this long before it expires, so a request never leaves with one about to lapse. */
const EARLY_RENEWAL_MS = 30_000;
/** Used when the token endpoint does not say how long its token lasts. */
const DEFAULT_LIFETIME_MS = 300_000;
const MAX_TOKEN_RESPONSE = 64_000;

export interface ClientCredentialsOptions {
  readonly service: string;
  /** The security scheme's name, for messages. */
  readonly scheme: string;
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/**
 * The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for one security scheme: fetches an access
 * token from the scheme's token endpoint with HTTP Basic client authentication, keeps it until shortly
 * before it expires, and fetches one at a time however many calls wait. `invalidate` drops it (the
 * API answered 401). Every token it obtains is listed in `secrets`, so it is scrubbed from output.
 *
 * @example const credentials = await source.credentials(signal); // { headers: { authorization: 'Bearer …' } }
 */
export class ClientCredentialsSource {
  readonly #options: ClientCredentialsOptions;
  readonly #now: () => number;
  readonly #secrets: string[];
  #token: { value: string; expires: number } | undefined;
  #fetching: Promise<string> | undefined;

  constructor(options: ClientCredentialsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#secrets = [options.clientSecret, this.#basic()];
  }

  /** The client secret, its Basic form, and the tokens obtained so far (the last few). */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  invalidate(): void {
    this.#token = undefined;
  }

  async credentials(signal: AbortSignal): Promise<Credentials> {
    const token = this.#token && this.#token.expires - EARLY_RENEWAL_MS > this.#now() ? this.#token.value : await this.#fetchOnce(signal);
    return { headers: { authorization: `Bearer ${token}` }, query: {}, secrets: [token] };
  }

  #fetchOnce(signal: AbortSignal): Promise<string> {
    // One request for every call waiting; each caller still stops waiting when its own signal aborts.
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    const fetching = this.#fetching;
    return new Promise<string>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      fetching.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async #fetch(): Promise<string> {
    const { service, scheme, tokenUrl, scopes } = this.#options;
    const fail = (code: 'BACKEND_ERROR' | 'BACKEND_UNREACHABLE', why: string, cause?: unknown) =>
      new GatewayError(code, `getting an access token for the security scheme ${scheme} from ${tokenUrl.origin}${tokenUrl.pathname} failed: ${why}`, { service, cause });
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes.length > 0) body.set('scope', scopes.join(' '));
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${this.#basic()}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      throw fail('BACKEND_UNREACHABLE', `${(error as Error).message}${(error as { cause?: Error }).cause ? `: ${(error as { cause: Error }).cause.message}` : ''}`, error);
    }
    const { bytes } = await readCapped(response.body, MAX_TOKEN_RESPONSE);
    const text = scrub(bytes.toString('utf8'), this.#secrets);
    if (!response.ok) {
      const hint = response.status === 400 || response.status === 401 ? ' — check client_id and client_secret (and scopes) under credentials.' + scheme : '';
      throw fail('BACKEND_ERROR', `HTTP ${response.status}: ${text.slice(0, 300)}${hint}`);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
    } catch {
      throw fail('BACKEND_ERROR', `the answer is not JSON: ${text.slice(0, 200)}`);
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') throw fail('BACKEND_ERROR', 'the answer has no access_token');
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    this.#token = { value: parsed.access_token, expires: this.#now() + lifetime };
    this.#secrets.push(parsed.access_token);
    // Old tokens are useless once replaced, but may still sit in an answer: keep the last few to scrub.
    if (this.#secrets.length > 10) this.#secrets.splice(2, 1);
    return parsed.access_token;
  }

  #basic(): string {
    // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    return Buffer.from(`${encode(this.#options.clientId)}:${encode(this.#options.clientSecret)}`).toString('base64');
  }
}
