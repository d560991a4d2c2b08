import { duration, size, z } from '../../sdk/index.js';
import { headerValue, httpClientShape } from '../http-client/config.js';

/**
 * Credentials for one security scheme of the document, by the scheme's name in
 * `components.securitySchemes`: `value` for an apiKey scheme, `token` for http bearer (and for oauth2 /
 * openIdConnect with a token you obtained), `username` + `password` for http basic, `client_id` +
 * `client_secret` for an oauth2 scheme with a client-credentials flow (the gateway fetches the token).
 *
 * @example { api_key: { value: '${PETSTORE_KEY}' }, bearerAuth: { token: '${file:/run/secrets/token}' } }
 */
const credentialSchema = z
  .strictObject({
    value: headerValue().min(1).optional().describe('apiKey schemes: the key'),
    token: headerValue().min(1).optional().describe('http bearer, oauth2 and openIdConnect schemes: the bearer token'),
    username: headerValue().optional().describe('http basic schemes: the user name'),
    password: headerValue().optional().describe('http basic schemes: the password'),
    client_id: z.string().min(1).optional().describe('oauth2 client-credentials flow: the client id'),
    client_secret: z.string().min(1).optional().describe('oauth2 client-credentials flow: the client secret'),
    scopes: z.array(z.string().min(1)).optional().describe('oauth2 client-credentials flow: the scopes to ask for (default: none)'),
    token_url: z.url({ protocol: /^https?$/ }).optional().describe('oauth2 client-credentials flow: overrides the tokenUrl of the document'),
  })
  .refine((credential) => [credential.value, credential.token, credential.username, credential.client_id].some((value) => value !== undefined), {
    message: 'give value:, token:, username: and password:, or client_id: and client_secret:',
  })
  .refine((credential) => (credential.username === undefined) === (credential.password === undefined), { message: 'username: and password: go together' })
  .refine((credential) => (credential.client_id === undefined) === (credential.client_secret === undefined), { message: 'client_id: and client_secret: go together' });

export type SchemeCredential = z.output<typeof credentialSchema>;

const selector = z.string().min(1);

/**
 * Config of an `openapi` service: the document (`spec:`, a file or an http(s) URL), which operations
 * to serve, where to send requests (`base_url:` overrides the document's servers), credentials per
 * security scheme, and the shared HTTP client settings.
 *
 * @example openapiConfigSchema.parse({ spec: 'petstore.yaml', include: ['tag:pets'] })
 */
export const openapiConfigSchema = z
  .strictObject({
    spec: z.string().min(1).describe('The OpenAPI 3.0/3.1 document (YAML or JSON): a file path (relative to this config file) or an http(s) URL'),
    base_url: z.url({ protocol: /^https?$/ }).optional().describe('Where requests go; overrides the servers of the document'),
    credentials: z.record(z.string().min(1), credentialSchema).default({}).describe('Credentials by security scheme name (components.securitySchemes)'),
    include: z
      .array(selector)
      .optional()
      .describe('Serve only these operations: operationId globs (list*), tag:<glob>, or path globs with an optional method (/pets/*, "GET /pets")'),
    exclude: z.array(selector).default([]).describe('Leave these operations out (same forms as include)'),
    spec_timeout: duration().default(20_000).describe('How long fetching the document from a URL may take'),
    watch: z.boolean().default(true).describe('Re-read a spec file when it changes, and serve its new operations'),
    refresh_interval: duration().optional().describe('Re-fetch a spec URL this often, and serve its new operations (default: never)'),
    max_spec_size: size().default(10_000_000).describe('Largest document accepted'),
    ...httpClientShape,
  })
  .superRefine((config, ctx) => {
    if (config.auth !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['auth'], message: 'an openapi service takes credentials per security scheme: write credentials: { <scheme name>: { token: … } } instead of auth:' });
    }
    if (config.base_url !== undefined) {
      const base = new URL(config.base_url);
      if (base.search !== '' || base.hash !== '' || base.username !== '' || base.password !== '') {
        ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'may not have a query, a fragment or a user:password — credentials go under credentials:' });
      }
    }
  });

export type OpenapiConfig = z.output<typeof openapiConfigSchema>;
