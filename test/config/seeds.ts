// The seed ADRs live beside the repository: /work/shared/seeds here, and `shared/` next to the checkout in CI.
// Their YAML examples are real inputs: they must load unchanged (with their ${VARS} set).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type YamlBlock, yamlBlocks } from './markdown-yaml.js';

export const SEEDS_DIR = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));

/** The variables the seed examples reference, set as an operator would. */
export const SEED_ENV: Readonly<Record<string, string>> = {
  WEATHER_API_KEY: 'wx-test-key-0123456789',
  MYSQL_DSN: 'app:app-password@tcp(db.internal:3306)/orders?parseTime=true',
  VAULT_TOKEN: 'hvs.test-vault-token',
};

const onCi = () => !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * The YAML blocks of the seed whose file name starts with `prefix` (`000_` is ADR-010, `004_` ADR-020), or
 * undefined when the seeds are not checked out beside the repository. Under CI a missing seed is an error:
 * the seed tests must never pass by being skipped there.
 */
export function seedYaml(prefix: string): YamlBlock[] | undefined {
  const file = existsSync(SEEDS_DIR) ? readdirSync(SEEDS_DIR).find((name) => name.startsWith(prefix)) : undefined;
  if (!file) {
    if (onCi())
      throw new Error(`seed ${prefix}*.txt not found in ${SEEDS_DIR}: CI must check out shared/ beside the repository`);
    console.warn(`seed ${prefix}*.txt not found in ${SEEDS_DIR}: its tests are skipped (they fail under CI=true)`);
    return undefined;
  }
  return yamlBlocks(readFileSync(`${SEEDS_DIR}${file}`, 'utf8'));
}

/** The YAML block under the heading that contains `heading`; exactly one must exist. */
export function blockUnder(blocks: readonly YamlBlock[] | undefined, heading: string): string {
  const found = (blocks ?? []).filter((block) => block.heading.includes(heading));
  if (found.length !== 1)
    throw new Error(`expected one YAML block under a heading "${heading}" in the seed, found ${found.length}`);
  return found[0]!.text;
}
