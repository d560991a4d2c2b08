import { constants, type KeyObject, verify } from 'node:crypto';

/** Why a token was refused. `status` 503 means the gateway could not check it (keys unavailable), not that it is bad. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly status: 401 | 503;
  constructor(message: string, status: 401 | 503 = 401) {
    super(message);
    this.status = status;
  }
}

export interface JwtHeader {
  readonly alg?: unknown;
  readonly kid?: unknown;
  readonly typ?: unknown;
  readonly crit?: unknown;
}

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly payload: Record<string, unknown>;
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** Longest token accepted: a real access token is a few KB; anything far larger is an attack on the parser. */
const MAX_TOKEN_LENGTH = 16_384;
const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** Splits and decodes a compact JWS without trusting anything in it. */
export function decodeJwt(token: string): DecodedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError(`the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) throw new TokenError('the token is not a JWT (three base64url parts)');
  const [head, body, signature] = parts as [string, string, string];
  const header = parseJson(head, 'header');
  const payload = parseJson(body, 'payload');
  return { header, payload, signingInput: Buffer.from(`${head}.${body}`, 'ascii'), signature: Buffer.from(signature, 'base64url') };
}

function parseJson(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new TokenError(`the token's ${what} is not a JSON object`);
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
const CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/**
 * Checks that `key` may verify `alg` (an RSA key for RS/PS, the matching curve for ES, an OKP key for
 * EdDSA) and that the signature is valid. The key type check is what stops algorithm confusion.
 */
export function verifySignature(alg: string, key: KeyObject, input: Buffer, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  const family = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)];
  if (key.type !== 'public') return false;
  try {
    if ((family === 'RS' || family === 'PS') && hash && (type === 'rsa' || (family === 'PS' && type === 'rsa-pss'))) {
      if (family === 'RS') return verify(hash, input, key, signature);
      return verify(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }, signature);
    }
    if (family === 'ES' && hash && type === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVE[alg]) {
      return verify(hash, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (alg === 'EdDSA' && (type === 'ed25519' || type === 'ed448')) return verify(null, input, key, signature);
  } catch {
    return false;
  }
  return false;
}

export interface ClaimRules {
  readonly issuer: string;
  readonly audience: string;
  readonly clockSkewMs: number;
  readonly now: number;
}

/** The registered claims every access token must satisfy: iss, aud, exp (required), nbf and iat. */
export function checkClaims(payload: Record<string, unknown>, rules: ClaimRules): void {
  const skew = rules.clockSkewMs / 1000;
  const now = rules.now / 1000;
  if (payload.iss !== rules.issuer) {
    throw new TokenError(`the token was issued by ${JSON.stringify(payload.iss ?? null)}, not by the configured issuer ${rules.issuer}`);
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const wanted = normalizeResource(rules.audience);
  if (!audiences.some((aud) => typeof aud === 'string' && normalizeResource(aud) === wanted)) {
    throw new TokenError(`the token is meant for ${JSON.stringify(payload.aud ?? null)}, not for this gateway (${rules.audience})`);
  }
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new TokenError('the token has no expiry (exp)');
  if (now - skew >= payload.exp) throw new TokenError('the token has expired');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || now + skew < payload.nbf)) throw new TokenError('the token is not valid yet (nbf)');
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || now + skew < payload.iat)) throw new TokenError('the token was issued in the future (iat)');
}

/** Resource identifiers compare without a fragment and one trailing slash (RFC 8707 practice). */
export function normalizeResource(value: string): string {
  return value.replace(/#.*$/, '').replace(/\/$/, '');
}
