import { type Credentials, mergeCredentials } from '../http-client/credentials.js';
import { ClientCredentialsSource } from './client-credentials.js';
import type { SchemeCredential } from './config.js';
import { dereference, isRecord } from './refs.js';

/** Fixed credentials, or a source of OAuth access tokens. */
export type SchemeAuth = Credentials | ClientCredentialsSource;

/** The credentials of each configured security scheme, or what is wrong with the configuration. */
export interface SchemeTable {
  readonly byScheme: ReadonlyMap<string, SchemeAuth>;
  readonly problems: readonly string[];
  /** Every secret of every scheme (access tokens obtained later included), to scrub from what is shown. */
  secrets(): readonly string[];
}

export interface SchemeTableOptions {
  readonly service: string;
  /** Where a relative tokenUrl resolves. */
  readonly base: URL;
  readonly timeoutMs: number;
}

/**
 * Maps `credentials:` (by scheme name) onto the document's `components.securitySchemes`: apiKey in a
 * header, the query or a cookie; http bearer and basic; a bearer token for oauth2 and openIdConnect.
 * A name that is not a scheme of the document, or a credential of the wrong kind, is a problem.
 */
export function schemeTable(document: Record<string, unknown>, configured: Readonly<Record<string, SchemeCredential>>, options: SchemeTableOptions): SchemeTable {
  const components = isRecord(document.components) ? document.components : {};
  const schemes = isRecord(components.securitySchemes) ? components.securitySchemes : {};
  const byScheme = new Map<string, SchemeAuth>();
  const problems: string[] = [];
  for (const [name, credential] of Object.entries(configured)) {
    if (!Object.hasOwn(schemes, name)) {
      problems.push(`credentials.${name} names no security scheme of the document (it has: ${Object.keys(schemes).join(', ') || 'none'})`);
      continue;
    }
    const scheme = dereference(document, schemes[name], `components.securitySchemes.${name}`);
    const mapped = isRecord(scheme) ? credentialsFor(name, scheme, credential, options) : `components.securitySchemes.${name} is not an object`;
    if (typeof mapped === 'string') problems.push(mapped);
    else byScheme.set(name, mapped);
  }
  return { byScheme, problems, secrets: () => [...byScheme.values()].flatMap((auth) => auth.secrets) };
}

function credentialsFor(name: string, scheme: Record<string, unknown>, credential: SchemeCredential, options: SchemeTableOptions): SchemeAuth | string {
  const type = String(scheme.type);
  if (type === 'apiKey') {
    const value = credential.value ?? credential.token;
    if (value === undefined) return `credentials.${name}: the scheme is an API key: give value:`;
    const keyName = String(scheme.name ?? '');
    if (keyName === '') return `components.securitySchemes.${name} has no name: for its API key`;
    if (scheme.in === 'query') return { headers: {}, query: { [keyName]: value }, secrets: [value, encodeURIComponent(value)] };
    if (scheme.in === 'cookie') return { headers: { cookie: `${keyName}=${value}` }, query: {}, secrets: [value] };
    return { headers: { [keyName.toLowerCase()]: value }, query: {}, secrets: [value] };
  }
  if (type === 'http') {
    const kind = String(scheme.scheme ?? '').toLowerCase();
    if (kind === 'bearer') {
      if (credential.token === undefined) return `credentials.${name}: the scheme is http bearer: give token:`;
      return { headers: { authorization: `Bearer ${credential.token}` }, query: {}, secrets: [credential.token] };
    }
    if (kind === 'basic') {
      if (credential.username === undefined || credential.password === undefined) return `credentials.${name}: the scheme is http basic: give username: and password:`;
      const encoded = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
      return { headers: { authorization: `Basic ${encoded}` }, query: {}, secrets: [credential.password, encoded] };
    }
    return `credentials.${name}: the http scheme "${kind}" is not supported (bearer and basic are)`;
  }
  if (type === 'oauth2' || type === 'openIdConnect') {
    if (credential.token !== undefined) return { headers: { authorization: `Bearer ${credential.token}` }, query: {}, secrets: [credential.token] };
    if (type === 'oauth2' && credential.client_id !== undefined && credential.client_secret !== undefined) {
      const flows = isRecord(scheme.flows) ? scheme.flows : {};
      const flow = isRecord(flows.clientCredentials) ? flows.clientCredentials : undefined;
      const declared = credential.token_url ?? (flow && typeof flow.tokenUrl === 'string' ? flow.tokenUrl : undefined);
      if (declared === undefined) return `credentials.${name}: the scheme has no clientCredentials flow with a tokenUrl; set token_url: or give token:`;
      let tokenUrl: URL;
      try {
        tokenUrl = new URL(declared, options.base);
      } catch {
        return `credentials.${name}: the tokenUrl ${declared} is not a URL`;
      }
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(tokenUrl.hostname);
      if (tokenUrl.protocol !== 'https:' && !(tokenUrl.protocol === 'http:' && loopback)) {
        return `credentials.${name}: the token URL ${tokenUrl.href} is not https; the client secret is only sent over https (or to a loopback address)`;
      }
      return new ClientCredentialsSource({
        service: options.service,
        scheme: name,
        tokenUrl,
        clientId: credential.client_id,
        clientSecret: credential.client_secret,
        scopes: credential.scopes ?? [],
        timeoutMs: options.timeoutMs,
      });
    }
    return `credentials.${name}: the scheme is ${type}: give an access token as token:${type === 'oauth2' ? ', or client_id: and client_secret: for its client-credentials flow' : ''}`;
  }
  return `credentials.${name}: security schemes of type ${type} are not supported`;
}

/** How one operation authenticates: credentials to fetch per call (tokens may need renewing), and the token sources to reset after a 401. */
export interface OperationAuth {
  credentials(signal: AbortSignal): Promise<Credentials | undefined>;
  readonly sources: readonly ClientCredentialsSource[];
}

/**
 * The credentials for one operation: the first alternative of its security requirements whose schemes
 * all have credentials (an empty alternative means "no auth"), or the schemes it lacks.
 */
export function credentialsForOperation(security: readonly Readonly<Record<string, readonly string[]>>[], table: SchemeTable): OperationAuth | { missing: string[] } {
  const none: OperationAuth = { credentials: async () => undefined, sources: [] };
  if (security.length === 0) return none;
  for (const requirement of security) {
    const schemes = Object.keys(requirement);
    if (!schemes.every((scheme) => table.byScheme.has(scheme))) continue;
    if (schemes.length === 0) return none;
    const auths = schemes.map((scheme) => table.byScheme.get(scheme)!);
    const sources = auths.filter((auth): auth is ClientCredentialsSource => auth instanceof ClientCredentialsSource);
    return {
      sources,
      credentials: async (signal) => mergeCredentials(await Promise.all(auths.map((auth) => (auth instanceof ClientCredentialsSource ? auth.credentials(signal) : auth)))),
    };
  }
  return { missing: [...new Set(security.flatMap((requirement) => Object.keys(requirement)))] };
}
