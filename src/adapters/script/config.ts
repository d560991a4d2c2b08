import { fromJsonSchema } from '@modelcontextprotocol/server';
import { duration, size, z } from '../../sdk/index.js';
import { type ArgSource, parseTemplate, placements, TemplateProblem } from './argv-template.js';
import { DEFAULT_ENV_ALLOW } from './environment.js';

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_NUL = /^[^\0]*$/;
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

const text = (what: string) => z.string().min(1).regex(NO_NUL, `${what} cannot contain a NUL byte`);
const envAllow = z
  .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'a variable name like PATH, or a prefix ending in * like LC_*'))
  .describe('Variables the script inherits from the gateway’s environment (LC_* allows a prefix); nothing else is passed on');
const envValues = z
  .record(z.string().regex(ENV_NAME, 'a variable name like API_TOKEN'), z.string().regex(NO_NUL, 'an environment value cannot contain a NUL byte'))
  .describe('Variables set for the script; use ${VAR} or ${file:/run/secrets/x} for secrets');

const argItem = z.union([
  z.string(),
  z.array(z.string()).min(1).describe('A group: all of its elements, or none when a parameter in it is absent'),
  z.strictObject({
    when: z.string().regex(PARAMETER_NAME).describe('A parameter: the elements are added when it is present and not false'),
    args: z.array(z.string()).min(1),
  }),
]);

/** One script tool: a program, its argv template and typed parameters. */
export const commandSchema = z.strictObject({
  description: z.string().min(1).describe('What the tool does, for the model choosing tools'),
  title: z.string().min(1).optional(),
  command: text('command').describe('The program: an absolute path, a path relative to cwd, or a name looked up on PATH when the service starts'),
  args: z.array(argItem).default([]).describe('The argv template: literal text and {name} placeholders; never run through a shell'),
  /** JSON Schema `properties` of the parameters, like the named queries of SQL services. */
  parameters: z.record(z.string().regex(PARAMETER_NAME, 'a parameter name like path or max_depth'), z.record(z.string(), z.unknown())).default({}),
  required: z.array(z.string()).optional().describe('Required parameters; by default all of them'),
  stdin: z.string().regex(PARAMETER_NAME).optional().describe('A parameter whose value is written to the program’s stdin'),
  cwd: text('cwd').optional().describe('Working directory; overrides the service’s cwd'),
  env_allow: envAllow.optional(),
  env: envValues.optional(),
  timeout: duration().optional().describe('How long one run may take before its process group is killed; default: the service’s timeout'),
  max_output: size().optional().describe('Bytes kept of stdout and of stderr each; the rest is dropped and the result marked truncated'),
  ok_exit_codes: z.array(z.number().int().min(0).max(255)).min(1).default([0]).describe('Exit codes that mean success'),
  output: z.enum(['text', 'json']).default('text').describe('json: stdout is parsed into structuredContent'),
  output_schema: z.record(z.string(), z.unknown()).optional().describe('With output: json, the JSON Schema of the parsed stdout (an object)'),
  progress: z
    .union([z.literal('lines'), z.strictObject({ pattern: z.string().min(1) })])
    .optional()
    .describe('lines: each stdout line is a progress step; pattern: a regex whose first group is a percentage'),
  max_concurrent: z.number().int().min(1).max(10_000).optional().describe('Runs of this tool at once (default: only the service’s bulkhead limits)'),
  max_queue: z.number().int().min(0).max(100_000).optional().describe('Runs that may wait for a slot beyond max_concurrent (default 16)'),
  read_only: z.boolean().default(false).describe('The program changes nothing (readOnlyHint)'),
  destructive: z.boolean().optional().describe('It may delete or overwrite (destructiveHint); default: true unless read_only'),
  idempotent: z.boolean().default(false).describe('Running it twice with the same arguments has no further effect (idempotentHint)'),
  open_world: z.boolean().default(true).describe('It reaches beyond the local machine (openWorldHint)'),
});

