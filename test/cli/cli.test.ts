import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { GATEWAY_VERSION } from '../../src/version.js';
import { exited, ROOT, runCli, startServer } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mcpeg-cli-'));
const plugin = (name: string) => join(ROOT, name);
const validConfig = join(dir, 'valid.yaml');
writeFileSync(
  validConfig,
  `plugins:
  notes:
    module: ${plugin('examples/notes-plugin/index.js')}
  flaky:
    module: ${plugin('test/fixtures/plugins/behaviours.js')}
    config: { throw_in: start }
  steady:
    module: ${plugin('test/fixtures/plugins/behaviours.js')}
`,
);
const invalidConfig = join(dir, 'invalid.yaml');
writeFileSync(
  invalidConfig,
  `global:
  timeout: soon
services:
  db:
    driver: nosuchtype
plugins:
  notes:
    module: ${plugin('examples/notes-plugin/index.js')}
    config:
      max_notes: lots
`,
);

describe('mcpeg CLI', () => {
  it('--version prints the version; every verb has --help', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toBe(GATEWAY_VERSION);
    for (const verb of ['serve', 'validate', 'tools', 'call', 'init']) {
      const help = await runCli([verb, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: mcpeg ${verb}`);
    }
  });

  it('validate: exit 0 for a valid file, exit 1 with every problem, path and line', async () => {
    const ok = await runCli(['validate', '--config', validConfig]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('is valid: 3 enabled service(s)');
    const bad = await runCli(['validate', '--config', invalidConfig]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${invalidConfig}:2:12  global.timeout  "soon" is not a duration`);
    expect(bad.stderr).toMatch(/:5:13 {2}services\.db\.driver {2}unknown service type "nosuchtype"\. Known types: .*notes/);
    expect(bad.stderr).toMatch(/:10:18 {2}plugins\.notes\.config\.max_notes/);
    expect(bad.stderr).toContain('3 problems');
  });

  it('validate: a name collision in the catalog is a problem too', async () => {
    const colliding = join(dir, 'colliding.yaml');
    const notes = plugin('examples/notes-plugin/index.js');
    writeFileSync(colliding, `plugins:\n  a: { module: ${notes}, prefix: never }\n  b: { module: ${notes}, prefix: never }\n`);
    const result = await runCli(['validate', '--config', colliding]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('tool name "add_note" is claimed by "a" (tool add_note) and "b" (tool add_note)');
  });

  it('validate: a missing file says what to do', async () => {
    const missing = await runCli(['validate', '--config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read config');
    expect(missing.stderr).toContain('mcpeg init');
  });

  it('tools lists the catalog (text and --json) without starting services', async () => {
    const listed = await runCli(['tools', '--config', validConfig]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/notes__add_note\s+notes\s+Add a note/);
    const json = JSON.parse((await runCli(['tools', '--config', validConfig, '--json'])).stdout);
    expect(json.map((tool: { name: string }) => tool.name)).toContain('steady__ping');
  });

  it('call prints the result; exit 1 when it is an error; config from MCPEG_CONFIG', async () => {
    const ok = await runCli(['call', 'steady__ping'], { env: { MCPEG_CONFIG: validConfig } });
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout.trim()).toBe('pong');
    const failed = await runCli(['call', 'flaky__ping', '--config', validConfig]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('[flaky] failed to start: start exploded on purpose');
    const badArgs = await runCli(['call', 'notes__add_note', '--args', '{"text":', '--config', validConfig]);
    expect(badArgs.code).toBe(1);
    expect(badArgs.stderr).toContain('--args is not valid JSON');
    const wrongType = await runCli(['call', 'notes__add_note', '--args', '{"text": 3}', '--config', validConfig]);
    expect(wrongType.code).toBe(1);
    expect(wrongType.stdout).toContain('arguments/text must be string');
  });

  it('init writes a starter config that validates, and never overwrites without --force', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mcpeg-init-'));
    expect((await runCli(['init'], { cwd: work })).code).toBe(0);
    expect(existsSync(join(work, 'mcpeg.yaml'))).toBe(true);
    expect(readFileSync(join(work, 'mcpeg.yaml'), 'utf8')).toContain('yaml-language-server');
    expect((await runCli(['validate'], { cwd: work })).code).toBe(0);
    const again = await runCli(['init'], { cwd: work });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
    expect((await runCli(['init', '--force'], { cwd: work })).code).toBe(0);
  });

  it('serve refuses a non-loopback address without --allow-remote', async () => {
    const result = await runCli(['serve', '--http', '0.0.0.0:0', '--config', validConfig]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0');
  });
});

describe('mcpeg serve', () => {
  it('prints where it listens and a client snippet, isolates a failing plugin, and drains on SIGTERM', async () => {
    const { child, url, stderr } = await startServer(['--config', validConfig]);
    expect(stderr()).toContain('3 services, 8 tools');
    expect(stderr()).toContain('"mcpServers"');
    const client = new Client({ name: 'cli-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(url));
    const failed = await client.callTool({ name: 'flaky__ping', arguments: {} });
    expect(failed.isError).toBe(true);
    expect(JSON.stringify(failed.content)).toContain('[flaky]');
    expect((await client.callTool({ name: 'steady__ping', arguments: {} })).content).toEqual([{ type: 'text', text: 'pong' }]);
    const inFlight = client.callTool({ name: 'steady__sleep', arguments: { ms: 400 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    expect((await inFlight).content).toEqual([{ type: 'text', text: 'slept 400' }]);
    expect(await exited(child)).toBe(0);
    expect(stderr()).toContain('shutting down');
  });

  it('serves the embedded default when no config is given', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mcpeg-empty-'));
    const { child, stderr } = await startServer([], { cwd: empty });
    expect(stderr()).toContain('embedded default');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});
