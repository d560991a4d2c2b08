// The example plugin (examples/notes-plugin/index.js) loaded the way a user loads it — a `module:`
// path in YAML, through loadConfig + buildGateway — and the plugin metadata checks that run before
// any plugin code is trusted. The plugin imports 'mcpeg/sdk', which resolves through the package's
// self-reference to dist/: `npm test` builds first; when running vitest alone, run `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProtocolError } from '@modelcontextprotocol/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, loadConfig } from '../../src/bootstrap.js';
import { EMBEDDED_CONFIG_PATH } from '../../src/config/discover.js';
import { ERROR_META_KEY } from '../../src/core/error-boundary.js';
import type { Gateway } from '../../src/core/gateway.js';
import { loadPluginModules } from '../../src/core/plugin-loader.js';
import { ServiceTypeRegistry } from '../../src/core/registry.js';
import { GATEWAY_VERSION } from '../../src/version.js';
import { quietLogger } from '../helpers/gateway.js';
import { scope, text } from '../helpers/scope.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOTES = join(ROOT, 'examples/notes-plugin/index.js');
const SDK_DIST = join(ROOT, 'dist/sdk/index.js');

const gateways: Gateway[] = [];

/** YAML that loads the notes plugin by absolute path, with optional extra lines under its entry. */
function notesYaml(extra = ''): string {
  return `plugins:\n  notes:\n    module: ${JSON.stringify(NOTES)}\n${extra}`;
}

async function load(text: string, origin = join(ROOT, 'mcpeg.test.yaml')) {
  return loadConfig({ text, origin, env: {}, logger: quietLogger() });
}

async function gatewayOf(text: string): Promise<Gateway> {
  const loaded = await load(text);
  if (!loaded.ok)
    throw new Error(`config rejected:\n${loaded.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n')}`);
  const gateway = buildGateway({ config: loaded.config, registry: loaded.registry, logger: quietLogger() });
  gateways.push(gateway);
  return gateway;
}

