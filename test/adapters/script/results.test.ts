// What a run's ending becomes: exit codes (ok_exit_codes), deaths by signal, the end of stderr in
// errors, the output cap, JSON stdout parsed into structuredContent (with output_schema), stdin, the
// environment allowlist and declared values, optional parameters and flags, and the per-tool limit.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { text } from '../../helpers/scope.js';
import { call, cleanup, errorCode, FIXTURE, gateway, NODE, q, structured, tempDir } from './script-fixture.js';

const SECRET_NAME = 'MCPEG_SCRIPT_TEST_SECRET';
const SECRET = 'hunter2-not-for-children';
let gw: Gateway;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  process.env[SECRET_NAME] = SECRET;
  process.env.MCPEG_SCRIPT_TEST_SHARED = 'shared value';
  process.env.MCPEG_SCRIPT_TEST_TOKEN = 'declared-token';
  gw = await gateway(`services:
  run:
    driver: script
    cwd: ${q(dir)}
    env_allow: [PATH, MCPEG_SCRIPT_TEST_SHARED]
    env: { FROM_SERVICE: service, API_TOKEN: '\${MCPEG_SCRIPT_TEST_TOKEN}' }
    max_output: 64KB
    commands:
      exit:
        description: Fails with the code given
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, exit, '{code}']
        parameters: { code: { type: integer, minimum: 0, maximum: 255 } }
      grep_like:
        description: Exit 1 means "no match", not failure
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, exit, '{code}']
        parameters: { code: { type: integer } }
        ok_exit_codes: [0, 1]
      killed:
        description: Dies by SIGKILL
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, signal]
      flood:
        description: Writes bytes to stdout and stderr
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, flood, '{bytes}', '{char}']
        parameters: { bytes: { type: integer }, char: { type: string } }
      flood_json:
        description: Too much to parse
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, flood, '{bytes}']
        parameters: { bytes: { type: integer } }
        output: json
      json:
        description: Prints its argument, parsed as JSON
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, print, '{text}']
        parameters: { text: { type: string } }
        output: json
      typed_json:
        description: JSON checked against a schema
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, print, '{text}']
        parameters: { text: { type: string } }
        output: json
        output_schema:
          type: object
          properties: { count: { type: integer } }
          required: [count]
      env:
        description: Prints its environment
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, env]
        env: { FROM_TOOL: tool }
        output: json
      env_narrow:
        description: Inherits nothing but what it declares
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, env]
        env_allow: []
        output: json
      stdin:
        description: Hashes its stdin
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, stdin]
        parameters: { data: { type: string } }
        required: []
        stdin: data
        output: json
      stdin_json:
        description: Gets an object on stdin
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, stdin]
        parameters: { payload: { type: object } }
        stdin: payload
        output: json
      options:
        description: Optional parameters, groups and flags
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, argv, ['--limit', '{limit}'], { when: verbose, args: [-v] }, '--name={name}', '{{literal}}', --, '{files...}']
        parameters:
          limit: { type: integer, minimum: 0 }
          verbose: { type: boolean }
          name: { type: string }
          files: { type: array, items: { type: string } }
        required: []
        output: json
      dashes_allowed:
        description: A number that may be negative
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, argv, --offset, '{offset}']
        parameters: { offset: { type: integer, allow_leading_dash: true } }
        output: json
      hold:
        description: One at a time, two may wait
        command: ${q(NODE)}
        args: [${q(FIXTURE)}, hold, ${q(dir)}, '{ms}']
        parameters: { ms: { type: integer } }
        max_concurrent: 1
        max_queue: 1
      by_name:
        description: Found on PATH
        command: node
        args: [${q(FIXTURE)}, print, found]
        read_only: true
        open_world: false
      relative:
        description: A path relative to cwd
        command: ./fixture.mjs
        cwd: ${q(join(FIXTURE, '..'))}
        args: [print, relative]
`);
});
afterAll(async () => {
  delete process.env[SECRET_NAME];
  delete process.env.MCPEG_SCRIPT_TEST_SHARED;
  delete process.env.MCPEG_SCRIPT_TEST_TOKEN;
  await cleanup();
});

