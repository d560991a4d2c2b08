import { z } from 'zod';
import { duration, size } from '../sdk/units.js';
import { rootSchema, serviceCommon } from './schema.js';
import { SERVICE_NAME } from './validate.js';

/** Where the published schema lives; the `$id` of the document. */
export const CONFIG_SCHEMA_ID = 'https://unpkg.com/mcpeg/schema/mcpeg.schema.json';

const REFERENCES = 'Values may use ${VAR}, ${VAR:-default} and ${file:/path}.';

const UNITS = [
  { description: z.globalRegistry.get(duration())?.description, format: formatDuration },
  { description: z.globalRegistry.get(size())?.description, format: formatSize },
] as const;

/**
 * The JSON Schema of `mcpeg.yaml` for editors (`# yaml-language-server: $schema=…`), built from the same zod
 * schema that validates the file, so the two cannot drift. Validation reads `services.*` and `plugins.*`
 * entries loosely and checks them against their service type; here each entry describes the keys every
 * service understands and allows more, because a type's own keys may sit beside them.
 *
 * Draft-07, not zod's default 2020-12: the YAML language server (VS Code, Neovim, Helix, Zed) implements draft-07.
 * `scripts/write-schema.mjs` writes it to `schema/mcpeg.schema.json`; a test checks the committed file is current.
 *
 * @example writeFileSync('schema/mcpeg.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`)
 */
export function configJsonSchema(): Record<string, unknown> {
  const entry = z.looseObject(serviceCommon.shape);
  const entries = (what: string) => z.record(z.string().regex(SERVICE_NAME), entry).describe(what);
  const published = rootSchema.extend({
    services: entries('Backend services by name: databases, queues, APIs, scripts, MCP servers, …').default({}),
    plugins: entries('Plugins by name: built-in (editor, git, memory) or external (module:)').default({}),
  });
  const schema = z.toJSONSchema(published, { io: 'input', target: 'draft-07', override: tidyForEditors });
  for (const section of ['services', 'plugins']) inheritFromGlobal(schema, section);
  return {
    $schema: schema.$schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'MCPEG gateway configuration (mcpeg.yaml)',
    description:
      'One YAML file for the whole gateway: global defaults, the HTTP front door, services and plugins. ' +
      `${REFERENCES} Check a file with: mcpeg validate --config mcpeg.yaml. Reference: docs/configuration.md`,
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

/**
 * Runs on every node. A duration or size key shows both what it is for and how to write it, and its default the
 * way a person writes it (`30s`, not 30000): zod keeps only the outer description and drops defaults of
 * transformed values.
 */
function tidyForEditors(ctx: { zodSchema: z.core.$ZodType; jsonSchema: Record<string, unknown> }): void {
  let node = ctx.zodSchema;
  let fallback: unknown;
  for (;;) {
    const def = node._zod.def as { type: string; innerType?: z.core.$ZodType; defaultValue?: unknown };
    if ((def.type === 'default' || def.type === 'optional') && def.innerType) {
      if (def.type === 'default' && fallback === undefined) fallback = def.defaultValue;
      node = def.innerType;
    } else break;
  }
  // zod writes `format: starts_with` for startsWith(); it is no draft-07 format and strict validators reject it.
  if (typeof ctx.jsonSchema.format === 'string' && !DRAFT_07_FORMATS.has(ctx.jsonSchema.format))
    delete ctx.jsonSchema.format;
  const hint = z.globalRegistry.get(node)?.description;
  const unit = UNITS.find((candidate) => candidate.description !== undefined && candidate.description === hint);
  if (!unit || hint === undefined) return;
  const own = ctx.jsonSchema.description;
  if (typeof own === 'string' && own !== hint && !own.endsWith(hint)) ctx.jsonSchema.description = `${own}. ${hint}`;
  if (typeof fallback === 'number') ctx.jsonSchema.default = unit.format(fallback);
}

const DRAFT_07_FORMATS = new Set(
  'date-time date time email idn-email hostname idn-hostname ipv4 ipv6 uri uri-reference iri iri-reference uri-template json-pointer relative-json-pointer regex'.split(
    ' ',
  ),
);

/**
 * A service's circuit_breaker, bulkhead and recovery override the global ones key by key, so a key left out
 * takes the global value: the per-service blocks show no defaults of their own.
 */
function inheritFromGlobal(schema: Record<string, unknown>, section: string): void {
  const entry = dig(schema, ['properties', section, 'additionalProperties', 'properties']);
  for (const block of ['circuit_breaker', 'bulkhead', 'recovery']) {
    const node = dig(entry, [block]);
    if (!node) continue;
    node.description = `Overrides global.${block} for this service, key by key; a key left out keeps the global value`;
    for (const property of Object.values(dig(node, ['properties']) ?? {}))
      delete (property as Record<string, unknown>).default;
  }
}

function dig(value: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, factor] of units) if (ms > 0 && ms % factor === 0) return `${ms / factor}${unit}`;
  return `${ms}ms`;
}

function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['GB', 1e9],
    ['MB', 1e6],
    ['KiB', 1024],
    ['KB', 1e3],
  ];
  for (const [unit, factor] of units) if (bytes > 0 && bytes % factor === 0) return `${bytes / factor}${unit}`;
  return `${bytes}B`;
}