/** Resolves with what `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<ProtocolError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a rejection');
}

beforeAll(() => {
  if (!existsSync(SDK_DIST)) {
    throw new Error(
      `${SDK_DIST} is missing: the example plugin imports mcpeg/sdk from dist/ — run "npm run build" first`,
    );
  }
});

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.shutdown(500)));
});

describe('examples/notes-plugin through the public path', () => {
  const seeded = notesYaml('    config:\n      seed: ["Welcome aboard", "Rotate the staging keys on Friday"]\n');

  it('lists its tools, template and prompt under the service prefix without starting it', async () => {
    const gateway = await gatewayOf(seeded);
    const { dispatcher } = gateway;
    expect(dispatcher.listTools(undefined).tools.map((tool) => tool.name)).toEqual([
      'notes__add_note',
      'notes__list_notes',
      'notes__search_notes',
      'notes__delete_note',
    ]);
    expect(dispatcher.listResourceTemplates(undefined).resourceTemplates).toEqual([
      { uriTemplate: 'notes://{id}', name: 'note', description: 'One note by id', mimeType: 'text/plain' },
    ]);
    expect(dispatcher.listPrompts(undefined).prompts.map((prompt) => prompt.name)).toEqual(['notes__summarize_notes']);
    expect(dispatcher.listResources(undefined).resources).toEqual([]);
    // Listing is static declaration: the service starts on its first call, not before.
    expect(gateway.host('notes')?.phase).toBe('loading');
    expect(gateway.health().services[0]).toMatchObject({
      name: 'notes',
      type: 'notes',
      category: 'generic',
      phase: 'loading',
    });
  });

  it('adds, lists, searches and deletes notes through tools/call', async () => {
    const gateway = await gatewayOf(seeded);
    const { dispatcher } = gateway;
    const updated: string[] = [];
    const changed: string[][] = [];
    gateway.on('resourceUpdated', (uri) => updated.push(uri));
    gateway.on('listChanged', (kinds) => changed.push([...kinds]));

    const added = await dispatcher.callTool('notes__add_note', { text: 'Renew the TLS certificate' }, scope());
    expect(added.isError).toBeUndefined();
    expect(text(added)).toBe('added note 3');
    expect(added.structuredContent).toMatchObject({ id: '3', text: 'Renew the TLS certificate' });
    expect(updated).toEqual(['notes://3']);
    expect(gateway.host('notes')?.phase).toBe('running');

    const listed = await dispatcher.callTool('notes__list_notes', {}, scope());
    expect(text(listed)).toBe('1: Welcome aboard\n2: Rotate the staging keys on Friday\n3: Renew the TLS certificate');

    const found = await dispatcher.callTool('notes__search_notes', { query: 'STAGING' }, scope());
    expect(text(found)).toBe('2: Rotate the staging keys on Friday');
    expect(text(await dispatcher.callTool('notes__search_notes', { query: 'kubernetes' }, scope()))).toBe('no match');

    const deleted = await dispatcher.callTool('notes__delete_note', { id: '1' }, scope());
    expect(text(deleted)).toBe('deleted note 1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(changed).toEqual([['resources']]);

    const again = await dispatcher.callTool('notes__delete_note', { id: '1' }, scope());
    expect(again.isError).toBe(true);
    expect(text(again)).toBe('no note 1');
  });

  it('answers bad arguments with an isError result carrying INVALID_ARGUMENTS, before the service starts', async () => {
    const gateway = await gatewayOf(seeded);
    const result = await gateway.dispatcher.callTool('notes__add_note', { text: 42 }, scope());
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('[notes] invalid arguments for notes__add_note');
    expect(result._meta?.[ERROR_META_KEY]).toEqual({ code: 'INVALID_ARGUMENTS' });
    expect(gateway.host('notes')?.phase).toBe('loading');
  });

  it('keeps the code of a GatewayError the plugin throws from its own copy of the sdk', async () => {
    const gateway = await gatewayOf(notesYaml('    config:\n      max_notes: 1\n      seed: [only one]\n'));
    const full = await gateway.dispatcher.callTool('notes__add_note', { text: 'one more' }, scope());
    expect(full.isError).toBe(true);
    expect(text(full)).toBe('the notebook is full (max_notes: 1); delete a note first');
    expect(full._meta?.[ERROR_META_KEY]).toEqual({ code: 'INVALID_ARGUMENTS' });
  });

  it('reports search progress through the call context', async () => {
    const seed = Array.from({ length: 250 }, (_, index) => JSON.stringify(`note ${index}`)).join(', ');
    const gateway = await gatewayOf(notesYaml(`    config:\n      seed: [${seed}]\n`));
    const progress: [number, number | undefined][] = [];
    const result = await gateway.dispatcher.callTool(
      'notes__search_notes',
      { query: 'note 24' },
      scope({ progress: async (done, total) => void progress.push([done, total]) }),
    );
    expect(text(result).split('\n')).toEqual([
      '25: note 24',
      ...Array.from({ length: 10 }, (_, i) => `${241 + i}: note ${240 + i}`),
    ]);
    expect(progress).toEqual([
      [100, 250],
      [200, 250],
    ]);
  });

  it('reads notes as resources through the template; a missing note is -32602', async () => {
    const { dispatcher } = await gatewayOf(seeded);
    expect(await dispatcher.readResource('notes://2', scope())).toEqual({
      contents: [{ uri: 'notes://2', mimeType: 'text/plain', text: 'Rotate the staging keys on Friday' }],
    });
    const missing = await rejection(dispatcher.readResource('notes://99', scope()));
    expect(missing.code).toBe(-32602);
    expect(missing.message).toBe('Resource not found: notes://99');
    const unmatched = await rejection(dispatcher.readResource('files:///etc/passwd', scope()));
    expect(unmatched.code).toBe(-32602);
  });

  it('renders its prompt and refuses it without the required argument', async () => {
    const { dispatcher } = await gatewayOf(seeded);
    const prompt = await dispatcher.getPrompt('notes__summarize_notes', { topic: 'keys' }, scope());
    expect(prompt).toEqual({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: 'Summarize these notes about keys:\n- Rotate the staging keys on Friday' },
        },
      ],
    });
    const missing = await rejection(dispatcher.getPrompt('notes__summarize_notes', {}, scope()));
    expect(missing.message).toContain('needs the argument(s) topic');
    expect(missing.data).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    const unknown = await rejection(dispatcher.getPrompt('summarize_notes', {}, scope()));
    expect(unknown.code).toBe(-32602);
    expect(unknown.data).toMatchObject({ code: 'UNKNOWN_PROMPT' });
  });

  it('completes prompt arguments and template variables', async () => {
    const { dispatcher } = await gatewayOf(seeded);
    const topics = await dispatcher.complete(
      { type: 'ref/prompt', name: 'notes__summarize_notes' },
      { name: 'topic', value: 'sta' },
      undefined,
      scope(),
    );
    expect(topics.completion).toEqual({ values: ['staging'], total: 1, hasMore: false });
    const ids = await dispatcher.complete(
      { type: 'ref/resource', uri: 'notes://{id}' },
      { name: 'id', value: '' },
      undefined,
      scope(),
    );
    expect(ids.completion.values).toEqual(['1', '2']);
    const nothing = await dispatcher.complete(
      { type: 'ref/prompt', name: 'no_such_prompt' },
      { name: 'topic', value: '' },
      undefined,
      scope(),
    );
    expect(nothing.completion).toEqual({ values: [], total: 0, hasMore: false });
  });

  it('validates its config with its own schema and reports the YAML path and line', async () => {
    const loaded = await load(notesYaml('    config:\n      max_notes: 0\n      colour: blue\n'));
    expect(loaded.ok).toBe(false);
    const issues = loaded.ok ? [] : loaded.issues;
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'plugins.notes.config.colour',
      'plugins.notes.config.max_notes',
    ]);
    expect(issues.find((issue) => issue.path.endsWith('colour'))).toMatchObject({
      line: 6,
      message: 'unknown key "colour"',
    });
    expect(issues.find((issue) => issue.path.endsWith('max_notes'))?.line).toBe(5);
  });

  it('is what the embedded default config (npm start) serves', async () => {
    const loaded = await loadConfig({
      text: readFileSync(EMBEDDED_CONFIG_PATH, 'utf8'),
      origin: EMBEDDED_CONFIG_PATH,
      env: {},
      logger: quietLogger(),
    });
    if (!loaded.ok) throw new Error(loaded.issues.map((issue) => issue.message).join('\n'));
    expect(loaded.config.server.http).toMatchObject({ host: '127.0.0.1', port: 3000, path: '/mcp' });
    const gateway = buildGateway({ config: loaded.config, registry: loaded.registry, logger: quietLogger() });
    gateways.push(gateway);
    expect(gateway.catalog.tools.map((tool) => tool.name)).toContain('notes__add_note');
    expect(text(await gateway.dispatcher.callTool('notes__list_notes', {}, scope()))).toMatch(/^1: Welcome to MCPEG/);
  });
});

describe('docs/plugins.md', () => {
  it('quotes every file it claims to quote verbatim', () => {
    const doc = readFileSync(join(ROOT, 'docs/plugins.md'), 'utf8');
    // A quoted file is announced by `<!-- file: PATH -->` right before its fenced code block.
    const quotes = [...doc.matchAll(/<!-- file: (\S+) -->\s*\n(`{3,})[^\n]*\n([\s\S]*?)\n\2\s*$/gm)];
    expect(quotes.map((match) => match[1])).toContain('examples/notes-plugin/index.js');
    for (const [, path, , body] of quotes) {
      const actual = readFileSync(join(ROOT, path!), 'utf8').replace(/\n$/, '');
      expect(body, `the copy of ${path} in docs/plugins.md differs from the file: paste the file again`).toBe(actual);
    }
  });
});

describe('plugin metadata is checked before a plugin runs', () => {
  let dir: string;
  const sdk = JSON.stringify(pathToFileURL(SDK_DIST).href);
  const plugin = (fields: string) =>
    `import { defineServiceType, z } from ${sdk};\n` +
    `export default defineServiceType({ category: 'generic', configSchema: z.strictObject({}), create: () => ({}), ${fields} });\n`;

  const modules: Record<string, string> = {
    'bad-version.mjs': plugin(`name: 'bad_version', version: '1.0'`),
    'bad-name.mjs': plugin(`name: 'Bad Name', version: '1.0.0'`),
    'incompatible.mjs': plugin(`name: 'incompatible', version: '2.0.0', gateway: '>=99'`),
    'throws.mjs': `throw new Error('cannot find libfoo.so.3');\n`,
    'hangs.mjs': `await new Promise(() => {});\nexport default {};\n`,
    'empty.mjs': `export const helper = () => 42;\n`,
    'needs-dependency.mjs': plugin(`name: 'needs_dep', version: '1.0.0', dependencies: ['no_such_type']`),
    'explodes-in-create.mjs':
      `import { defineServiceType, z } from ${sdk};\n` +
      `export default defineServiceType({ name: 'explodes', version: '1.0.0', category: 'generic', configSchema: z.strictObject({}),\n` +
      `  create() { throw new Error('create() touched the network'); } });\n`,
    'several.mjs':
      `import { defineServiceType, z } from ${sdk};\n` +
      `const make = (name) => defineServiceType({ name, version: '1.0.0', category: 'generic', configSchema: z.strictObject({}),\n` +
      `  create: () => ({ tools: () => [{ name: 'hello', inputSchema: { type: 'object' }, call: async () => ({ content: [{ type: 'text', text: name }] }) }] }) });\n` +
      `export const serviceTypes = [make('alpha'), make('beta')];\n`,
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpeg-plugins-'));
    for (const [name, source] of Object.entries(modules)) await writeFile(join(dir, name), source);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects each broken module with its own code, naming the module', async () => {
    const registry = new ServiceTypeRegistry(GATEWAY_VERSION);
    const specifiers = [
      './bad-version.mjs',
      './bad-name.mjs',
      './incompatible.mjs',
      './throws.mjs',
      './hangs.mjs',
      './empty.mjs',
    ];
    const started = Date.now();
    const errors = await loadPluginModules({
      specifiers,
      baseDir: dir,
      registry,
      logger: quietLogger(),
      timeoutMs: 300,
    });
    // The module whose top-level await never settles is given up on at the deadline, not waited for.
    expect(Date.now() - started).toBeLessThan(5_000);
    const codes = Object.fromEntries([...errors].map(([specifier, error]) => [specifier, error.code]));
    expect(codes).toEqual({
      './bad-version.mjs': 'PLUGIN_INVALID',
      './bad-name.mjs': 'PLUGIN_INVALID',
      './incompatible.mjs': 'PLUGIN_INCOMPATIBLE',
      './throws.mjs': 'PLUGIN_LOAD_FAILED',
      './hangs.mjs': 'PLUGIN_LOAD_FAILED',
      './empty.mjs': 'PLUGIN_INVALID',
    });
    for (const [specifier, error] of errors) expect(error.message).toContain(`plugin "${specifier}"`);
    expect(errors.get('./bad-version.mjs')?.message).toContain('version must be a semver like 1.2.0');
    expect(errors.get('./bad-name.mjs')?.message).toContain('name must be lower-case letters');
    expect(errors.get('./incompatible.mjs')?.message).toContain(
      `supports gateway >=99, but this is mcpeg ${GATEWAY_VERSION}`,
    );
    expect(errors.get('./throws.mjs')?.message).toContain('cannot find libfoo.so.3');
    expect(errors.get('./hangs.mjs')?.message).toContain('did not finish within 300 ms');
    expect(errors.get('./empty.mjs')?.message).toContain('exports no service type');
    expect(registry.names()).toEqual([]);
  });

  it('turns each broken plugin into a config issue at its module: line, and validates the rest', async () => {
    const yaml = [
      'plugins:',
      '  notes:',
      `    module: ${JSON.stringify(NOTES)}`,
      '  old:',
      '    module: ./bad-version.mjs',
      '  future:',
      '    module: ./incompatible.mjs',
      '  broken:',
      '    module: ./throws.mjs',
      '  hollow:',
      '    module: ./empty.mjs',
      '  missing:',
      '    module: ./not-there.mjs',
      '',
    ].join('\n');
    const loaded = await load(yaml, join(dir, 'mcpeg.yaml'));
    expect(loaded.ok).toBe(false);
    const issues = loaded.ok ? [] : loaded.issues;
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['plugins.old.module', 5],
      ['plugins.future.module', 7],
      ['plugins.broken.module', 9],
      ['plugins.hollow.module', 11],
      ['plugins.missing.module', 13],
    ]);
    for (const issue of issues) {
      expect(issue.message).toMatch(/^plugin module "(\.\/[a-z-]+\.mjs)" could not be used: plugin "\1"/);
    }
    expect(issues[3]?.message).toContain('exports no service type');
    // The healthy plugin in the same file registered and validated: nothing names it.
    expect(loaded.registry.fromModule(NOTES)).toEqual(['notes']);
    expect(issues.some((issue) => issue.path.startsWith('plugins.notes'))).toBe(false);
  });

  it('reports a dependency on a type nobody registered', async () => {
    const loaded = await load('plugins:\n  needy:\n    module: ./needs-dependency.mjs\n', join(dir, 'mcpeg.yaml'));
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.issues).toEqual([
      {
        path: '(plugins)',
        message: `service type "needs_dep" from plugin ./needs-dependency.mjs depends on type "no_such_type", which is not registered`,
      },
    ]);
  });

  it('needs driver: to pick one of several exported types', async () => {
    const ambiguous = await load('plugins:\n  greeter:\n    module: ./several.mjs\n', join(dir, 'mcpeg.yaml'));
    expect(ambiguous.ok ? [] : ambiguous.issues).toEqual([
      {
        path: 'plugins.greeter.module',
        line: 3,
        column: 13,
        message: 'plugin "./several.mjs" provides alpha, beta; set driver: to one of them',
      },
    ]);
    const chosen = await load(
      'plugins:\n  greeter:\n    module: ./several.mjs\n    driver: beta\n',
      join(dir, 'mcpeg.yaml'),
    );
    if (!chosen.ok) throw new Error(chosen.issues.map((issue) => issue.message).join('\n'));
    const gateway = buildGateway({ config: chosen.config, registry: chosen.registry, logger: quietLogger() });
    gateways.push(gateway);
    expect(text(await gateway.dispatcher.callTool('greeter__hello', {}, scope()))).toBe('beta');
  });

  it('isolates a plugin whose create() throws: it is failed, the others serve', async () => {
    const yaml = `plugins:\n  notes:\n    module: ${JSON.stringify(NOTES)}\n  fragile:\n    module: ./explodes-in-create.mjs\n`;
    const loaded = await load(yaml, join(dir, 'mcpeg.yaml'));
    if (!loaded.ok) throw new Error(loaded.issues.map((issue) => issue.message).join('\n'));
    const gateway = buildGateway({ config: loaded.config, registry: loaded.registry, logger: quietLogger() });
    gateways.push(gateway);
    expect(gateway.host('fragile')?.status()).toMatchObject({
      phase: 'failed',
      lastError: {
        code: 'SERVICE_START_FAILED',
        message: '[fragile] could not be created: create() touched the network',
      },
    });
    expect(gateway.health().status).toBe('ok');
    expect(gateway.catalog.tools.map((tool) => tool.host.name)).toEqual(['notes', 'notes', 'notes', 'notes']);
    expect((await gateway.dispatcher.callTool('notes__list_notes', {}, scope())).isError).toBeUndefined();
  });
});
