// The script service's config: every mistake is reported with its path and what to write instead;
// at start every program and working directory is resolved once, and a missing one fails the service
// with a message naming the tool.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeIssues, loadText } from '../../config/load.js';
import { text } from '../../helpers/scope.js';
import { call, cleanup, errorCode, gateway, NODE, q, tempDir } from './script-fixture.js';

afterAll(cleanup);

const issuesOf = async (commands: string, service = '') => {
  const result = await loadText(`services:\n  ops:\n    driver: script\n${service}    commands:\n${commands}`);
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
};
const tool = (body: string) => `      t:\n        description: A tool\n        command: /bin/echo\n${body}`;

describe('script config validation', () => {
  it('accepts a minimal tool and fills the defaults', async () => {
    const result = await loadText(`services:\n  ops:\n    driver: script\n    commands:\n      up:\n        description: Uptime\n        command: uptime\n`);
    if (!result.ok) expect.fail(describeIssues(result.issues));
    const config = result.config.services[0]!.config as Record<string, unknown>;
    expect(config).toMatchObject({ env_allow: ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'], env: {}, max_output: 1_000_000, kill_grace: 2000 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('needs at least one tool', async () => {
    expect(await issuesOf('      {}\n')).toEqual([expect.stringContaining('declare at least one tool under commands:')]);
  });

  it('reports unknown keys and wrong types with their path', async () => {
    const issues = await issuesOf(tool('        shell: true\n        timeout: soon\n'));
    expect(issues.join('\n')).toContain('services.ops.commands.t');
    expect(issues.join('\n')).toMatch(/shell/);
    expect(issues).toContainEqual(expect.stringMatching(/^services\.ops\.commands\.t\.timeout: "soon" is not a duration/));
  });

  it('reports a malformed placeholder at its args: entry', async () => {
    expect(await issuesOf(tool("        args: [ok, 'find {} ;']\n"))).toEqual([
      expect.stringMatching(/^services\.ops\.commands\.t\.args\[1\]: .*write \{\{ and \}\} for literal braces/),
    ]);
  });

  it('every placeholder needs a parameter, and every parameter a place', async () => {
    const issues = await issuesOf(tool("        args: ['{path}']\n        parameters: { depth: { type: integer } }\n"));
    expect(issues).toContainEqual(expect.stringContaining('{path} names no parameter: declare it under parameters: (declared: depth)'));
    expect(issues).toContainEqual(expect.stringMatching(/^services\.ops\.commands\.t\.parameters\.depth: is declared but used nowhere/));
  });

  it('a placed parameter needs a scalar type; an array needs {name...}', async () => {
    const issues = await issuesOf(
      tool("        args: ['{a}', '{b}', '{c...}']\n        parameters: { a: { type: object }, b: { type: array, items: { type: string } }, c: { type: string } }\n"),
    );
    expect(issues).toContainEqual(expect.stringMatching(/parameters\.a: needs type: string, number, integer or boolean .*type: "object"/));
    expect(issues).toContainEqual(expect.stringMatching(/parameters\.b: is an array: place it as a whole element written \{b\.\.\.\}/));
    expect(issues).toContainEqual(expect.stringMatching(/parameters\.c: \{c\.\.\.\} expands an array/));
  });

  it('accepts nullable scalar and array types (null means absent)', async () => {
    expect(
      await issuesOf(tool("        args: ['{a}', '{b...}']\n        parameters: { a: { type: [string, 'null'] }, b: { type: [array, 'null'], items: { type: [integer, 'null'] } } }\n")),
    ).toEqual([]);
  });

  it('checks required:, stdin:, output_schema:, progress: and max_queue:', async () => {
    const issues = await issuesOf(
      tool(
        "        args: ['{a}']\n        parameters: { a: { type: string, allow_leading_dash: yes } }\n        required: [b]\n        stdin: c\n" +
          "        output_schema: { type: object }\n        progress: { pattern: '\\d+%' }\n        max_queue: 3\n",
      ),
    );
    const all = issues.join('\n');
    expect(all).toContain('commands.t.required[0]: names no parameter');
    expect(all).toContain('commands.t.stdin: names no parameter: declare c under parameters:');
    expect(all).toContain('commands.t.output_schema: applies to output: json only');
    expect(all).toContain('commands.t.progress.pattern: is not usable: it needs a capture group');
    expect(all).toContain('commands.t.max_queue: applies with max_concurrent only');
    expect(all).toContain('commands.t.parameters.a.allow_leading_dash: must be true or false');
  });

  it('rejects a parameter schema that is not valid JSON Schema, and a non-object output_schema', async () => {
    const issues = await issuesOf(
      tool("        args: ['{a}']\n        parameters: { a: { type: strin } }\n        output: json\n        output_schema: { type: array }\n"),
    );
    expect(issues.join('\n')).toContain('commands.t.parameters: is not a valid JSON Schema');
    expect(issues.join('\n')).toContain('commands.t.output_schema: must describe an object');
  });

  it('rejects NUL bytes and bad names in env: and env_allow:', async () => {
    const issues = await issuesOf(tool(''), '    env: { "BAD-NAME": x, OK: "a\\0b" }\n    env_allow: ["PA TH"]\n');
    expect(issues.join('\n')).toContain('env.BAD-NAME');
    expect(issues.join('\n')).toContain('an environment value cannot contain a NUL byte');
    expect(issues.join('\n')).toContain('env_allow[0]');
  });

  it('refuses a placeholder inside the code an interpreter runs (sh -c, python -c, node -e)', async () => {
    for (const [command, args] of [
      ['/bin/sh', "[-c, 'ls {dir}']"],
      ['bash', "[-lc, 'echo {dir}']"],
      ['python3', "[-c, 'print(\"{dir}\")']"],
      ['/usr/bin/node', "[-e, '{dir}']"],
    ] as const) {
      const result = await loadText(
        `services:\n  ops:\n    driver: script\n    commands:\n      t:\n        description: x\n        command: ${command}\n        args: ${args}\n        parameters: { dir: { type: string } }\n`,
      );
      expect(result.ok, command).toBe(false);
      if (!result.ok) expect(result.issues.map((issue) => issue.message).join('\n')).toContain('a placeholder in it would let a value become code');
    }
    // The safe form: the script is fixed text, the value its own argument.
    const safe = await loadText(
      `services:\n  ops:\n    driver: script\n    commands:\n      t:\n        description: x\n        command: /bin/sh\n        args: [-c, 'ls -- "$1"', sh, '{dir}']\n        parameters: { dir: { type: string } }\n`,
    );
    if (!safe.ok) expect.fail(describeIssues(safe.issues));
  });

  it('loads as a service-level key, under config:, and by type: script', async () => {
    for (const yaml of [
      'services:\n  ops:\n    type: script\n    config:\n      commands: { up: { description: Uptime, command: uptime } }\n',
      'services:\n  script:\n    enabled: true\n    commands: { up: { description: Uptime, command: uptime } }\n',
    ]) {
      const result = await loadText(yaml);
      if (!result.ok) expect.fail(describeIssues(result.issues));
    }
  });
});

describe('script service start', () => {
  it('fails the service with a message naming each tool whose program or cwd cannot be used', async () => {
    const dir = tempDir();
    const notExecutable = join(dir, 'plain.sh');
    writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
    chmodSync(notExecutable, 0o644);
    const gw = await gateway(`services:
  broken:
    driver: script
    commands:
      missing:
        description: not installed
        command: mcpeg-no-such-program-anywhere
      plain:
        description: not executable
        command: ${q(notExecutable)}
      nowhere:
        description: no such working directory
        command: ${q(NODE)}
        cwd: ${q(join(dir, 'gone'))}
`);
    const result = await call(gw, 'broken__plain', {});
    expect(result.isError).toBe(true);
    expect(errorCode(result)).toBe('SERVICE_START_FAILED');
    const message = text(result);
    expect(message).toMatch(/^\[broken\] failed to start, its tools cannot run: /);
    expect(message).toContain('tool missing: command "mcpeg-no-such-program-anywhere" was not found on PATH');
    expect(message).toContain(`tool plain: command "${notExecutable}" (${notExecutable}) is not executable`);
    expect(message).toContain(`tool nowhere: cwd "${join(dir, 'gone')}"`);
    expect(message).toContain('does not exist');
  });

  it('a bare name with no PATH to search says so', async () => {
    const gw = await gateway(`services:
  bare:
    driver: script
    env_allow: []
    commands:
      t: { description: needs PATH, command: node }
`);
    const previous = process.env.PATH;
    let result;
    try {
      // Neither the child (env_allow: []) nor the gateway has a PATH while the service starts.
      process.env.PATH = '';
      result = await call(gw, 'bare__t', {});
    } finally {
      process.env.PATH = previous;
    }
    expect(errorCode(result)).toBe('SERVICE_START_FAILED');
    expect(text(result)).toContain('command "node" is a bare name, but there is no PATH to look it up in — give an absolute path in command:, or allow PATH in env_allow:');
  });

  it('health reports a program removed after start', async () => {
    const dir = tempDir();
    const program = join(dir, 'run.mjs');
    writeFileSync(program, `#!${NODE}\nprocess.stdout.write('ran')\n`);
    chmodSync(program, 0o755);
    const gw = await gateway(`services:
  vanishing:
    driver: script
    commands:
      run: { description: runs, command: ${q(program)} }
`);
    expect(text(await call(gw, 'vanishing__run', {}))).toBe('ran');
    expect(await gw.host('vanishing')!.health()).toMatchObject({ healthy: true });
    chmodSync(program, 0o644);
    expect(await gw.host('vanishing')!.health()).toMatchObject({ healthy: false });
    const result = await call(gw, 'vanishing__run', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`could not start ${program}`);
  });
});