/**
 * Config of a `script` service: defaults every tool inherits, and the tools under `commands:`.
 *
 * @example scriptConfigSchema.parse({ commands: { uptime: { description: 'Uptime', command: 'uptime', read_only: true } } })
 */
export const scriptConfigSchema = z
  .strictObject({
    cwd: text('cwd').optional().describe('Working directory of the tools; relative to the gateway’s working directory; default: that directory'),
    env_allow: envAllow.default([...DEFAULT_ENV_ALLOW]),
    env: envValues.default({}),
    max_output: size().default(1_000_000),
    kill_grace: duration().default(2000).describe('Between SIGTERM and SIGKILL when a run is stopped'),
    commands: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a tool name like disk_usage (letters, digits, _ and -; at most 64)'), commandSchema)
      .refine((commands) => Object.keys(commands).length > 0, 'declare at least one tool under commands:'),
  })
  .superRefine((config, ctx) => {
    for (const [name, command] of Object.entries(config.commands)) checkCommand(command, ['commands', name], ctx);
  });

export type ScriptConfig = z.output<typeof scriptConfigSchema>;
export type CommandConfig = z.output<typeof commandSchema>;

type Issues = z.core.$RefinementCtx<unknown>;

/** What zod cannot see alone: the template against the parameters, their types, the schemas compiling. */
function checkCommand(command: CommandConfig, path: (string | number)[], ctx: Issues) {
  const issue = (at: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...path, ...at], message });
  const parameters = command.parameters;
  let template;
  try {
    template = parseTemplate(command.args as ArgSource[]);
  } catch (error) {
    if (!(error instanceof TemplateProblem)) throw error;
    issue(['args', ...(error.index !== undefined ? [error.index] : [])], error.message);
    return;
  }
  const used = new Set<string>();
  for (const place of placements(template)) {
    used.add(place.name);
    const schema = parameters[place.name];
    if (!schema) {
      issue(['args'], `{${place.name}} names no parameter: declare it under parameters: (declared: ${Object.keys(parameters).join(', ') || 'none'})`);
      continue;
    }
    if (place.condition) continue;
    const type = schema.type;
    if (place.spread) {
      const items = (schema.items ?? {}) as Record<string, unknown>;
      if (!typesAre(type, ['array']) || !typesAre(items.type, SCALAR_TYPES)) {
        issue(['parameters', place.name], `{${place.name}...} expands an array: give it type: array with items of type string, number, integer or boolean`);
      }
    } else if (!typesAre(type, SCALAR_TYPES)) {
      issue(
        ['parameters', place.name],
        typesAre(type, ['array'])
          ? `is an array: place it as a whole element written {${place.name}...}, which makes one argv element per item`
          : `needs type: string, number, integer or boolean to become an argv element (it has ${type === undefined ? 'no type' : `type: ${JSON.stringify(type)}`})`,
      );
    }
  }
  const code = codeWithPlaceholder(command.command, command.args as ArgSource[]);
  if (code) issue(['args'], code);
  if (command.stdin !== undefined) {
    used.add(command.stdin);
    if (!parameters[command.stdin]) issue(['stdin'], `names no parameter: declare ${command.stdin} under parameters:`);
  }
  for (const name of Object.keys(parameters)) {
    if (!used.has(name)) issue(['parameters', name], `is declared but used nowhere: place it in args: as {${name}}, or name it in stdin:`);
    const allow = parameters[name]!.allow_leading_dash;
    if (allow !== undefined && typeof allow !== 'boolean') issue(['parameters', name, 'allow_leading_dash'], 'must be true or false');
  }
  for (const [index, name] of (command.required ?? []).entries()) {
    if (!parameters[name]) issue(['required', index], `names no parameter: declared are ${Object.keys(parameters).join(', ') || 'none'}`);
  }
  compiles(inputSchemaOf(command), (message) => issue(['parameters'], `is not a valid JSON Schema: ${message}`));
  if (command.output_schema !== undefined) {
    if (command.output !== 'json') issue(['output_schema'], 'applies to output: json only (text output has a fixed schema)');
    else if (command.output_schema.type !== 'object') issue(['output_schema'], 'must describe an object (type: object): structuredContent is always an object');
    else compiles(command.output_schema, (message) => issue(['output_schema'], `is not a valid JSON Schema: ${message}`));
  }
  if (command.progress !== undefined && command.progress !== 'lines') {
    const pattern = command.progress.pattern;
    try {
      if (!/\((?!\?)/.test(pattern.replace(/\\./g, ''))) throw new Error('it needs a capture group around the percentage, like (\\d+(?:\\.\\d+)?)%');
      new RegExp(pattern);
    } catch (error) {
      issue(['progress', 'pattern'], `is not usable: ${(error as Error).message}`);
    }
  }
  if (command.max_queue !== undefined && command.max_concurrent === undefined) {
    issue(['max_queue'], 'applies with max_concurrent only: set max_concurrent too (the service’s bulkhead: queues calls otherwise)');
  }
}

