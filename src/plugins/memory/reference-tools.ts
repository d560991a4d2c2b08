/**
 * The graph tools as `@modelcontextprotocol/server-memory` (version 2026.8.31) lists them: names,
 * titles, descriptions, input and output schemas and annotations, word for word, so that prompts and
 * clients written for it work unchanged. test/plugins/memory/compat.test.ts compares them with the
 * reference's own `tools/list` (recorded by scripts/record-memory-reference.mjs).
 */
import type { ToolDefinition } from '../../sdk/index.js';

type ToolShape = Omit<ToolDefinition, 'call'>;

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const DELETE = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const;
const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** Output schemas close their objects (`additionalProperties: false`); input schemas do not. */
function entity(closed: boolean) {
  return {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'The name of the entity' },
      entityType: { type: 'string', description: 'The type of the entity' },
      observations: { type: 'array', items: { type: 'string' }, description: 'An array of observation contents associated with the entity' },
    },
    required: ['name', 'entityType', 'observations'],
    ...(closed ? { additionalProperties: false } : {}),
  };
}

function relation(closed: boolean) {
  return {
    type: 'object',
    properties: {
      from: { type: 'string', description: 'The name of the entity where the relation starts' },
      to: { type: 'string', description: 'The name of the entity where the relation ends' },
      relationType: { type: 'string', description: 'The type of the relation' },
    },
    required: ['from', 'to', 'relationType'],
    ...(closed ? { additionalProperties: false } : {}),
  };
}

function input(properties: Record<string, unknown>, required: string[]): ToolShape['inputSchema'] {
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), $schema: DRAFT_07 } as ToolShape['inputSchema'];
}

function output(properties: Record<string, unknown>): NonNullable<ToolShape['outputSchema']> {
  return { type: 'object', properties, required: Object.keys(properties), $schema: DRAFT_07, additionalProperties: false } as NonNullable<
    ToolShape['outputSchema']
  >;
}

const GRAPH_OUTPUT = output({ entities: { type: 'array', items: entity(true) }, relations: { type: 'array', items: relation(true) } });
const SUCCESS_OUTPUT = output({ success: { type: 'boolean' }, message: { type: 'string' } });

export const REFERENCE_TOOLS = {
  create_entities: {
    name: 'create_entities',
    title: 'Create Entities',
    description: 'Create multiple new entities in the knowledge graph',
    inputSchema: input({ entities: { type: 'array', items: entity(false) } }, ['entities']),
    outputSchema: output({ entities: { type: 'array', items: entity(true) } }),
    annotations: WRITE,
  },
  create_relations: {
    name: 'create_relations',
    title: 'Create Relations',
    description: 'Create multiple new relations between entities in the knowledge graph. Relations should be in active voice',
    inputSchema: input({ relations: { type: 'array', items: relation(false) } }, ['relations']),
    outputSchema: output({ relations: { type: 'array', items: relation(true) } }),
    annotations: WRITE,
  },
  add_observations: {
    name: 'add_observations',
    title: 'Add Observations',
    description: 'Add new observations to existing entities in the knowledge graph',
    inputSchema: input(
      {
        observations: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              entityName: { type: 'string', description: 'The name of the entity to add the observations to' },
              contents: { type: 'array', items: { type: 'string' }, description: 'An array of observation contents to add' },
            },
            required: ['entityName', 'contents'],
          },
        },
      },
      ['observations'],
    ),
    outputSchema: output({
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: { entityName: { type: 'string' }, addedObservations: { type: 'array', items: { type: 'string' } } },
          required: ['entityName', 'addedObservations'],
          additionalProperties: false,
        },
      },
    }),
    annotations: WRITE,
  },
  delete_entities: {
    name: 'delete_entities',
    title: 'Delete Entities',
    description: 'Delete multiple entities and their associated relations from the knowledge graph',
    inputSchema: input({ entityNames: { type: 'array', items: { type: 'string' }, description: 'An array of entity names to delete' } }, ['entityNames']),
    outputSchema: SUCCESS_OUTPUT,
    annotations: DELETE,
  },
  delete_observations: {
    name: 'delete_observations',
    title: 'Delete Observations',
    description: 'Delete specific observations from entities in the knowledge graph',
    inputSchema: input(
      {
        deletions: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              entityName: { type: 'string', description: 'The name of the entity containing the observations' },
              observations: { type: 'array', items: { type: 'string' }, description: 'An array of observations to delete' },
            },
            required: ['entityName', 'observations'],
          },
        },
      },
      ['deletions'],
    ),
    outputSchema: SUCCESS_OUTPUT,
    annotations: DELETE,
  },
  delete_relations: {
    name: 'delete_relations',
    title: 'Delete Relations',
    description: 'Delete multiple relations from the knowledge graph',
    inputSchema: input({ relations: { type: 'array', items: relation(false), description: 'An array of relations to delete' } }, ['relations']),
    outputSchema: SUCCESS_OUTPUT,
    annotations: DELETE,
  },
  read_graph: {
    name: 'read_graph',
    title: 'Read Graph',
    description: 'Read the entire knowledge graph',
    inputSchema: input({}, []),
    outputSchema: GRAPH_OUTPUT,
    annotations: READ,
  },
  search_nodes: {
    name: 'search_nodes',
    title: 'Search Nodes',
    description: 'Search for nodes in the knowledge graph based on a query',
    inputSchema: input(
      { query: { type: 'string', description: 'The search query to match against entity names, types, and observation content' } },
      ['query'],
    ),
    outputSchema: GRAPH_OUTPUT,
    annotations: READ,
  },
  open_nodes: {
    name: 'open_nodes',
    title: 'Open Nodes',
    description: 'Open specific nodes in the knowledge graph by their names',
    inputSchema: input({ names: { type: 'array', items: { type: 'string' }, description: 'An array of entity names to retrieve' } }, ['names']),
    outputSchema: GRAPH_OUTPUT,
    annotations: READ,
  },
} as const satisfies Record<string, ToolShape>;

/** The reference's resource: the whole graph as JSON. */
export const GRAPH_RESOURCE = {
  uri: 'memory://knowledge-graph',
  name: 'knowledge-graph',
  title: 'Knowledge Graph',
  description: 'The full knowledge graph with all entities and relations',
  mimeType: 'application/json',
} as const;
