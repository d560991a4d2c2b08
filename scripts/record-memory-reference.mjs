#!/usr/bin/env node
// Records what @modelcontextprotocol/server-memory answers to the call sequence in
// test/fixtures/memory-reference/sequence.json, for test/plugins/memory/compat.test.ts, which runs the
// same calls against MCPEG's memory plugin and compares. The reference is installed from the npm
// registry into a temporary folder (never into this project) and spoken to over stdio, as any MCP
// client would.
//
//   node scripts/record-memory-reference.mjs                 # rewrite test/fixtures/memory-reference/transcript.json
//   node scripts/record-memory-reference.mjs --out FILE      # write elsewhere (the compat test's live run)
//   node scripts/record-memory-reference.mjs --server PATH   # use an installed dist/index.js instead of installing
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/** The reference version the fixtures were recorded from; bump it deliberately and re-record. */
export const REFERENCE_VERSION = '2026.8.31';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/memory-reference');

const argument = (name) => {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
};

const work = mkdtempSync(join(tmpdir(), 'mcpeg-memory-reference-'));
try {
  let server = argument('--server');
  if (!server) {
    execFileSync('npm', ['install', '--prefix', work, '--no-audit', '--no-fund', '--no-save', `@modelcontextprotocol/server-memory@${REFERENCE_VERSION}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 180_000,
    });
    server = join(work, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
  }
  const version = JSON.parse(readFileSync(join(server, '../../package.json'), 'utf8')).version;
  const sequence = JSON.parse(readFileSync(join(FIXTURES, 'sequence.json'), 'utf8'));
  const client = new Client({ name: 'mcpeg-reference-recorder', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [server],
      env: { PATH: process.env.PATH ?? '', MEMORY_FILE_PATH: join(work, 'memory.jsonl') },
      stderr: 'ignore',
    }),
  );
  try {
    const tools = (await client.listTools()).tools.map(({ execution: _, ...tool }) => tool);
    const results = [];
    for (const step of sequence.steps) {
      const result = await client.callTool({ name: step.tool, arguments: step.arguments });
      results.push({ content: result.content, ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}), ...(result.isError ? { isError: true } : {}) });
    }
    const resource = await client.readResource({ uri: 'memory://knowledge-graph' });
    const file = readFileSync(join(work, 'memory.jsonl'), 'utf8');
    const transcript = { reference: `@modelcontextprotocol/server-memory@${version}`, tools, results, resource: resource.contents, file };
    const out = argument('--out') ?? join(FIXTURES, 'transcript.json');
    writeFileSync(out, `${JSON.stringify(transcript, null, 2)}\n`);
    console.error(`recorded ${results.length} calls of @modelcontextprotocol/server-memory@${version} into ${out}`);
  } finally {
    await client.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
