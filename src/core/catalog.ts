import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/server';
import { UriTemplate } from '@modelcontextprotocol/server';
import type { NameFilter } from '../config/model.js';
import { GatewayError } from '../sdk/errors.js';
import type { PromptDefinition, ResourceDefinition, ResourceTemplateDefinition, ToolDefinition } from '../sdk/service-type.js';
import { nameFilter } from './glob.js';
import { type NameCandidate, publicNames } from './naming.js';
import type { ServiceHost } from './service-host.js';

export interface ToolEntry {
  readonly name: string;
  readonly host: ServiceHost;
  readonly definition: ToolDefinition;
  readonly descriptor: Tool;
}
export interface PromptEntry {
  readonly name: string;
  readonly host: ServiceHost;
  readonly definition: PromptDefinition;
  readonly descriptor: Prompt;
}
export interface ResourceEntry {
  readonly host: ServiceHost;
  readonly definition: ResourceDefinition;
  readonly descriptor: Resource;
}
export interface TemplateEntry {
  readonly host: ServiceHost;
  readonly definition: ResourceTemplateDefinition;
  readonly descriptor: ResourceTemplate;
  readonly matcher: UriTemplate;
}

export interface CatalogOptions {
  readonly separator: string;
  readonly maxNameLength: number;
  /** At build time a collision is an error; on a runtime refresh the later entry is dropped and reported. */
  readonly onCollision: 'throw' | ((message: string) => void);
}

/**
 * The merged, immutable view of every running-or-lazy service's tools, prompts, resources and
 * templates. Routing is by map lookup. A change builds a new Catalog (build → swap), never mutates one.
 */
export class Catalog {
  readonly tools: readonly ToolEntry[];
  readonly prompts: readonly PromptEntry[];
  readonly resources: readonly ResourceEntry[];
  readonly templates: readonly TemplateEntry[];
  readonly #toolsByName: Map<string, ToolEntry>;
  readonly #promptsByName: Map<string, PromptEntry>;
  readonly #resourcesByUri: Map<string, ResourceEntry>;
  readonly #templatesByPattern: Map<string, TemplateEntry>;

  constructor(hosts: readonly ServiceHost[], options: CatalogOptions) {
    const collide = (message: string) => {
      if (options.onCollision === 'throw') throw new GatewayError('CATALOG_COLLISION', message);
      options.onCollision(message);
    };
    const tools = named(hosts, (host) => host.instance.tools?.() ?? [], (host) => host.config.tools, options, collide, 'tool');
    this.tools = tools.map(({ name, host, definition, override }) => ({
      name,
      host,
      definition,
      descriptor: describeTool(name, definition, override),
    }));
    const prompts = named(hosts, (host) => host.instance.prompts?.() ?? [], (host) => host.config.prompts, options, collide, 'prompt');
    this.prompts = prompts.map(({ name, host, definition, override }) => ({
      name,
      host,
      definition,
      descriptor: describePrompt(name, definition, override),
    }));
    this.#toolsByName = new Map(this.tools.map((entry) => [entry.name, entry]));
    this.#promptsByName = new Map(this.prompts.map((entry) => [entry.name, entry]));

    const resources: ResourceEntry[] = [];
    const templates: TemplateEntry[] = [];
    this.#resourcesByUri = new Map();
    this.#templatesByPattern = new Map();
    for (const host of hosts) {
      const keep = nameFilter(host.config.resources);
      for (const definition of host.instance.resources?.() ?? []) {
        if (!keep(definition.uri)) continue;
        const other = this.#resourcesByUri.get(definition.uri);
        if (other) {
          collide(`resource ${definition.uri} is served by both "${other.host.name}" and "${host.name}"; exclude it from one (resources.exclude)`);
          continue;
        }
        const entry = { host, definition, descriptor: strip(definition) as Resource };
        resources.push(entry);
        this.#resourcesByUri.set(definition.uri, entry);
      }
      for (const definition of host.instance.resourceTemplates?.() ?? []) {
        if (!keep(definition.uriTemplate)) continue;
        const other = this.#templatesByPattern.get(definition.uriTemplate);
        if (other) {
          collide(`resource template ${definition.uriTemplate} is served by both "${other.host.name}" and "${host.name}"; exclude it from one`);
          continue;
        }
        const entry = {
          host,
          definition,
          descriptor: strip(definition) as ResourceTemplate,
          matcher: new UriTemplate(definition.uriTemplate),
        };
        templates.push(entry);
        this.#templatesByPattern.set(definition.uriTemplate, entry);
      }
    }
    this.resources = resources;
    this.templates = templates;
  }

