// ADR-010's three YAML examples, read from the seed itself. No built-in service type exists yet, so today each
// seed service fails with exactly its unknown-type error and nothing else; as mysql, hashicorp-vault and rest
// land, the same tests require those services to validate.
import { describe, expect, test } from 'vitest';
import { serviceNamed, loadText, loadValid, lineOf } from './load.js';
import { seedTypeDoubles } from './seed-doubles.js';
import { blockUnder, SEED_ENV, seedYaml } from './seeds.js';
import { expectOnlyUnknownTypes } from './unknown-types.js';

const blocks = seedYaml('000_');

describe.skipIf(!blocks)('ADR-010 seed examples', () => {
  const hierarchy = blockUnder(blocks, 'Configuration Hierarchy');
  const simple = blockUnder(blocks, 'Simple Configuration');
  const advanced = blockUnder(blocks, 'Advanced Configuration');

  test('the seed has exactly the three YAML examples these tests read', () => {
    expect(blocks).toHaveLength(3);
  });

  test('simple example: the only issue is that no type is named "mysql" (the key names the adapter)', async () => {
    const result = await loadText(simple, { env: SEED_ENV });
    const issues = expectOnlyUnknownTypes(result, [{ service: 'services.mysql', type: 'mysql', at: 'services.mysql' }]);
    if (issues.length > 0) {
      expect(result.ok ? [] : result.issues).toHaveLength(1);
      expect(issues[0]!.line).toBe(lineOf(simple, 'mysql:'));
    }
  });

  test('advanced example: only the unknown types of mysql, vault and the disabled weather service', async () => {
    const result = await loadText(advanced, { env: SEED_ENV });
    // The Go-style DSN, pool:, circuit_breaker.timeout 60s and config.timeout 30s raise nothing.
    const issues = expectOnlyUnknownTypes(result, [
      { service: 'services.mysql', type: 'mysql', at: 'services.mysql.driver' },
      { service: 'services.vault', type: 'hashicorp-vault', at: 'services.vault.driver' },
      // type: rest is a category; `enabled: false` does not exempt weather from validation.
      { service: 'services.weather', type: 'rest', at: 'services.weather.type' },
    ]);
    const weather = issues.find((issue) => issue.path === 'services.weather.type');
    if (weather) expect(weather.line).toBe(lineOf(advanced, 'type: rest'));
  });

  test('hierarchy example: weather names no type, and the error says to add driver:', async () => {
    const result = await loadText(hierarchy, { env: SEED_ENV });
    const issues = expectOnlyUnknownTypes(result, [
      { service: 'services.mysql', type: 'mysql', at: 'services.mysql' },
      { service: 'services.weather', type: 'weather', at: 'services.weather' },
    ]);
    const weather = issues.find((issue) => issue.path === 'services.weather');
    expect(weather?.message).toContain('driver:');
    expect(weather?.line).toBe(lineOf(hierarchy, 'weather:'));
  });

  describe('with test doubles registered under the seed type names', () => {
    test('simple example validates; dsn is a key of the type config', async () => {
      const config = await loadValid(simple, { env: SEED_ENV, types: seedTypeDoubles({ mysql: 'database' }) });
      const mysql = serviceNamed(config, 'mysql');
      expect(mysql).toMatchObject({ type: 'mysql', enabled: true });
    });

    test('hierarchy example: global timeout and memory_limit parse; mysql overrides the timeout', async () => {
      const types = seedTypeDoubles({ mysql: 'database', weather: 'rest' });
      const config = await loadValid(hierarchy, { env: SEED_ENV, types });
      expect(config.global.timeout).toBe(30_000);
      expect(config.global.memory_limit).toBe(512_000_000);
      expect(serviceNamed(config, 'mysql').timeoutMs).toBe(60_000);
      expect(serviceNamed(config, 'weather').timeoutMs).toBe(30_000);
      expect(config.secrets).toContain(SEED_ENV.WEATHER_API_KEY);
    });

    test('advanced example validates: categories, drivers, breaker, disabled weather', async () => {
      const types = seedTypeDoubles({ mysql: 'database', 'hashicorp-vault': 'secrets', rest: 'rest' });
      const config = await loadValid(advanced, { env: SEED_ENV, types });
      expect(config.services.map((service) => [service.name, service.type, service.enabled])).toEqual([
        ['mysql', 'mysql', true],
        ['vault', 'hashicorp-vault', true],
        ['weather', 'rest', false],
      ]);
      expect(serviceNamed(config, 'mysql').breaker).toEqual({ threshold: 5, timeoutMs: 60_000 });
      expect(config.secrets).toEqual(expect.arrayContaining([SEED_ENV.MYSQL_DSN, SEED_ENV.VAULT_TOKEN]));
    });
  });
});
