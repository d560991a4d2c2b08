// MCPEG's memory plugin against @modelcontextprotocol/server-memory: the same calls, the same answers.
// The reference's answers are recorded in test/fixtures/memory-reference/transcript.json by
// scripts/record-memory-reference.mjs; the live test below re-records them from the npm registry into a
// temp dir (never into this project) and checks the fixture is still what the reference answers.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sequence from '../../fixtures/memory-reference/sequence.json' with { type: 'json' };
import { ROOT } from '../../helpers/cli.js';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { caller, cleanup, gateway, memoryGateway, tempDir } from './memory-fixture.js';

interface Recorded {
  reference: string;
  tools: Record<string, unknown>[];
  results: { content: unknown; structuredContent?: unknown; isError?: boolean }[];
  resource: { uri: string; mimeType?: string; text?: string }[];
  file: string;
}

const FIXTURE = join(ROOT, 'test/fixtures/memory-reference/transcript.json');
const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recorded;
const TOOL_KEYS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;

afterAll(cleanup);

describe('memory plugin: compatible with @modelcontextprotocol/server-memory', () => {
  let client: Client;
  let close: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir();
    // What a user switching over writes: the built-in type, bare tool names.
    const served = await serveHttp(
      await gateway(`global: { prefix: never }
plugins:
  memory:
    storage_path: ${join(dir, 'memory.json')}
`),
    );
    close = served.close;
    client = await httpClient(served.url, 'auto');
  });

  afterAll(async () => {
    await client?.close();
    await close?.();
  });

  it('lists the same nine tools, word for word, to a real client', async () => {
    const tools = (await client.listTools()).tools;
    expect(recorded.tools).toHaveLength(9);
    for (const reference of recorded.tools) {
      const ours = tools.find((tool) => tool.name === reference.name);
      expect(ours, `tool ${String(reference.name)}`).toBeDefined();
      for (const key of TOOL_KEYS) expect(ours![key], `${String(reference.name)}.${key}`).toEqual(reference[key]);
    }
  });

  it('answers the recorded sequence exactly as the reference did: texts, structured content, errors', async () => {
    expect(sequence.steps).toHaveLength(recorded.results.length);
    for (const [index, step] of sequence.steps.entries()) {
      const result = await client.callTool({ name: step.tool, arguments: step.arguments as Record<string, unknown> });
      const expected = recorded.results[index]!;
      const where = `step ${index + 1}: ${step.tool} ${JSON.stringify(step.arguments).slice(0, 120)}`;
      expect(Boolean(result.isError), where).toBe(Boolean(expected.isError));
      if ((step as { compare?: string }).compare === 'isError') continue;
      expect(result.content, where).toEqual(expected.content);
      expect(result.structuredContent, where).toEqual(expected.structuredContent);
    }
  });

  it('serves the memory://knowledge-graph resource with the same text', async () => {
    const resource = await client.readResource({ uri: 'memory://knowledge-graph' });
    expect(resource.contents).toEqual(recorded.resource);
  });

  it('its JSON export holds the same entity and relation lines as the reference file, and server-memory files import unchanged', async () => {
    const exported = await client.callTool({ name: 'memory_export', arguments: {} });
    expect(exported.isError).toBeFalsy();
    const ours = readFileSync(join(dir, 'memory.json'), 'utf8')
      .split('\n')
      .filter((line) => /^\{"type":"(entity|relation)"/.test(line));
    expect(ours).toEqual(recorded.file.split('\n').filter((line) => line !== ''));
  });

  it('imports the reference’s own memory.jsonl on first start and reads back the same graph', async () => {
    const target = join(tempDir(), 'memory.jsonl');
    writeFileSync(target, recorded.file);
    const { ok } = caller(await memoryGateway(target));
    const graph = await ok('read_graph');
    const finalRead = sequence.steps.map((step, index) => [step.tool, index] as const).filter(([tool]) => tool === 'read_graph').at(-1)![1];
    expect(graph).toEqual(recorded.results[finalRead]!.structuredContent);
  });
});

const run = promisify(execFile);

describe('memory plugin: the recorded reference is still what the reference answers (live, from the npm registry)', () => {
  it('re-records the transcript in a temp dir and finds it equal to the fixture', { timeout: 240_000 }, async () => {
    const out = join(tempDir(), 'transcript.json');
    try {
      await run(process.execPath, [join(ROOT, 'scripts/record-memory-reference.mjs'), '--out', out], { cwd: ROOT, timeout: 200_000 });
    } catch (error) {
      const message = `could not install and run @modelcontextprotocol/server-memory from the npm registry: ${(error as Error).message}`;
      if (process.env.CI === 'true') throw new Error(message);
      console.warn(`SKIPPED (not CI): ${message}`);
      return;
    }
    const live = JSON.parse(readFileSync(out, 'utf8')) as Recorded;
    expect(live).toEqual(recorded);
  });
});
