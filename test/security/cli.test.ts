// `mcpeg hash-key` and `mcpeg serve` with API keys, through the built CLI (run `npx tsc -p tsconfig.build.json` first).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { ApiKeyVerifier } from '../../src/security/api-key-verifier.js';
import { CLI, runCli, startServer } from '../helpers/cli.js';

function hashKeyFromStdin(key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'hash-key', '-', '--scrypt'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    child.stdin.end(`${key}\n`);
  });
}

describe('mcpeg hash-key', () => {
  it('generates a key, prints it once with its hash and a config snippet', async () => {
    const result = await runCli(['hash-key', '--principal', 'ci-bot']);
    expect(result.code).toBe(0);
    const key = /^key: {2}(\S+)$/m.exec(result.stdout)?.[1];
    const hash = /^hash: (\S+)$/m.exec(result.stdout)?.[1];
    expect(key).toMatch(/^mcpeg_[A-Za-z0-9_-]{43}$/);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.stdout).toContain('- principal: ci-bot');
    expect(new ApiKeyVerifier([{ principal: 'ci-bot', hash: hash!, roles: [] }]).verify(key!)?.id).toBe('ci-bot');
  });

  it('hashes a key read from stdin with scrypt, and refuses a short key', async () => {
    const out = await hashKeyFromStdin('a-key-typed-by-a-person');
    const hash = /^hash: (\S+)$/m.exec(out)?.[1];
    expect(out).not.toContain('a-key-typed-by-a-person');
    expect(new ApiKeyVerifier([{ principal: 'p', hash: hash!, roles: [] }]).verify('a-key-typed-by-a-person')?.id).toBe('p');
    const short = await runCli(['hash-key', 'short']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/shorter than 16 characters/);
  });
});

describe('mcpeg serve with API keys', () => {
  it('serves a client that presents its key and refuses one that does not', async () => {
    const generated = await runCli(['hash-key']);
    const key = /^key: {2}(\S+)$/m.exec(generated.stdout)![1]!;
    const hash = /^hash: (\S+)$/m.exec(generated.stdout)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'mcpeg-auth-cli-'));
    const config = join(dir, 'mcpeg.yaml');
    writeFileSync(config, `server:\n  auth:\n    mode: api_keys\n    api_keys:\n      - { principal: ci, hash: "${hash}", roles: [reader] }\nplugins: {}\n`);
    const { child, url } = await startServer(['--config', config]);
    try {
      const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(401);
      const client = new Client({ name: 'cli-auth', version: '1' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
      expect(Array.isArray((await client.listTools()).tools)).toBe(true);
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
