import { GatewayError, type ToolDefinition } from '../../sdk/index.js';
import type { Entity, Relation } from './export-format.js';
import { EntityNotFound } from './graph-store.js';
import { REFERENCE_TOOLS } from './reference-tools.js';
import type { MemoryToolEnv } from './tool-env.js';

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The nine knowledge-graph tools of `@modelcontextprotocol/server-memory`, with its names, schemas,
 * result texts and structured content (see reference-tools.ts and docs/plugins/memory.md).
 */
export function graphTools(env: MemoryToolEnv): ToolDefinition[] {
  const graph = () => env.store().graph;
  const text = (value: unknown) => JSON.stringify(value, null, 2);
  const done = (message: string) => ({ content: [{ type: 'text' as const, text: message }], structuredContent: { success: true, message } });
  const bounded = <T>(list: T[], what: string): T[] => {
    if (list.length > env.config.max_entries_per_call) {
      throw new GatewayError(
        'INVALID_ARGUMENTS',
        `${list.length} ${what} in one call is more than max_entries_per_call (${env.config.max_entries_per_call}): split the call, or raise the limit in the config`,
        { service: env.service },
      );
    }
    return list;
  };
  const wellFormed = (values: Iterable<string>, where: string) => {
    for (const value of values) {
      if (LONE_SURROGATE.test(value)) {
        throw new GatewayError('INVALID_ARGUMENTS', `${where} contains a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored unchanged: fix its encoding`, {
          service: env.service,
        });
      }
    }
  };
  // Only the fields the reference keeps (its zod schemas drop any others).
  const entities = (list: unknown): Entity[] =>
    bounded(list as Entity[], 'entities').map(({ name, entityType, observations }) => {
      wellFormed([name, entityType, ...observations], `entity ${JSON.stringify(name)}`);
      return { name, entityType, observations: [...observations] };
    });
  const relations = (list: unknown): Relation[] =>
    bounded(list as Relation[], 'relations').map(({ from, to, relationType }) => {
      wellFormed([from, to, relationType], 'a relation');
      return { from, to, relationType };
    });

  return [
    {
      ...REFERENCE_TOOLS.create_entities,
      async call(args) {
        const created = graph().createEntities(entities(args.entities));
        env.graphChanged();
        return { content: [{ type: 'text', text: text(created) }], structuredContent: { entities: created } };
      },
    },
    {
      ...REFERENCE_TOOLS.create_relations,
      async call(args) {
        const created = graph().createRelations(relations(args.relations));
        env.graphChanged();
        return { content: [{ type: 'text', text: text(created) }], structuredContent: { relations: created } };
      },
    },
    {
      ...REFERENCE_TOOLS.add_observations,
      async call(args) {
        const items = bounded(args.observations as { entityName: string; contents: string[] }[], 'observation items').map(({ entityName, contents }) => {
          wellFormed([entityName, ...contents], `observations for ${JSON.stringify(entityName)}`);
          return { entityName, contents: [...contents] };
        });
        try {
          const results = graph().addObservations(items);
          env.graphChanged();
          return { content: [{ type: 'text', text: text(results) }], structuredContent: { results } };
        } catch (error) {
          // The reference answers an unknown entity with an error result carrying just this text.
          if (error instanceof EntityNotFound) return { content: [{ type: 'text', text: error.message }], isError: true };
          throw error;
        }
      },
    },
    {
      ...REFERENCE_TOOLS.delete_entities,
      async call(args) {
        graph().deleteEntities(bounded(args.entityNames as string[], 'entity names'));
        env.graphChanged();
        return done('Entities deleted successfully');
      },
    },
    {
      ...REFERENCE_TOOLS.delete_observations,
      async call(args) {
        graph().deleteObservations(bounded(args.deletions as { entityName: string; observations: string[] }[], 'deletions'));
        env.graphChanged();
        return done('Observations deleted successfully');
      },
    },
    {
      ...REFERENCE_TOOLS.delete_relations,
      async call(args) {
        graph().deleteRelations(relations(args.relations));
        env.graphChanged();
        return done('Relations deleted successfully');
      },
    },
    {
      ...REFERENCE_TOOLS.read_graph,
      async call() {
        const found = graph().readGraph();
        return { content: [{ type: 'text', text: text(found) }], structuredContent: { ...found } };
      },
    },
    {
      ...REFERENCE_TOOLS.search_nodes,
      async call(args, ctx) {
        const found = graph().searchNodes(args.query as string, ctx.signal);
        return { content: [{ type: 'text', text: text(found) }], structuredContent: { ...found } };
      },
    },
    {
      ...REFERENCE_TOOLS.open_nodes,
      async call(args) {
        const found = graph().openNodes(bounded(args.names as string[], 'names'));
        return { content: [{ type: 'text', text: text(found) }], structuredContent: { ...found } };
      },
    },
  ];
}