  tool(name: string): ToolEntry | undefined {
    return this.#toolsByName.get(name);
  }

  prompt(name: string): PromptEntry | undefined {
    return this.#promptsByName.get(name);
  }

  /** A static resource by URI, else the first template (in catalog order) that matches it. */
  resource(uri: string): { entry: ResourceEntry } | { template: TemplateEntry; variables: Record<string, string | string[]> } | undefined {
    const entry = this.#resourcesByUri.get(uri);
    if (entry) return { entry };
    for (const template of this.templates) {
      const variables = template.matcher.match(uri);
      if (variables) return { template, variables };
    }
    return undefined;
  }

  template(uriTemplate: string): TemplateEntry | undefined {
    return this.#templatesByPattern.get(uriTemplate);
  }
}

interface Named<D> {
  name: string;
  host: ServiceHost;
  definition: D;
  override: NonNullable<NameFilter['overrides']>[string] | undefined;
}

function named<D extends { name: string }>(
  hosts: readonly ServiceHost[],
  list: (host: ServiceHost) => readonly D[],
  filterOf: (host: ServiceHost) => NameFilter,
  options: CatalogOptions,
  collide: (message: string) => void,
  noun: string,
): Named<D>[] {
  const items: (Omit<Named<D>, 'name'> & NameCandidate)[] = [];
  for (const host of hosts) {
    const filter = filterOf(host);
    const keep = nameFilter(filter);
    for (const definition of list(host)) {
      if (!keep(definition.name)) continue;
      const override = filter.overrides?.[definition.name];
      items.push({ host, definition, override, service: host.name, prefix: host.config.prefix, name: override?.name ?? definition.name });
    }
  }
  const names = publicNames(items, { separator: options.separator, maxLength: options.maxNameLength });
  const out: Named<D>[] = [];
  const taken = new Map<string, Omit<Named<D>, 'name'>>();
  items.forEach((item, index) => {
    const name = names[index]!;
    const other = taken.get(name);
    if (other) {
      collide(
        `${noun} name "${name}" is claimed by "${other.host.name}" (${noun} ${other.definition.name}) and "${item.host.name}" (${noun} ${item.definition.name}); ` +
          `set prefix: always or on_collision on one of them, or rename one with ${noun}s.overrides`,
      );
      return;
    }
    taken.set(name, item);
    out.push({ name, host: item.host, definition: item.definition, override: item.override });
  });
  return out;
}

/** The protocol-visible part of a definition: functions and gateway-only fields removed. */
function strip(definition: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(definition)) {
    if (typeof value !== 'function' && key !== 'complete') out[key] = value;
  }
  return out;
}

function describeTool(name: string, definition: ToolDefinition, override: Named<ToolDefinition>['override']): Tool {
  const tool = { ...strip(definition), name } as Tool;
  if (override?.title !== undefined) tool.title = override.title;
  if (override?.description !== undefined) tool.description = override.description;
  if (override?.annotations) tool.annotations = { ...tool.annotations, ...override.annotations };
  return tool;
}

function describePrompt(name: string, definition: PromptDefinition, override: Named<PromptDefinition>['override']): Prompt {
  const prompt = { ...strip(definition), name } as Prompt;
  if (override?.title !== undefined) prompt.title = override.title;
  if (override?.description !== undefined) prompt.description = override.description;
  return prompt;
}
