import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** The stored forms of an API key: `sha256:<64 hex>` or `scrypt:<N>:<r>:<p>:<salt b64url>:<hash b64url>`. */
export const API_KEY_HASH = /^(?:sha256:[0-9a-f]{64}|scrypt:\d{1,8}:\d{1,3}:\d{1,3}:[A-Za-z0-9_-]{16,128}:[A-Za-z0-9_-]{32,256})$/;

export const API_KEY_HASH_HELP =
  'must be a hashed key — sha256:<64 lowercase hex> or scrypt:N:r:p:salt:hash — never the key itself; run `mcpeg hash-key` to make one';

/** Scrypt cost for `mcpeg hash-key --scrypt`: ~50 ms per check on a server core; results are cached per key. */
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;

/**
 * Hashes an API key for the config file.
 *
 * @example hashApiKey('mk_abc…') // 'sha256:9f86d0…'
 */
export function hashApiKey(key: string, algorithm: 'sha256' | 'scrypt' = 'sha256'): string {
  if (algorithm === 'sha256') return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
  const salt = randomBytes(16);
  const hash = scryptSync(key, salt, 32, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString('base64url')}:${hash.toString('base64url')}`;
}

/** A fresh random API key: 32 bytes of entropy, prefixed so it is recognisable in a leak scan. */
export function generateApiKey(): string {
  return `mcpeg_${randomBytes(32).toString('base64url')}`;
}

/** One stored hash, ready to compare against presented keys in constant time. */
export interface StoredKeyHash {
  /** True when `presented` is the key this hash was made from. */
  matches(presented: string, presentedSha256: Buffer): boolean;
}

/** Parses a stored hash (already validated by the config schema against {@link API_KEY_HASH}). */
export function storedKeyHash(stored: string): StoredKeyHash {
  if (stored.startsWith('sha256:')) {
    const expected = Buffer.from(stored.slice('sha256:'.length), 'hex');
    return { matches: (_presented, digest) => timingSafeEqual(digest, expected) };
  }
  const [, n, r, p, salt, hash] = stored.split(':');
  const expected = Buffer.from(hash!, 'base64url');
  const saltBytes = Buffer.from(salt!, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 };
  return {
    matches: (presented) => {
      const actual = scryptSync(presented, saltBytes, expected.length, options);
      return timingSafeEqual(actual, expected);
    },
  };
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
