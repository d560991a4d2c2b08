import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/i;
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a duration (`30s`, `5m`, `1h`, `250ms`, `1d`) or a number of milliseconds. Returns `undefined` when invalid.
 *
 * @example parseDuration('5m') // 300000
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (DURATION_MS[match[2]!] ?? Number.NaN));
}

/**
 * Parses a size (`10MB`, `512MB`, `1GiB`, `100`) into bytes. MB means 10^6 bytes, MiB 2^20.
 *
 * @example parseSize('10MB') // 10000000
 */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * (SIZE_BYTES[(match[2] ?? 'b').toLowerCase()] ?? Number.NaN));
}

/**
 * The longest duration a config may hold: Node's timers take at most 2^31-1 ms (about 24.8 days) and fire
 * after 1 ms when given more, so a `timeout: 30d` would time every call out at once.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/** A zod schema for a duration, output in milliseconds. JSON Schema: a string like `30s` or a number. */
export function duration() {
  return z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${String(value)}" is not a duration: write a number with a unit, like 500ms, 30s, 5m, 1h or 1d`,
        });
        return z.NEVER;
      }
      if (ms > MAX_DURATION_MS) {
        ctx.addIssue({ code: 'custom', message: `"${String(value)}" is too long: durations may be at most 24d (2147483647 ms)` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: 'A duration: 500ms, 30s, 5m, 1h, 1d (a bare number is milliseconds)' });
}

/** A zod schema for a size, output in bytes. JSON Schema: a string like `10MB` or a number. */
export function size() {
  return z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${String(value)}" is not a size: write a number with a unit, like 512KB, 10MB, 1GB or 1GiB`,
        });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: 'A size: 512KB, 10MB, 1GB, 1GiB (a bare number is bytes)' });
}
