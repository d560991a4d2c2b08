// Every ```yaml block of docs/services/script.md is a real config, validated with loadConfig (the script
// type is built in). The HTML comment on the line above a block says what it is:
//   (none)                    it must validate;
//   <!-- invalid: TEXT -->    it shows a mistake: it must be rejected, with TEXT in a problem.
// Any other marker fails, so no block is ever skipped silently. Secret files the examples read from
// /run/secrets/ are created in a temporary folder, and the paths pointed there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { describeIssues, loadText } from '../../config/load.js';
import { yamlBlocks } from '../../config/markdown-yaml.js';
import { text } from '../../helpers/scope.js';
import { call, cleanup, gateway, structured, tempDir } from './script-fixture.js';

const DOC = fileURLToPath(new URL('../../../docs/services/script.md', import.meta.url));
const blocks = yamlBlocks(readFileSync(DOC, 'utf8'));
const secrets = mkdtempSync(join(tmpdir(), 'mcpeg-script-docs-'));
/** Variables the examples reference, set as an operator would. */
const ENV = { BACKUP_KEY_ID: 'AKIAEXAMPLE', BACKUP_SECRET_KEY: 'example-secret-key' };

/** Points /run/secrets/NAME at a file that exists, as a deployment would mount it. */
function withSecrets(text: string): string {
  return text.replace(/\/run\/secrets\/([\w.-]+)/g, (_, name: string) => {
    writeFileSync(join(secrets, name), `secret-for-${name}\n`);
    return join(secrets, name);
  });
}

afterAll(async () => {
  rmSync(secrets, { recursive: true, force: true });
  await cleanup();
});

/** The valid example that declares `service`. */
const example = (service: string) => {
  const found = blocks.find((block) => block.marker === undefined && block.text.includes(`\n  ${service}:\n`));
  if (!found) throw new Error(`no example declares the service ${service}`);
  return found.text;
};

describe('docs/services/script.md', () => {
  test('has YAML examples to check (the extraction found them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  test.each(blocks.map((block) => [`line ${block.line} (${block.heading})`, block] as const))('example at %s', async (_, block) => {
    const marker = block.marker ?? '';
    const where = `docs/services/script.md:${block.line}`;
    const result = await loadText(withSecrets(block.text), { env: ENV });
    if (marker === '') {
      if (!result.ok) expect.fail(`${where} must validate:\n${describeIssues(result.issues)}`);
      expect(result.config.services.every((service) => service.type === 'script'), where).toBe(true);
    } else if (marker.startsWith('invalid:')) {
      if (result.ok) expect.fail(`${where} is marked invalid but validates`);
      expect(result.issues.map((issue) => issue.message).join('\n'), where).toContain(marker.slice('invalid:'.length).trim());
    } else {
      expect.fail(`${where}: unknown marker "<!-- ${marker} -->"; use invalid: or none`);
    }
  });
});

describe('docs/services/script.md examples that use standard programs run as documented', () => {
  test('ops: du and uptime; an option-like path is refused', async () => {
    const gw = await gateway(example('ops'));
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x'.repeat(10_000));
    const usage = await call(gw, 'ops__disk_usage', { path: dir });
    expect(text(usage)).toMatch(new RegExp(`^\\S+\\t${dir}\\n$`));
    expect(structured(usage)).toMatchObject({ exit_code: 0, truncated: false });
    // After the literal --, an option-like value is a file name to du, not an option.
    const optionLike = await call(gw, 'ops__disk_usage', { path: '--files0-from=/etc/passwd' });
    expect(optionLike.isError).toBe(true);
    expect(text(optionLike)).toContain("du: cannot access '--files0-from=/etc/passwd'");
    expect(text(await call(gw, 'ops__uptime', {}))).toMatch(/load average/);
    const missing = await call(gw, 'ops__disk_usage', { path: join(dir, 'nope') });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/^\[ops\] tool disk_usage: du exited with code 1 — the end of its stderr:\ndu: cannot access/);
  });

  test('repo: git log with optional groups, a flag, an embedded value and paths after --, in a real repository', async () => {
    const checkout = tempDir();
    const git = (args: string[], author = 'Ada') =>
      execFileSync('git', args, {
        cwd: checkout,
        env: { ...process.env, GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: `${author}@example.com`, GIT_COMMITTER_NAME: author, GIT_COMMITTER_EMAIL: `${author}@example.com` },
      });
    git(['init', '--quiet']);
    mkdirSync(join(checkout, 'src'));
    writeFileSync(join(checkout, 'src', 'a.txt'), 'a');
    git(['add', '.']);
    git(['commit', '--quiet', '-m', 'add src']);
    writeFileSync(join(checkout, '-p'), 'a file named like an option');
    git(['add', '--', '-p']);
    git(['commit', '--quiet', '-m', 'add -p'], 'Grace');
    const gw = await gateway(example('repo').replace('/srv/checkout', checkout));
    const log = async (args: Record<string, unknown>) => {
      const result = await call(gw, 'repo__log', args);
      expect(result.isError, text(result)).toBeFalsy();
      return text(result).trim().split('\n').filter(Boolean).map((line) => line.replace(/^\S+ /, '').replace(/ \w{3} \w{3} .* (add .*)$/, ' $1'));
    };
    expect(await log({})).toEqual(['Grace add -p', 'Ada add src']);
    expect(await log({ limit: 1 })).toEqual(['Grace add -p']);
    expect(await log({ paths: ['src'] })).toEqual(['Ada add src']);
    expect(await log({ paths: ['-p'] })).toEqual(['Grace add -p']);
    expect(await log({ author: 'Grace' })).toEqual(['Grace add -p']);
    expect(await log({ merges_only: true })).toEqual([]);
    const marker = join(checkout, 'pwned');
    expect(await log({ author: `--upload-pack=touch ${marker}` })).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  test('calc: a negative number inside one element reaches date whole', async () => {
    const gw = await gateway(example('calc'));
    expect(text(await call(gw, 'calc__shift_date', { days: -3 }))).toMatch(/^\d{4}-\d{2}-\d{2}\n$/);
  });

  test('text: wc reads its input from stdin', async () => {
    const gw = await gateway(example('text'));
    expect(text(await call(gw, 'text__word_count', { text: 'one two\nthree\n' })).trim().split(/\s+/)).toEqual(['2', '3', '14']);
  });

  test('safe: the shell reads the value as "$1", never as code', async () => {
    const gw = await gateway(example('safe'));
    const dir = tempDir();
    writeFileSync(join(dir, 'a; touch pwned'), '');
    const listed = await call(gw, 'safe__list', { dir });
    expect(listed.isError, text(listed)).toBeFalsy();
    expect(text(listed)).toContain('a; touch pwned');
    const hostile = await call(gw, 'safe__list', { dir: `$(touch ${join(dir, 'pwned')})` });
    // The pipeline's status is head's (0); ls's complaint is on stderr.
    expect(structured<{ stdout: string; stderr: string }>(hostile)).toMatchObject({ stdout: '', stderr: expect.stringContaining('No such file or directory') });
    expect(readFileSync(join(dir, 'a; touch pwned'), 'utf8')).toBe('');
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
  });

  test('script: the simplest form', async () => {
    const gw = await gateway(example('script'));
    expect(text(await call(gw, 'script__hostname', {}))).toBe(`${hostname()}\n`);
  });
});
