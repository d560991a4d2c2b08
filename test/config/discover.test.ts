// Which file the gateway reads: --config, else $MCPEG_CONFIG, else ./mcpeg.yaml, else the embedded default.
// Each case runs in its own temporary directory as the working directory.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EMBEDDED_CONFIG_PATH, locateConfig, readConfigText } from '../../src/config/discover.js';
import { GatewayError } from '../../src/sdk/errors.js';
import { loadValid } from './load.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'mcpeg-discover-'));
  mkdirSync(join(cwd, 'etc'));
  for (const name of ['mcpeg.yaml', 'etc/flag.yaml', 'etc/env.yaml']) writeFileSync(join(cwd, name), `# ${name}\n`);
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('locateConfig', () => {
  test('--config wins over MCPEG_CONFIG and ./mcpeg.yaml, resolved from the working directory', () => {
    const found = locateConfig({ flag: 'etc/flag.yaml', env: { MCPEG_CONFIG: 'etc/env.yaml' }, cwd });
    expect(found).toEqual({ path: join(cwd, 'etc/flag.yaml'), reason: '--config' });
  });

  test('MCPEG_CONFIG wins over ./mcpeg.yaml', () => {
    const found = locateConfig({ flag: undefined, env: { MCPEG_CONFIG: 'etc/env.yaml' }, cwd });
    expect(found).toEqual({ path: join(cwd, 'etc/env.yaml'), reason: 'MCPEG_CONFIG' });
  });

  test('an absolute MCPEG_CONFIG is taken as it is', () => {
    const found = locateConfig({ flag: undefined, env: { MCPEG_CONFIG: join(cwd, 'etc/env.yaml') }, cwd: tmpdir() });
    expect(found.path).toBe(join(cwd, 'etc/env.yaml'));
  });

  test('./mcpeg.yaml when neither is set (an empty MCPEG_CONFIG counts as unset)', () => {
    expect(locateConfig({ flag: undefined, env: { MCPEG_CONFIG: '' }, cwd })).toEqual({
      path: join(cwd, 'mcpeg.yaml'),
      reason: './mcpeg.yaml',
    });
  });

  test('the embedded default when there is no ./mcpeg.yaml', () => {
    rmSync(join(cwd, 'mcpeg.yaml'));
    expect(locateConfig({ flag: undefined, env: {}, cwd })).toEqual({
      path: EMBEDDED_CONFIG_PATH,
      reason: 'embedded default',
    });
    expect(existsSync(EMBEDDED_CONFIG_PATH)).toBe(true);
  });

  test('a named file that does not exist is still chosen: the user asked for it, and reading it says so', () => {
    const found = locateConfig({ flag: 'missing.yaml', env: {}, cwd });
    expect(found.path).toBe(join(cwd, 'missing.yaml'));
    const error = thrownBy(() => readConfigText(found));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: `cannot read config ${join(cwd, 'missing.yaml')} (ENOENT, chosen by --config). Check the path, or run "mcpeg init" to write a starter mcpeg.yaml.`,
    });
  });
});

describe('readConfigText', () => {
  test('reads the chosen file', () => {
    expect(readConfigText({ path: join(cwd, 'etc/env.yaml'), reason: 'MCPEG_CONFIG' })).toBe('# etc/env.yaml\n');
  });
});

describe('the embedded default', () => {
  // It loads the example notes plugin, which imports mcpeg/sdk from the build (npm test builds first).
  test('is a valid config that serves without any server', async () => {
    const text = readFileSync(EMBEDDED_CONFIG_PATH, 'utf8');
    const config = await loadValid(text, { origin: EMBEDDED_CONFIG_PATH });
    expect(config.services.length).toBeGreaterThan(0);
    expect(config.server.http.host).toBe('127.0.0.1');
  });
});

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail('expected it to throw');
}
