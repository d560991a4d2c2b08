import { createHash } from 'node:crypto';
import type { PrefixMode } from '../config/model.js';

const VALID = /^[A-Za-z0-9_-]+$/;

/** One name a service declares, before the catalog gives it its public form. */
export interface NameCandidate {
  readonly service: string;
  readonly prefix: PrefixMode;
  /** The name after overrides (rename). */
  readonly name: string;
}

/**
 * Public names for catalog entries: `<service><sep><name>` per prefix mode, restricted to
 * `[A-Za-z0-9_-]` (other characters become `_`), shortened deterministically to `maxLength` with a
 * hash suffix of the full name, so two long names never shorten to the same result.
 *
 * @example publicNames([{ service: 'db', prefix: 'always', name: 'query' }], { separator: '__', maxLength: 64 }) // ['db__query']
 */
export function publicNames(candidates: readonly NameCandidate[], options: { separator: string; maxLength: number }): string[] {
  const owners = new Map<string, Set<string>>();
  for (const candidate of candidates) {
    const set = owners.get(candidate.name) ?? new Set<string>();
    set.add(candidate.service);
    owners.set(candidate.name, set);
  }
  return candidates.map((candidate) => {
    const collides = (owners.get(candidate.name)?.size ?? 0) > 1;
    const prefixed =
      candidate.prefix === 'always' || (candidate.prefix === 'on_collision' && collides)
        ? `${candidate.service}${options.separator}${candidate.name}`
        : candidate.name;
    return shorten(sanitize(prefixed), options.maxLength);
  });
}

export function sanitize(name: string): string {
  return VALID.test(name) ? name : name.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

export function shorten(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, maxLength - 9)}_${digest}`;
}
