// JWT access-token validation against a real issuer (JWKS over HTTP on port 0): every way a token can be
// wrong must be refused, with a message that says which way.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthVerifier } from '../../src/security/oauth-verifier.js';
import { authSchema } from '../../src/security/schema.js';
import { quietLogger } from '../helpers/gateway.js';
import { ecKey, edKey, hmacJwt, type Issuer, noneJwt, rsaKey, signJwt, startIssuer } from './helpers.js';

const RESOURCE = 'https://mcp.example.test/mcp';
const primary = rsaKey('key-1');
const second = ecKey('key-ec');
let issuer: Issuer;

function verifier(extra: Record<string, unknown> = {}, now?: () => number) {
  const auth = authSchema.parse({ mode: 'oauth', oauth: { issuer: issuer.issuer, resource: RESOURCE, jwks_refresh_interval: '0s', ...extra } });
  return new OAuthVerifier(auth.oauth!, { logger: quietLogger(), ...(now ? { now } : {}) });
}

beforeAll(async () => {
  issuer = await startIssuer([primary, second]);
});
afterAll(() => issuer.close());

describe('OAuth access tokens', () => {
  it('accepts a valid RS256 token and an ES256 one, finding the JWKS through the issuer metadata', async () => {
    const check = verifier();
    const token = await check.verify(signJwt(primary, issuer.claims(RESOURCE, { roles: ['reader'], scope: 'mcp:read mcp:write' })));
    expect(token.principal).toEqual({ id: 'alice', roles: ['reader', 'mcp:read', 'mcp:write'] });
    expect(token.scopes).toEqual(['mcp:read', 'mcp:write']);
    const ec = await check.verify(signJwt(second, issuer.claims(RESOURCE, { sub: 'bob' })));
    expect(ec.principal.id).toBe('bob');
    expect(issuer.fetches.metadata).toBeGreaterThan(0);
  });

  it('reads roles from a nested claim and accepts an audience list that contains the resource', async () => {
    const check = verifier({ roles_claim: 'realm_access.roles' });
    const token = await check.verify(signJwt(primary, issuer.claims(RESOURCE, { aud: ['other', `${RESOURCE}/`], realm_access: { roles: ['writer'] } })));
    expect(token.principal.roles).toContain('writer');
  });

  const refusals: [string, () => string, RegExp][] = [
    ['an expired token', () => signJwt(primary, issuer.claims(RESOURCE, { exp: Math.floor(Date.now() / 1000) - 120 })), /expired/],
    ['a token without exp', () => signJwt(primary, { ...issuer.claims(RESOURCE), exp: undefined }), /no expiry/],
    ['a not-yet-valid token', () => signJwt(primary, issuer.claims(RESOURCE, { nbf: Math.floor(Date.now() / 1000) + 600 })), /not valid yet/],
    ['a token issued in the future', () => signJwt(primary, issuer.claims(RESOURCE, { iat: Math.floor(Date.now() / 1000) + 600 })), /issued in the future/],
    ['a token for another audience', () => signJwt(primary, issuer.claims(RESOURCE, { aud: 'https://other.example.test/mcp' })), /meant for .*other\.example/],
    ['a token without audience', () => signJwt(primary, { ...issuer.claims(RESOURCE), aud: undefined }), /meant for null/],
    ['a token from another issuer', () => signJwt(primary, issuer.claims(RESOURCE, { iss: 'https://evil.example.test' })), /issued by "https:\/\/evil/],
    ['alg none', () => noneJwt(issuer.claims(RESOURCE), { kid: 'key-1' }), /algorithm "none" is not accepted/],
    ['alg none, upper case', () => noneJwt(issuer.claims(RESOURCE), { alg: 'NONE', kid: 'key-1' }), /algorithm "NONE" is not accepted/],
    [
      'HS256 signed with the RSA public key as secret (key confusion)',
      () => hmacJwt(primary.publicKey.export({ type: 'spki', format: 'pem' }), issuer.claims(RESOURCE), { kid: 'key-1' }),
      /algorithm "HS256" is not accepted/,
    ],
    ['a forged signature (signed by a key the issuer does not have, same kid)', () => signJwt({ ...rsaKey('key-1') }, issuer.claims(RESOURCE)), /signature is not valid/],
    ['a tampered payload', () => tamper(signJwt(primary, issuer.claims(RESOURCE)), { sub: 'root' }), /signature is not valid/],
    ['an unknown kid', () => signJwt(rsaKey('key-unknown'), issuer.claims(RESOURCE)), /signing key "key-unknown" is not among/],
    ['RS256 header on the EC key (algorithm/key mismatch)', () => signJwt({ ...primary, kid: 'key-ec' }, issuer.claims(RESOURCE)), /not among|signature is not valid/],
    ['garbage', () => 'not-a-token', /not a JWT/],
    ['a header that is not JSON', () => `${Buffer.from('nope').toString('base64url')}.e30.AAAA`, /header is not a JSON object/],
    ['a huge token', () => `${'a'.repeat(20_000)}.e30.AAAA`, /longer than/],
    ['a token with crit', () => signJwt(primary, issuer.claims(RESOURCE), { crit: ['exp'] }), /critical header/],
  ];
  for (const [name, token, message] of refusals) {
    it(`refuses ${name}`, async () => {
      await expect(verifier().verify(token())).rejects.toThrow(message);
    });
  }

  it('refuses an algorithm outside the configured allowlist even when the key fits', async () => {
    await expect(verifier({ algorithms: ['ES256'] }).verify(signJwt(primary, issuer.claims(RESOURCE)))).rejects.toThrow(/"RS256" is not accepted \(allowed: ES256\)/);
  });

  it('accepts PS256 and EdDSA tokens when allowed, and refuses a PS256 header over an RS-only allowlist', async () => {
    const pss = { ...rsaKey('pss', 'PS256') };
    const ed = edKey('ed');
    const local = await startIssuer([pss, ed]);
    try {
      const auth = authSchema.parse({ mode: 'oauth', oauth: { issuer: local.issuer, resource: RESOURCE, algorithms: ['PS256', 'EdDSA'] } });
      const check = new OAuthVerifier(auth.oauth!, { logger: quietLogger() });
      expect((await check.verify(signJwt(pss, local.claims(RESOURCE)))).principal.id).toBe('alice');
      expect((await check.verify(signJwt(ed, local.claims(RESOURCE, { sub: 'ed-user' })))).principal.id).toBe('ed-user');
      // The EdDSA key cannot verify a token that claims PS256 (key type and algorithm must fit).
      await expect(check.verify(signJwt({ ...pss, kid: 'ed' }, local.claims(RESOURCE)))).rejects.toThrow(/not among|signature is not valid/);
    } finally {
      await local.close();
    }
  });

  it('tolerates small clock differences (clock_skew) and no more', async () => {
    const claims = issuer.claims(RESOURCE, { exp: Math.floor(Date.now() / 1000) - 30 });
    await expect(verifier({ clock_skew: '60s' }).verify(signJwt(primary, claims))).resolves.toBeDefined();
    await expect(verifier({ clock_skew: '10s' }).verify(signJwt(primary, claims))).rejects.toThrow(/expired/);
  });

  it('never uses a symmetric key or a private key the JWKS publishes', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const leaked = { kid: 'leaked', alg: 'RS256', privateKey, publicKey: privateKey };
    const local = await startIssuer([leaked]);
    try {
      const auth = authSchema.parse({ mode: 'oauth', oauth: { issuer: local.issuer, resource: RESOURCE } });
      const check = new OAuthVerifier(auth.oauth!, { logger: quietLogger() });
      // The "public" JWK here carries d (the private part): the gateway refuses to use such a key.
      await expect(check.verify(signJwt(leaked, local.claims(RESOURCE)))).rejects.toThrow(/not among the issuer's keys/);
    } finally {
      await local.close();
    }
  });
});

describe('JWKS rotation', () => {
  it('fetches the new key when an unknown kid appears, drops removed keys, and rate-limits refetches', async () => {
    const oldKey = rsaKey('old');
    const local = await startIssuer([oldKey]);
    let now = Date.now();
    try {
      const auth = authSchema.parse({ mode: 'oauth', oauth: { issuer: local.issuer, resource: RESOURCE, jwks_uri: local.jwksUri, jwks_refresh_interval: '30s', jwks_cache: '1h' } });
      const check = new OAuthVerifier(auth.oauth!, { logger: quietLogger(), now: () => now });
      const claims = () => local.claims(RESOURCE, { iat: Math.floor(now / 1000), nbf: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 });
      await check.verify(signJwt(oldKey, claims()));
      await check.verify(signJwt(oldKey, claims()));
      expect(local.fetches.jwks).toBe(1); // cached

      // The issuer rotates: the new key replaces the old one.
      const newKey = rsaKey('new');
      local.keys = [newKey];
      now += 31_000;
      await expect(check.verify(signJwt(newKey, claims()))).resolves.toBeDefined();
      expect(local.fetches.jwks).toBe(2);
      // The old key is gone from the refreshed set: its tokens are refused...
      await expect(check.verify(signJwt(oldKey, claims()))).rejects.toThrow(/signing key "old" is not among/);
      // ...and a flood of unknown kids does not make the gateway hammer the issuer.
      const attackers = [rsaKey('attacker-0'), ecKey('attacker-1')];
      for (let index = 0; index < 20; index++) {
        await expect(check.verify(signJwt(attackers[index % 2]!, claims()))).rejects.toThrow(/not among/);
      }
      expect(local.fetches.jwks).toBe(2);
      now += 31_000;
      await expect(check.verify(signJwt(attackers[0]!, claims()))).rejects.toThrow(/not among/);
      expect(local.fetches.jwks).toBe(3);
    } finally {
      await local.close();
    }
  }, 30_000);

  it('answers 503-class errors when the issuer cannot be reached and no key is cached', async () => {
    const auth = authSchema.parse({ mode: 'oauth', oauth: { issuer: 'http://127.0.0.1:1', resource: RESOURCE, jwks_uri: 'http://127.0.0.1:1/jwks' } });
    const check = new OAuthVerifier(auth.oauth!, { logger: quietLogger() });
    await expect(check.verify(signJwt(primary, issuer.claims(RESOURCE)))).rejects.toMatchObject({ status: 503, message: expect.stringMatching(/cannot be fetched/) });
  });
});

function tamper(token: string, changes: Record<string, unknown>): string {
  const [head, body, signature] = token.split('.') as [string, string, string];
  const payload = { ...JSON.parse(Buffer.from(body, 'base64url').toString('utf8')), ...changes };
  return `${head}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}