/** True when a JSON Schema `type` (a name or a list; `null` aside, which means absent here) names only `allowed` types. */
function typesAre(type: unknown, allowed: Iterable<string>): boolean {
  const names = (Array.isArray(type) ? type : [type]).filter((name) => name !== 'null');
  const set = new Set(allowed);
  return names.length > 0 && names.every((name) => typeof name === 'string' && set.has(name));
}

/** The tool's published input schema: the parameters, minus our own `allow_leading_dash` keyword. */
export function inputSchemaOf(command: CommandConfig): { type: 'object'; properties: Record<string, object>; required: string[]; additionalProperties: false } {
  const properties: Record<string, object> = {};
  for (const [name, schema] of Object.entries(command.parameters)) {
    const { allow_leading_dash: _ignored, ...rest } = schema;
    properties[name] = rest;
  }
  return { type: 'object', properties, required: [...(command.required ?? Object.keys(command.parameters))], additionalProperties: false };
}

/** Interpreters whose `-c` / `-e` argument is code: a placeholder there would make a value into code. */
const INTERPRETER = /^(?:sh|bash|zsh|dash|ksh|mksh|ash|fish|csh|tcsh|busybox|python[0-9.]*|node|nodejs|deno|bun|perl[0-9.]*|ruby|php[0-9.]*|lua[0-9.]*|tclsh|osascript|pwsh|powershell|cmd)(?:\.exe)?$/i;
const CODE_FLAGS = new Set(['-c', '-e', '-E', '--eval', '-p', '--print', '-r', '-Command', '-command', '/c', '/C', '-lc', '-ic']);

/**
 * A placeholder in the code argument of an interpreter (`sh -c 'echo {x}'`, `python -c …`, `node -e …`)
 * hands the value to a parser after all — exactly what the argv template exists to prevent.
 */
function codeWithPlaceholder(command: string, args: readonly ArgSource[]): string | undefined {
  const program = command.split(/[\\/]/).pop() ?? command;
  if (!INTERPRETER.test(program)) return undefined;
  const flat = args.flatMap((item) => (typeof item === 'string' ? [item] : Array.isArray(item) ? item : (item as { args: readonly string[] }).args));
  for (const [index, element] of flat.entries()) {
    const previous = flat[index - 1];
    if (previous !== undefined && CODE_FLAGS.has(previous) && /\{[A-Za-z_]/.test(element.replace(/\{\{/g, ''))) {
      return `"${element}" is code for ${program} to run (after ${previous}), and a placeholder in it would let a value become code: pass the value as its own argument instead — for a shell, args: [-c, 'do-something "$1"', ${program}, '{value}']`;
    }
  }
  return undefined;
}

function compiles(schema: object, report: (message: string) => void) {
  try {
    fromJsonSchema(schema as Parameters<typeof fromJsonSchema>[0]);
  } catch (error) {
    report((error as Error).message);
  }
}
