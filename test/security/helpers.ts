// A real OAuth issuer for the security tests: RFC 8414 metadata and a JWKS over HTTP on port 0, keys
// made with node:crypto, tokens signed like an authorization server signs them. Key rotation and
// fetch counting let tests see what the gateway fetched.
import { createHmac, generateKeyPairSync, type KeyObject, sign as cryptoSign, constants } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineServiceType, z } from '../../src/sdk/index.js';
import type { ServiceType, ToolDefinition } from '../../src/sdk/service-type.js';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function rsaKey(kid: string, alg = 'RS256'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, privateKey, publicKey };
}

export function edKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, alg: 'EdDSA', privateKey, publicKey };
}

export function ecKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg: 'ES256', privateKey, publicKey };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a JWT; `header` overrides (alg, kid, typ) let tests forge exactly what an attacker would send. */
export function signJwt(key: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const head = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header };
  const input = `${b64(head)}.${b64(payload)}`;
  const alg = String(head.alg);
  const hash = `sha${alg.slice(2)}`;
  let signature: Buffer;
  if (alg === 'EdDSA') signature = cryptoSign(null, Buffer.from(input), key.privateKey);
  else if (alg.startsWith('ES')) signature = cryptoSign(hash, Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else if (alg.startsWith('PS')) signature = cryptoSign(hash, Buffer.from(input), { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  else signature = cryptoSign(hash, Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** An HS256 token whose HMAC secret is the given bytes (the classic RS/HS confusion forgery). */
export function hmacJwt(secret: Buffer | string, payload: Record<string, unknown>, header: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', ...header })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsigned `alg: none` token. */
export function noneJwt(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return `${b64({ alg: 'none', ...header })}.${b64(payload)}.`;
}

export interface Issuer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Keys the JWKS publishes now. */
  keys: SigningKey[];
  readonly fetches: { jwks: number; metadata: number };
  /** Claims of a valid token for `resource`, valid for an hour; override any. */
  claims(resource: string, extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts an issuer on 127.0.0.1:0 publishing `keys` (mutable: assign `issuer.keys` to rotate). */
export async function startIssuer(keys: SigningKey[]): Promise<Issuer> {
  const fetches = { jwks: 0, metadata: 0 };
  let base = '';
  const state = { keys };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server') {
      fetches.metadata++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks`, token_endpoint: `${base}/token`, response_types_supported: ['code'] }));
      return;
    }
    if (req.url === '/jwks') {
      fetches.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: state.keys.map((key) => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' })) }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    get keys() {
      return state.keys;
    },
    set keys(value: SigningKey[]) {
      state.keys = value;
    },
    fetches,
    claims: (resource, extra = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return { iss: base, aud: resource, sub: 'alice', exp: now + 3600, iat: now, nbf: now - 5, scope: 'mcp:read', ...extra };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const obj = { type: 'object' as const, properties: {} };
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/**
 * `store`: a service type with honest annotations — read tools (`list_items`, `whoami`), write tools
 * (`add_item`, unannotated; `delete_item`, destructive), a prompt and a resource. `whoami` answers
 * with the principal the call carried.
 */
export function storeType(): ServiceType<unknown> {
  return defineServiceType({
    name: 'store',
    version: '1.0.0',
    category: 'generic',
    configSchema: z.strictObject({ fail_start: z.boolean().default(false) }),
    create(ctx) {
      const tools: ToolDefinition[] = [
        { name: 'list_items', inputSchema: obj, annotations: { readOnlyHint: true }, call: async () => text(`[${ctx.name}] items`) },
        { name: 'whoami', inputSchema: obj, annotations: { readOnlyHint: true }, call: async (_args, call) => text(JSON.stringify(call.principal)) },
        { name: 'add_item', inputSchema: obj, call: async () => text(`[${ctx.name}] added`) },
        { name: 'delete_item', inputSchema: obj, annotations: { destructiveHint: true, readOnlyHint: false }, call: async () => text(`[${ctx.name}] deleted`) },
        { name: 'leak', inputSchema: obj, annotations: { readOnlyHint: true }, call: async () => { throw new Error(`cannot connect with password ${process.env.MCPEG_TEST_SECRET ?? ''}`); } },
      ];
      return {
        async start() {
          if (ctx.config.fail_start) throw new Error(`login failed with password ${process.env.MCPEG_TEST_SECRET ?? ''}`);
        },
        health: async () => ({ healthy: true, detail: `connected with ${process.env.MCPEG_TEST_SECRET ?? 'no secret'}` }),
        tools: () => tools,
        prompts: () => [{ name: 'summary', get: async () => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text: `summary of ${ctx.name}` } }] }) }],
        resources: () => [{ uri: `store://${ctx.name}/readme`, name: 'readme', read: async () => ({ contents: [{ uri: `store://${ctx.name}/readme`, text: 'read me' }] }) }],
      };
    },
  }) as ServiceType<unknown>;
}
