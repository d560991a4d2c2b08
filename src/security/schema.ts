import { z } from 'zod';
import { duration } from '../sdk/units.js';
import { API_KEY_HASH, API_KEY_HASH_HELP } from './api-key-hash.js';

/** Signature algorithms a JWT access token may use. Symmetric (HS*) and `none` are never accepted. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** The classes of access a policy grants or denies. */
export const ACCESS_CLASSES = ['read', 'write', 'admin'] as const;

const principalName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$/, 'a principal name uses letters, digits and _ . @ : - (at most 128)')
  .refine((name) => name !== 'anonymous', '"anonymous" is reserved for unauthenticated callers');

const role = z.string().min(1).max(128);

const apiKey = z.strictObject({
  principal: principalName.describe('Who the key belongs to: the principal id in logs, audit records and policies'),
  hash: z
    .string()
    .regex(API_KEY_HASH, API_KEY_HASH_HELP)
    .describe('The key, hashed: sha256:<hex> or scrypt:… as printed by `mcpeg hash-key` (never the key itself)'),
  roles: z.array(role).default([]).describe('Roles policies grant access by'),
});

const oauth = z.strictObject({
  issuer: z.url().describe('The authorization server; tokens must carry exactly this `iss`'),
  resource: z.url().describe("This gateway's resource URI (its public MCP URL); tokens must name it in `aud`"),
  jwks_uri: z.url().optional().describe("The issuer's JWKS; found through the issuer's metadata when left out"),
  algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['RS256', 'ES256']).describe('Accepted signature algorithms'),
  clock_skew: duration().default(60_000).describe('Tolerance for exp / nbf / iat against this clock'),
  jwks_cache: duration().default(600_000).describe('How long fetched keys are used before they are fetched again'),
  jwks_refresh_interval: duration()
    .default(30_000)
    .describe('A token with an unknown kid refetches the JWKS at most this often'),
  principal_claim: z.string().min(1).default('sub').describe('The claim that names the principal'),
  roles_claim: z.string().min(1).default('roles').describe('The claim (dot path, e.g. realm_access.roles) holding roles; scopes count as roles too'),
  scopes_supported: z.array(z.string().min(1)).default([]).describe('Scopes advertised in the protected-resource metadata'),
  required_scopes: z.array(z.string().min(1)).default([]).describe('Scopes every token must carry; otherwise 403 insufficient_scope'),
});

/** `server.auth`: who may talk to the HTTP front door. */
export const authSchema = z
  .strictObject({
    mode: z.enum(['none', 'api_keys', 'oauth']).default('none').describe('none (loopback only, unless forced), api_keys or oauth'),
    allow_unauthenticated_remote: z
      .boolean()
      .default(false)
      .describe('With mode none, allow listening on a non-loopback address (trusted networks only)'),
    api_keys: z.array(apiKey).default([]),
    oauth: oauth.optional(),
  })
  .superRefine((auth, ctx) => {
    if (auth.mode === 'api_keys' && auth.api_keys.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['api_keys'], message: 'mode api_keys needs at least one key (create one with `mcpeg hash-key`)' });
    }
    if (auth.mode === 'oauth' && !auth.oauth) {
      ctx.addIssue({ code: 'custom', path: ['oauth'], message: 'mode oauth needs an oauth: block with at least issuer and resource' });
    }
    const seen = new Set<string>();
    auth.api_keys.forEach((key, index) => {
      if (seen.has(key.hash)) ctx.addIssue({ code: 'custom', path: ['api_keys', index, 'hash'], message: 'the same key hash is listed twice' });
      seen.add(key.hash);
    });
  });

/** `server.tls`: serve HTTPS directly, for deployments without a TLS-terminating proxy. */
export const tlsSchema = z.strictObject({
  cert: z.string().min(1).describe('Path to the PEM certificate (chain)'),
  key: z.string().min(1).describe('Path to the PEM private key'),
  passphrase: z.string().optional().describe('Passphrase of the key (use ${file:…})'),
  ca: z.string().min(1).optional().describe('Path to PEM CA certificates that sign client certificates'),
  client_certificates: z
    .enum(['none', 'request', 'require'])
    .default('none')
    .describe('require: only clients with a certificate signed by ca may connect'),
});

const globs = z.array(z.string().min(1).max(256));

const policy = z
  .strictObject({
    description: z.string().optional(),
    effect: z.enum(['allow', 'deny']).describe('deny wins over allow'),
    roles: z.array(role).optional().describe('Principals with any of these roles ("*": every authenticated principal)'),
    principals: z.array(z.string().min(1)).optional().describe('Principal ids (globs)'),
    services: globs.optional().describe('Service names (globs); all when left out'),
    tools: globs.optional().describe('Tool names (globs on the public name, the original name or <service>__<original>)'),
    resources: globs.optional().describe('Resource URIs or URI templates (globs)'),
    prompts: globs.optional().describe('Prompt names (globs, like tools)'),
    classes: z.array(z.enum(ACCESS_CLASSES)).optional().describe('read, write, admin; all when left out'),
  })
  .superRefine((rule, ctx) => {
    if (!rule.roles && !rule.principals) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a policy needs roles: or principals: (use roles: ["*"] for every authenticated principal)' });
    }
  });

/** `authorization:`: what each principal may call. */
export const authorizationSchema = z.strictObject({
  default: z
    .enum(['read', 'none'])
    .default('read')
    .describe('What an authenticated principal may do where no policy matches: read, or nothing'),
  admin_role: role.default('admin').describe('The role the admin API requires'),
  admin_tools: globs.default([]).describe('Tools of class admin (globs, matched like policy tools)'),
  policies: z.array(policy).default([]),
});

const bucket = z.strictObject({
  requests: z.number().int().min(1).max(10_000_000).describe('Requests allowed per period'),
  per: duration().default(60_000).describe('The period (1s, 1m, 1h)'),
  burst: z.number().int().min(1).max(10_000_000).optional().describe('Bucket size: requests allowed at once (default: requests)'),
});

const serviceBucket = bucket.extend({
  by: z.enum(['service', 'principal']).default('service').describe('service: one bucket shared by all callers; principal: one per caller'),
});

/** `rate_limits:`: token buckets per principal, per service and for failed authentication. */
export const rateLimitsSchema = z.strictObject({
  principal: bucket.optional().describe('Every HTTP request of one principal; over it the answer is 429 with Retry-After'),
  failed_auth: bucket
    .default({ requests: 10, per: 60_000, burst: 10 })
    .describe('Failed authentication attempts per client address; over it the answer is 429'),
  services: z.record(z.string(), serviceBucket).default({}).describe('Calls into a service; over it the call fails with RATE_LIMITED and a retry-after'),
});

export type AuthConfig = z.output<typeof authSchema>;
export type OAuthConfig = NonNullable<AuthConfig['oauth']>;
export type TlsConfig = z.output<typeof tlsSchema>;
export type AuthorizationConfig = z.output<typeof authorizationSchema>;
export type PolicyConfig = AuthorizationConfig['policies'][number];
export type RateLimitsConfig = z.output<typeof rateLimitsSchema>;
export type BucketConfig = z.output<typeof bucket>;
export type AccessClass = (typeof ACCESS_CLASSES)[number];
