// The admin CLI verbs against a real `mcpeg serve` (dist/cli/main.js; run `npx tsc -p tsconfig.build.json` first).
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exited, runCli, startServer } from '../helpers/cli.js';
import { configFile, eventually } from './helpers.js';

const KEY = 'cli-admin-key-0123456789abcdef';
const file = configFile('');
const CONFIG = `
server:
  admin:
    enabled: true
    key: \${MCPEG_ADMIN_KEY}
services:
  shop:
    driver: sqlite
    demo: true
    path: ${file.dir}/shop.sqlite
  spare:
    driver: sqlite
    demo: true
    path: ${file.dir}/spare.sqlite
    enabled: false
`;
file.write(CONFIG);
let server: { child: ChildProcess; url: URL; stderr: () => string };
let adminUrl: string;

beforeAll(async () => {
  process.env.MCPEG_ADMIN_KEY = KEY; // the served config references it
  server = await startServer(['--config', file.path]);
  adminUrl = `${server.url.origin}/admin`;
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  if (server) await exited(server.child);
  file.cleanup();
});

const cli = (...args: string[]) => runCli([...args, '--admin-url', adminUrl], { env: { MCPEG_ADMIN_KEY: KEY } });

// Each verb is a Node process start (about a second on a loaded machine): generous limits.
describe('admin CLI verbs', { timeout: 120_000 }, () => {
  test('status and services', async () => {
    const status = await cli('status');
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('— ok —');
    expect(status.stdout).toContain(`config ${file.path}`);
    expect(status.stdout).toMatch(/services: 1 enabled of 2/);
    const services = await cli('services');
    expect(services.code).toBe(0);
    expect(services.stdout).toMatch(/^shop\s+sqlite\s+loading\s+closed/m);
    expect(services.stdout).toMatch(/^spare\s+sqlite\s+disabled/m);
    const json = JSON.parse((await cli('services', '--json')).stdout);
    expect(json.map((service: { name: string }) => service.name)).toEqual(['shop', 'spare']);
  });

  test('enable, disable, restart', async () => {
    const enable = await cli('enable', 'spare');
    expect(enable.code).toBe(0);
    expect(enable.stdout).toContain('spare enabled');
    expect((await cli('services')).stdout).toMatch(/^spare\s+sqlite\s+loading.*enabled at runtime/m);
    const disable = await cli('disable', 'shop');
    expect(disable.code).toBe(0);
    expect((await cli('services')).stdout).toMatch(/^shop\s+sqlite\s+disabled.*disabled at runtime/m);
    const restart = await cli('restart', 'spare');
    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain('spare restarted');
    const refused = await cli('restart', 'shop');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('mcpeg: [shop] service shop is disabled, so there is nothing to restart — enable it instead');
    const unknown = await cli('enable', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no service named "nope"');
    expect((await cli('enable', 'shop')).code).toBe(0);
  });

  test('reload, a rejected reload, and SIGHUP', async () => {
    const same = await cli('reload');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('reloaded: no service changed');

    file.write(`${CONFIG}  extra:\n    driver: sqlite\n    demo: true\n    path: ${file.dir}/extra.sqlite\n`);
    await eventually(async () => (await cli('services')).stdout.includes('extra'), 'the watcher to load the new service', 15_000);

    file.write(`${CONFIG}  broken:\n    driver: sqlite\n    path: ${file.dir}/x.sqlite\n    nonsense: 1\n`);
    const rejected = await cli('reload');
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('reload rejected; the gateway keeps running the previous config');
    expect(rejected.stderr).toMatch(/line \d+\s+services\.broken\.nonsense\s+unknown key "nonsense"/);
    expect((await cli('services')).stdout).toContain('extra');

    file.write(CONFIG);
    server.child.kill('SIGHUP');
    await eventually(() => server.stderr().includes('(SIGHUP)'), 'the SIGHUP reload to be logged', 15_000);
    await eventually(async () => !(await cli('services')).stdout.includes('extra'), 'extra to be gone', 15_000);
  });

  test('clear errors: gateway unreachable, no key, wrong key', async () => {
    const port = await freePort();
    const down = await runCli(['status', '--admin-url', `http://127.0.0.1:${port}/admin`], { env: { MCPEG_ADMIN_KEY: KEY } });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`mcpeg: cannot reach the gateway's admin API at http://127.0.0.1:${port}/admin/status (ECONNREFUSED)`);
    expect(down.stderr).toContain('server.admin.enabled: true');
    const noKey = await runCli(['status', '--admin-url', adminUrl], { env: { MCPEG_ADMIN_KEY: '' } });
    expect(noKey.stderr).toContain('MCPEG_ADMIN_KEY is not set');
    const wrong = await runCli(['status', '--admin-url', adminUrl], { env: { MCPEG_ADMIN_KEY: 'wrong-wrong-wrong-wrong' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the admin API refused the key (HTTP 401)');
    const notAdmin = await runCli(['status', '--admin-url', `${server.url.origin}/nothing`], { env: { MCPEG_ADMIN_KEY: KEY } });
    expect(notAdmin.code).toBe(1);
  });
});

/** A port nothing listens on: bound, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