describe('script results: exit codes and stderr', () => {
  it('exit 0 is success: stdout as text, the facts as structuredContent', async () => {
    const result = await call(gw, 'run__exit', { code: 0 });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('partial output\n');
    expect(structured(result)).toMatchObject({ exit_code: 0, stdout: 'partial output\n', truncated: false, stdout_bytes: 15 });
    expect(structured<{ stderr: string }>(result).stderr).toContain('problem line 30');
  });

  it('a non-zero exit is an isError result naming the tool, the code and the end of stderr', async () => {
    const result = await call(gw, 'run__exit', { code: 3 });
    expect(result.isError).toBe(true);
    expect(errorCode(result)).toBeUndefined();
    const message = text(result);
    expect(message).toMatch(/^\[run\] tool exit: node exited with code 3 — the end of its stderr:\n/);
    expect(message).toContain('problem line 30');
    expect(message).toContain('problem line 11');
    expect(message).not.toContain('problem line 10\n');
    expect(structured(result)).toMatchObject({ exit_code: 3, stdout: 'partial output\n' });
  });

  it('ok_exit_codes makes other codes success', async () => {
    expect((await call(gw, 'run__grep_like', { code: 1 })).isError).toBeFalsy();
    const two = await call(gw, 'run__grep_like', { code: 2 });
    expect(two.isError).toBe(true);
    expect(text(two)).toContain('exited with code 2 (ok_exit_codes: 0, 1)');
  });

  it('death by a signal is an error that says which', async () => {
    const result = await call(gw, 'run__killed', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('[run] tool killed: node was killed by SIGKILL (it wrote nothing to stderr)');
  });
});

describe('script results: the output cap', () => {
  it('keeps max_output bytes of stdout and of stderr, flags truncated, and drains the rest', async () => {
    const result = await call(gw, 'run__flood', { bytes: 1_000_000, char: 'é' });
    expect(result.isError).toBeFalsy();
    const facts = structured<{ stdout: string; stderr: string; truncated: boolean; stdout_bytes: number; stderr_bytes: number }>(result);
    expect(facts.truncated).toBe(true);
    expect(facts.stdout_bytes).toBe(1_000_000);
    expect(facts.stderr_bytes).toBe(1_000_000);
    expect(Buffer.byteLength(facts.stdout)).toBeLessThanOrEqual(64_000);
    expect(Buffer.byteLength(facts.stdout)).toBeGreaterThan(63_990);
    // Cut on a character boundary: no replacement character at the end.
    expect(facts.stdout).toMatch(/^é+$/);
    expect(text(result)).toContain('[stdout truncated: the first 64000 of 1000000 bytes are shown (max_output)]');
  });

  it('output under the cap is whole', async () => {
    const facts = structured<{ stdout: string; truncated: boolean }>(await call(gw, 'run__flood', { bytes: 1000, char: 'a' }));
    expect(facts).toMatchObject({ stdout: 'a'.repeat(1000), truncated: false });
  });

  it('JSON output over the cap is an error that says to raise max_output', async () => {
    const result = await call(gw, 'run__flood_json', { bytes: 100_000 });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('stdout was 100000 bytes, more than max_output (64000), so it cannot be parsed as JSON');
  });
});

describe('script results: JSON output', () => {
  it('parses stdout into structuredContent; a non-object is wrapped as { result }', async () => {
    expect(structured(await call(gw, 'run__json', { text: '{"a":1,"b":[true,null]}' }))).toEqual({ a: 1, b: [true, null] });
    expect(structured(await call(gw, 'run__json', { text: '[1,2]' }))).toEqual({ result: [1, 2] });
    expect(structured(await call(gw, 'run__json', { text: '"x"' }))).toEqual({ result: 'x' });
  });

  it('stdout that is not JSON is an error quoting its start', async () => {
    const result = await call(gw, 'run__json', { text: 'Traceback: oops' });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("[run] tool json: the program's stdout is not valid JSON");
    expect(text(result)).toContain('"Traceback: oops"');
  });

  it('checks the parsed value against output_schema and publishes the schema', async () => {
    expect(structured(await call(gw, 'run__typed_json', { text: '{"count":3}' }))).toEqual({ count: 3 });
    const bad = await call(gw, 'run__typed_json', { text: '{"count":"three"}' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain("does not match the tool's output_schema");
    const listed = gw.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'run__typed_json');
    expect(listed?.outputSchema).toMatchObject({ required: ['count'] });
  });
});

describe('script environment, working directory and stdin', () => {
  it('passes allowlisted and declared variables only: a secret of the gateway never reaches the child', async () => {
    const { env, cwd } = structured<{ env: Record<string, string>; cwd: string }>(await call(gw, 'run__env', {}));
    expect(env[SECRET_NAME]).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain(SECRET);
    expect(env.MCPEG_SCRIPT_TEST_SHARED).toBe('shared value');
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.HOME).toBeUndefined();
    expect(env).toMatchObject({ FROM_SERVICE: 'service', FROM_TOOL: 'tool', API_TOKEN: 'declared-token' });
    expect(cwd).toBe(dir);
  });

  it('a tool can narrow the allowlist to nothing', async () => {
    const { env } = structured<{ env: Record<string, string> }>(await call(gw, 'run__env_narrow', {}));
    expect(env.PATH).toBeUndefined();
    expect(env.MCPEG_SCRIPT_TEST_SHARED).toBeUndefined();
    expect(env).toMatchObject({ FROM_SERVICE: 'service', API_TOKEN: 'declared-token' });
  });

  it('writes a 1 MB parameter to stdin unmodified (too big for argv), and an absent one as empty input', async () => {
    const data = `${'line with $(touch x) and `backticks`\n'.repeat(20_000)}\u0000 and a NUL`.slice(0, 1_000_000);
    const result = structured<{ bytes: number; sha256: string }>(await call(gw, 'run__stdin', { data }));
    expect(result.bytes).toBe(Buffer.byteLength(data));
    expect(result.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(structured(await call(gw, 'run__stdin', {}))).toMatchObject({ bytes: 0 });
  });

  it('writes a non-string stdin parameter as JSON', async () => {
    const payload = { a: [1, 2], b: 'x' };
    const result = structured<{ sha256: string }>(await call(gw, 'run__stdin_json', { payload }));
    expect(result.sha256).toBe(createHash('sha256').update(JSON.stringify(payload)).digest('hex'));
  });

  it('finds a bare command name on PATH, and a relative path against cwd', async () => {
    expect(text(await call(gw, 'run__by_name', {}))).toBe('found');
    expect(text(await call(gw, 'run__relative', {}))).toBe('relative');
  });
});

describe('script argv templates in use', () => {
  const argvOf = async (args: Record<string, unknown>) => structured<{ result: string[] }>(await call(gw, 'run__options', args)).result;

  it('drops absent optional parameters with their group, adds flags when true', async () => {
    expect(await argvOf({})).toEqual(['{literal}', '--']);
    expect(await argvOf({ limit: 5, verbose: true, name: 'n', files: ['a', '-b'] })).toEqual(['--limit', '5', '-v', '--name=n', '{literal}', '--', 'a', '-b']);
    expect(await argvOf({ verbose: false, files: [] })).toEqual(['{literal}', '--']);
  });

  it('allow_leading_dash lets a parameter start with "-" (and is not published in the input schema)', async () => {
    expect(structured<{ result: string[] }>(await call(gw, 'run__dashes_allowed', { offset: -3 })).result).toEqual(['--offset', '-3']);
    const listed = gw.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'run__dashes_allowed');
    expect(JSON.stringify(listed?.inputSchema)).not.toContain('allow_leading_dash');
  });

  it('arguments too large in total for the operating system are refused clearly (E2BIG)', async () => {
    const result = await call(gw, 'run__options', { files: Array.from({ length: 40 }, () => 'f'.repeat(100_000)) });
    expect(errorCode(result)).toBe('INVALID_ARGUMENTS');
    expect(text(result)).toContain('too large for the operating system');
  });
});

describe('script tool listing', () => {
  it('annotates honestly: a tool is a destructive write unless its config says otherwise', () => {
    const tools = gw.dispatcher.listTools(undefined).tools;
    const annotations = (name: string) => tools.find((tool) => tool.name === name)?.annotations;
    expect(annotations('run__exit')).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true });
    expect(tools.find((tool) => tool.name === 'run__exit')?.inputSchema).toEqual({
      type: 'object',
      properties: { code: { type: 'integer', minimum: 0, maximum: 255 } },
      required: ['code'],
      additionalProperties: false,
    });
    expect(annotations('run__by_name')).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(tools.find((tool) => tool.name === 'run__options')?.inputSchema.required).toEqual([]);
  });
});

describe('script concurrency limit', () => {
  it('runs one at a time, queues up to max_queue, and refuses the rest at once with BULKHEAD_FULL', async () => {
    const running = [call(gw, 'run__hold', { ms: 3000 }), call(gw, 'run__hold', { ms: 100 })];
    // Wait until the first run holds the slot, so the order below is deterministic.
    await expect.poll(() => readdirSync(dir).length, { timeout: 10_000 }).toBe(1);
    const refused = await call(gw, 'run__hold', { ms: 100 });
    expect(refused.isError).toBe(true);
    expect(errorCode(refused)).toBe('BULKHEAD_FULL');
    expect(text(refused)).toContain('[run] tool hold is busy: 1 run(s) going and 1 waiting (max_concurrent 1, max_queue 1)');
    const results = await Promise.all(running);
    expect(results.map((result) => result.isError ?? false)).toEqual([false, false]);
    expect(readdirSync(dir)).toHaveLength(2);
  });
});
