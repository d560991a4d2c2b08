// The seed tests must never pass by being skipped in CI: a seed that is not checked out is an error there.
import { afterEach, expect, test, vi } from 'vitest';
import { SEEDS_DIR, seedYaml } from './seeds.js';

afterEach(() => vi.unstubAllEnvs());

test('under CI=true a missing seed fails loudly, naming where it was looked for', () => {
  vi.stubEnv('CI', 'true');
  expect(() => seedYaml('999_')).toThrow(`seed 999_*.txt not found in ${SEEDS_DIR}: CI must check out shared/ beside the repository`);
});

test('outside CI a missing seed is skipped with a warning', () => {
  vi.stubEnv('CI', '');
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  expect(seedYaml('999_')).toBeUndefined();
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('its tests are skipped (they fail under CI=true)'));
  warn.mockRestore();
});
