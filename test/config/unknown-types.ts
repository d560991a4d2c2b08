// "Valid once its types exist": a config that names service types not registered yet must fail with exactly one
// unknown-type issue per such service, and nothing else. Once a type is registered, its services must validate.
import { expect } from 'vitest';
import { BUILT_IN_SERVICE_TYPES } from '../../src/adapters/built-in.js';
import type { LoadResult } from '../../src/bootstrap.js';
import { describeIssues } from './load.js';

export interface ExpectedType {
  /** The service's YAML path, e.g. `services.mysql`. */
  readonly service: string;
  /** The service type it resolves to (its driver:, its type:, or its key). */
  readonly type: string;
  /** Where the unknown-type issue points: the service itself, or its driver: / type: key. */
  readonly at: string;
}

/**
 * Checks `result` against the services whose types may be missing: each whose type is not registered has one
 * issue, at `at`, saying `unknown service type "<type>"` and listing the known types; there is no other issue.
 * Returns the issues checked, for further assertions.
 */
export function expectOnlyUnknownTypes(result: LoadResult, expected: readonly ExpectedType[]) {
  const missing = expected.filter((entry) => result.registry.get(entry.type) === undefined);
  if (missing.length === 0) {
    if (!result.ok)
      expect.fail(`every type is registered, so the config must validate; got:\n${describeIssues(result.issues)}`);
    return [];
  }
  if (result.ok)
    expect.fail(`types ${missing.map((entry) => entry.type).join(', ')} are not registered, yet the config validated`);
  // Built-in types are listed whether or not this config made the gateway import them.
  const known = [...new Set([...result.registry.names(), ...Object.keys(BUILT_IN_SERVICE_TYPES)])].sort().join(', ') || '(none registered)';
  expect(result.issues.map((issue) => issue.path).sort(), describeIssues(result.issues)).toEqual(
    missing.map((entry) => entry.at).sort(),
  );
  return missing.map((entry) => {
    const issue = result.issues.find((candidate) => candidate.path === entry.at)!;
    expect(issue.message).toContain(`unknown service type "${entry.type}"`);
    expect(issue.message).toContain(`Known types: ${known}`);
    expect(issue.line, `${entry.at} has a line`).toBeGreaterThan(0);
    return issue;
  });
}
