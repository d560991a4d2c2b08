// https remotes with a token: a real `git http-backend` behind a small node:https CGI bridge on port 0,
// which answers 401 unless the Authorization header carries the token. Checks that the token reaches
// git only through the environment (never argv: a wrapper on PATH records every argv), is sent only to
// the hosts in https_hosts, and never shows in a message.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, cleanup, gateway, git, makeBareRemote, ok, tempDir, write } from './git-fixture.js';

const TOKEN = 'ghp_s3cr3t-token-never-in-argv';
const USER = 'x-access-token';

/** openssl makes the test's certificate; without it the test cannot run. */
function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('openssl is needed for the https git test and is missing');
    console.warn('SKIPPING the https git test: openssl is not installed');
    return false;
  }
}

describe.runIf(haveOpenssl())('git plugin: https remotes with a token (git http-backend)', () => {
  let server: Server;
  let port: number;
  let remotes: string;
  let workspace: string;
  let caFile: string;
  let argvLog: string;
  let originalPath: string | undefined;
  const authorizations: (string | undefined)[] = [];

  beforeAll(async () => {
    const certs = tempDir();
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { cwd: certs, stdio: 'ignore' },
    );
    caFile = join(certs, 'cert.pem');
    remotes = tempDir();
    makeBareRemote(remotes, 'secure.git', 2);
    server = createServer({ key: readFileSync(join(certs, 'key.pem')), cert: readFileSync(caFile) }, (request, response) => {
      authorizations.push(request.headers.authorization);
      if (request.headers.authorization !== `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('unauthorized');
        return;
      }
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const cgi = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_PROJECT_ROOT: remotes,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.slice(1),
          REQUEST_METHOD: request.method ?? 'GET',
          CONTENT_TYPE: request.headers['content-type'] ?? '',
          HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
          GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
          REMOTE_USER: 'tester',
          REMOTE_ADDR: '127.0.0.1',
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      request.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let headersSent = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (headersSent) {
          response.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
          const colon = line.indexOf(':');
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
          else headers[name] = value;
        }
        response.writeHead(status, headers);
        headersSent = true;
        response.write(head.subarray(end + 4));
      });
      cgi.on('close', () => response.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;

    // Every git the gateway runs goes through this wrapper, which records its argv.
    const wrapperDir = tempDir();
    argvLog = join(wrapperDir, 'argv.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(wrapperDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${realGit}' "$@"\n`);
    chmodSync(join(wrapperDir, 'git'), 0o755);
    originalPath = process.env.PATH;
    process.env.MCPEG_TEST_GIT_TOKEN = TOKEN;
    process.env.PATH = `${wrapperDir}:${originalPath ?? ''}`;
    workspace = tempDir();
  });
  afterAll(async () => {
    process.env.PATH = originalPath;
    delete process.env.MCPEG_TEST_GIT_TOKEN;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await cleanup();
  });

  // The token comes from a ${VAR} reference, as an operator would write it.
  const yaml = (hosts: string, token = '${MCPEG_TEST_GIT_TOKEN}') => `plugins:
  git:
    config:
      workspace_dir: ${JSON.stringify(workspace)}
      auth_methods: [https]
      https_token: "${token}"
      https_hosts: [${hosts}]
      https_ca_file: ${JSON.stringify(caFile)}
`;

  it('clones, commits and pushes over https with the token, which never appears in argv or the log', async () => {
    // Debug logging on, and stderr captured: the log must show the git commands, never the token.
    const logged: string[] = [];
    const level = process.env.MCPEG_TEST_LOG;
    process.env.MCPEG_TEST_LOG = 'debug';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      await cloneCommitPush();
    } finally {
      spy.mockRestore();
      if (level === undefined) delete process.env.MCPEG_TEST_LOG;
      else process.env.MCPEG_TEST_LOG = level;
    }
    const log = logged.join('');
    expect(log).toContain('"git":"clone"');
    expect(log).toContain('"git":"push"');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(Buffer.from(`${USER}:${TOKEN}`).toString('base64'));
  });

  async function cloneCommitPush() {
    const gw = await gateway(yaml(`"127.0.0.1:${port}"`));
    const url = `https://127.0.0.1:${port}/secure.git`;
    const cloned = await ok(gw, 'git__clone', { url, repo: 'secure', depth: 0 });
    expect(cloned.structured!.commit.subject).toBe('commit 2');
    write(join(workspace, 'secure'), 'new.txt', 'over https\n');
    await ok(gw, 'git__add', { repo: 'secure', paths: ['new.txt'] });
    await ok(gw, 'git__commit', { repo: 'secure', message: 'pushed over https' });
    await ok(gw, 'git__push', { repo: 'secure' });
    expect(git(remotes, '--git-dir=secure.git', 'log', '-1', '--format=%s', 'main')).toBe('pushed over https\n');
    await ok(gw, 'git__fetch', { repo: 'secure' });

    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('clone');
    expect(argv).toContain('push');
    expect(argv).not.toContain(TOKEN);
    expect(argv).not.toContain(Buffer.from(`${USER}:${TOKEN}`).toString('base64'));
    expect(argv).not.toMatch(/extraHeader|Authorization/i);
  }

  it('does not send the token to a host outside https_hosts; the failure says what to check and hides the token', async () => {
    authorizations.length = 0;
    const gw = await gateway(yaml('"git.example.com"'));
    const result = await call(gw, 'git__clone', { url: `https://127.0.0.1:${port}/secure.git`, repo: 'other-host' });
    expect(result).toMatchObject({ isError: true, code: 'BACKEND_ERROR' });
    expect(result.text).toContain('https_token');
    expect(result.text).not.toContain(TOKEN);
    expect(authorizations.length).toBeGreaterThan(0);
    expect(authorizations.every((value) => value === undefined)).toBe(true);
  });

  it('a wrong token is refused by the server and reported as an authentication problem', async () => {
    const gw = await gateway(yaml(`"127.0.0.1:${port}"`, 'wrong-token-value'));
    const result = await call(gw, 'git__clone', { url: `https://127.0.0.1:${port}/secure.git`, repo: 'wrong' });
    expect(result).toMatchObject({ isError: true, code: 'BACKEND_ERROR' });
    expect(result.text).toMatch(/credentials|https_token/);
    expect(result.text).not.toContain('wrong-token-value');
  });
});
